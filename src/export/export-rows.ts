/**
 * The rows of an export (pure): every labeled item with its label, annotator, time and label history, and
 * optionally the model's prediction for the unlabeled rest. A row is valid input for `kgal ingest`: `id`,
 * `text` and `label` are its columns, the item's metadata fields sit beside them (ingest keeps every other
 * field as metadata), so ingesting an export reproduces the labels and the metadata.
 */
import type { ItemLabelEvent, LabelEvent, StoredItem } from '../store/graph-store.js';

export interface ExportPrediction {
  label: string;
  /** The model's probability of `label`. */
  probability: number;
}

export interface ExportRow {
  id: string;
  text: string;
  /** Absent for an unlabeled item (exported only with predictions). */
  label?: string;
  /** Who gave the current label (the latest label event). */
  annotator?: string;
  /** When the current label was given (ISO 8601). */
  labeledAt?: string;
  /** Every label event of the item, oldest first (relabels and undos included). */
  labelHistory: LabelEvent[];
  /** With predictions: the model's label for an unlabeled item. */
  predictedLabel?: string;
  predictedProbability?: number;
  meta: Record<string, unknown>;
}

/** Columns an export adds before the metadata fields; a metadata field of the same name is left out of the flat row. */
export const EXPORT_COLUMNS = ['id', 'text', 'label', 'annotator', 'labeledAt', 'labelHistory'] as const;
export const PREDICTION_COLUMNS = ['predictedLabel', 'predictedProbability'] as const;

/**
 * The export rows in id order: labeled items, and with `predictions` also the unlabeled items that have
 * one (embedded ones). `items` and `events` in id order, as the stores list them.
 */
export function* exportRows(
  items: readonly StoredItem[],
  events: readonly ItemLabelEvent[],
  predictions?: ReadonlyMap<string, ExportPrediction>,
): Generator<ExportRow> {
  const history = new Map<string, LabelEvent[]>();
  for (const { itemId, ...event } of events) {
    const list = history.get(itemId);
    if (list) list.push(event);
    else history.set(itemId, [event]);
  }
  for (const item of items) {
    const prediction = item.label === undefined ? predictions?.get(item.id) : undefined;
    if (item.label === undefined && !prediction) continue;
    const row: ExportRow = { id: item.id, text: item.text, labelHistory: history.get(item.id) ?? [], meta: item.meta };
    if (item.label !== undefined) row.label = item.label;
    if (item.annotator !== undefined) row.annotator = item.annotator;
    if (item.labeledAt !== undefined) row.labeledAt = item.labeledAt;
    if (prediction) {
      row.predictedLabel = prediction.label;
      row.predictedProbability = prediction.probability;
    }
    yield row;
  }
}

/**
 * One row as a flat record: the export columns (absent values left out), then the metadata fields that do
 * not clash with them. What the JSONL writer prints and the CSV writer lays out.
 */
export function flatRecord(row: ExportRow): Record<string, unknown> {
  const record: Record<string, unknown> = { id: row.id, text: row.text };
  if (row.label !== undefined) record.label = row.label;
  if (row.annotator !== undefined) record.annotator = row.annotator;
  if (row.labeledAt !== undefined) record.labeledAt = row.labeledAt;
  record.labelHistory = row.labelHistory;
  if (row.predictedLabel !== undefined) record.predictedLabel = row.predictedLabel;
  if (row.predictedProbability !== undefined) record.predictedProbability = row.predictedProbability;
  for (const [key, value] of Object.entries(row.meta)) {
    // defineProperty: a metadata key such as "constructor" stays plain data ("__proto__" never reaches the store).
    if (!Object.hasOwn(record, key) && !isExportColumn(key)) Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return record;
}

function isExportColumn(key: string): boolean {
  return (EXPORT_COLUMNS as readonly string[]).includes(key) || (PREDICTION_COLUMNS as readonly string[]).includes(key);
}

/** CSV header: the export columns, the prediction columns when asked for, then every metadata field (first seen order). */
export function csvColumns(rows: ReadonlyArray<{ meta: Record<string, unknown> }>, withPredictions: boolean): string[] {
  const columns: string[] = [...EXPORT_COLUMNS, ...(withPredictions ? PREDICTION_COLUMNS : [])];
  const seen = new Set(columns);
  for (const row of rows) {
    for (const key of Object.keys(row.meta)) {
      if (seen.has(key)) continue;
      seen.add(key);
      columns.push(key);
    }
  }
  return columns;
}

/** A CSV cell: strings as they are, numbers and booleans as text, anything else (arrays, objects) as JSON; absent is empty. */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
