/**
 * `kgal labelstudio sync` for teams without a backend connection: a pool as Label Studio tasks (kgal ids, a
 * priority, kgal's prediction as pre-annotation) and a Label Studio export (JSON, JSON-MIN or CSV) back as
 * labels, validated whole first (errors name the row and field) and written in one atomic setLabels.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import type { TextEmbedder } from '../embeddings/text-embedder.js';
import { OPERATOR_LABEL_POLICY } from '../ingest/ingest-pool.js';
import { InputValidationError, type InputIssue } from '../pool/input-error.js';
import { queryPool } from '../selector/query-pool.js';
import type { GraphStore, LabelAssignment } from '../store/graph-store.js';
import type { LabelConfig } from './label-config.js';
import { predictChoices } from './task-predictions.js';
import { choicesResult, explanationText, orderScore, type ChoicesResult } from './task-mapping.js';

export interface ExportedTask {
  data: Record<string, unknown>;
  predictions: Array<{ model_version: string; score: number; result: ChoicesResult[] }>;
}

/** The field of exported tasks that orders them (1 = label first), for a Data Manager view sorted by it. */
export const PRIORITY_FIELD = 'kgal_priority';

/**
 * The store's unlabeled items as Label Studio tasks: kgal's next batch first (priority 1..n, the explanation
 * with the prediction), then the rest by the model's confidence, least confident first.
 */
export async function exportTasks(
  store: GraphStore,
  config: LabelConfig,
  options: { idField: string; batchSize: number; embedder: () => Promise<TextEmbedder> },
): Promise<ExportedTask[]> {
  const query = await queryPool(store, { batchSize: options.batchSize, record: false });
  const items = (await store.listItems()).filter((item) => item.label === undefined);
  const { predictions } = await predictChoices({ store, embedder: options.embedder }, items.map((i) => i.id), config.choices);
  const rankOf = new Map(query.picks.map((p, k) => [p.id, k + 1]));
  const pickOf = new Map(query.picks.map((p) => [p.id, p]));
  const scored = items.map((item, i) => ({ item, prediction: predictions[i], score: orderScore(rankOf.get(item.id), query.picks.length, predictions[i]?.confidence) }));
  scored.sort((a, b) => a.score - b.score || (a.item.id < b.item.id ? -1 : 1));
  return scored.map(({ item, prediction, score }, k) => {
    const pick = pickOf.get(item.id);
    const choice = pick?.prediction && config.choices.includes(pick.prediction.label) ? pick.prediction.label : prediction?.choice;
    const why = pick
      ? explanationText({
          round: 1,
          rank: rankOf.get(item.id)!,
          batchSize: query.picks.length,
          strategy: pick.strategy,
          fills: pick.entities.filter((e) => e.coverageBefore === 0).map((e) => e.name),
          ...(pick.prediction ? { prediction: pick.prediction } : {}),
        }).replace(/^kgal round 1, /, 'kgal ')
      : undefined;
    return {
      data: { [config.textField]: item.text, [options.idField]: item.id, [PRIORITY_FIELD]: k + 1 },
      predictions: choice === undefined ? [] : [{ model_version: 'kgal', score, result: [choicesResult(config, choice, why)] }],
    };
  });
}

export interface ExportRow extends LabelAssignment {
  /** 1-based row (task or JSON-MIN/CSV row) in the export file. */
  line: number;
}

type Format = 'json' | 'json-min' | 'csv';

const annotatorName = (value: unknown): string | undefined => {
  if (typeof value === 'number' || (typeof value === 'string' && value.trim() !== '')) return `labelstudio:${String(value)}`;
  if (typeof value === 'object' && value !== null) {
    const v = value as { id?: unknown; email?: unknown };
    return annotatorName(v.id ?? v.email);
  }
  return undefined;
};

/**
 * The labels of a Label Studio export, validated whole: every issue (no item id, a value outside the
 * choices, two annotations of one task disagreeing) names its row and field; any issue throws.
 */
export function parseLabelStudioExport(text: string, display: string, config: LabelConfig, idField: string): ExportRow[] {
  const format: Format = extname(display).toLowerCase() === '.csv' ? 'csv' : 'json';
  const issues: InputIssue[] = [];
  const issue = (line: number, field: string, message: string): void => {
    issues.push({ file: display, line, field, message });
  };
  let records: Array<Record<string, unknown>>;
  let kind: Format = format;
  if (format === 'csv') {
    try {
      records = parseCsv(text, { columns: true, skip_empty_lines: true, bom: true }) as Array<Record<string, unknown>>;
    } catch (error) {
      throw new InputValidationError([{ file: display, line: (error as { lines?: number }).lines ?? 1, field: '', message: `not a CSV export: ${(error as Error).message}` }]);
    }
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new InputValidationError([{ file: display, line: 1, field: '', message: `not a JSON export: ${(error as Error).message}` }]);
    }
    if (!Array.isArray(parsed)) throw new InputValidationError([{ file: display, line: 1, field: '', message: 'a Label Studio export is a JSON array of tasks' }]);
    records = parsed as Array<Record<string, unknown>>;
    kind = records.some((r) => typeof r === 'object' && r !== null && typeof r.data === 'object') ? 'json' : 'json-min';
  }
  const rows: ExportRow[] = [];
  records.forEach((record, index) => {
    const line = index + 1;
    if (typeof record !== 'object' || record === null) return issue(line, '', 'not an object');
    const data = kind === 'json' ? ((record.data ?? {}) as Record<string, unknown>) : record;
    const rawId = data[idField];
    const taskId = record.id;
    const project = record.project;
    const id = typeof rawId === 'string' && rawId.trim() !== '' ? rawId : typeof rawId === 'number' ? String(rawId) : project !== undefined && taskId !== undefined ? `ls-${String(project)}-${String(taskId)}` : undefined;
    const labels: Array<{ label: string; annotator?: string; field: string }> = [];
    if (kind === 'json') {
      const annotations = Array.isArray(record.annotations) ? (record.annotations as Array<Record<string, unknown>>) : [];
      annotations.forEach((annotation, a) => {
        if (annotation.was_cancelled) return;
        const result = (Array.isArray(annotation.result) ? annotation.result : []) as Array<{ from_name?: string; value?: { choices?: unknown[] } }>;
        const mine = result.find((r) => r.from_name === config.fromName);
        const choices = mine?.value?.choices;
        if (!Array.isArray(choices) || choices.length === 0) return;
        const field = `annotations[${a}].result.${config.fromName}`;
        if (choices.length > 1) return issue(line, field, `${choices.length} choices; kgal takes one label per text`);
        const annotator = annotatorName(annotation.completed_by);
        labels.push({ label: String(choices[0]), ...(annotator ? { annotator } : {}), field });
      });
    } else {
      let value = record[config.fromName];
      if (typeof value === 'object' && value !== null && Array.isArray((value as { choices?: unknown }).choices)) value = (value as { choices: unknown[] }).choices;
      if (Array.isArray(value)) {
        if (value.length > 1) return issue(line, config.fromName, `${value.length} choices; kgal takes one label per text`);
        value = value[0];
      }
      if (value === undefined || value === null || value === '') return; // not annotated
      const annotator = annotatorName(record.annotator);
      labels.push({ label: String(value), ...(annotator ? { annotator } : {}), field: config.fromName });
    }
    if (labels.length === 0) return;
    if (id === undefined) return issue(line, idField, `no kgal item id (data.${idField}) and no task id/project to name the item`);
    for (const l of labels) {
      if (!config.choices.includes(l.label)) issue(line, l.field, `"${l.label}" is not a choice of <Choices name="${config.fromName}"> (${config.choices.join(', ')})`);
    }
    const distinct = [...new Set(labels.map((l) => l.label))];
    if (distinct.length > 1) return issue(line, config.fromName, `the annotations of this task disagree (${distinct.join(' vs ')})`);
    const last = labels[labels.length - 1]!;
    rows.push({ line, id, label: last.label, ...(last.annotator ? { annotator: last.annotator } : {}) });
  });
  // One item twice (JSON-MIN/CSV: one row per annotation) with different labels is a conflict too.
  const first = new Map<string, ExportRow>();
  for (const row of rows) {
    const seen = first.get(row.id);
    if (seen && seen.label !== row.label) issue(row.line, config.fromName, `item "${row.id}" is "${seen.label}" at row ${seen.line} and "${row.label}" here`);
    else if (!seen) first.set(row.id, row);
  }
  if (issues.length > 0) throw new InputValidationError(issues);
  return rows;
}

/** Reads an export and writes its labels in one atomic store write (like `kgal label`), or nothing. */
export async function importLabelStudioExport(
  store: GraphStore,
  file: string,
  config: LabelConfig,
  options: { idField: string; allowedLabels?: readonly string[] },
): Promise<{ labeled: number; relabeled: number }> {
  const display = basename(file);
  const rows = parseLabelStudioExport(await readFile(file, 'utf8'), display, config, options.idField);
  const allowed = new Set(options.allowedLabels ?? []);
  const issues: InputIssue[] = allowed.size === 0 ? [] : rows.filter((r) => !allowed.has(r.label)).map((r) => ({ file: display, line: r.line, field: config.fromName, message: `unknown label "${r.label}" (allowed: ${[...allowed].join(', ')}; KGAL_LABELS)` }));
  const stored = new Map((await store.getItems(rows.map((r) => r.id))).map((item) => [item.id, item]));
  for (const row of rows) if (!stored.has(row.id)) issues.push({ file: display, line: row.line, field: options.idField, message: `unknown item "${row.id}" (ingest it first)` });
  if (issues.length > 0) throw new InputValidationError(issues);
  await store.setLabels(rows.map(({ line: _line, ...assignment }) => assignment), OPERATOR_LABEL_POLICY);
  return { labeled: rows.length, relabeled: rows.filter((r) => stored.get(r.id)?.label !== undefined && stored.get(r.id)?.label !== r.label).length };
}
