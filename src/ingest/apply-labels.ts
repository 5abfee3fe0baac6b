import { basename } from 'node:path';
import { InputValidationError } from '../pool/input-error.js';
import { readLabelFile } from '../pool/read-labels.js';
import type { GraphStore } from '../store/graph-store.js';

export interface LabelReport {
  labeled: number;
  /** Items that already had a different label (replaced; the history keeps both). */
  relabeled: number;
}

/**
 * Applies a label file in one atomic store write. Bad rows and ids the store does not know are reported
 * with their line, and then nothing is written.
 */
export async function applyLabelFile(store: GraphStore, file: string, options: { allowedLabels?: readonly string[] } = {}): Promise<LabelReport> {
  const rows = await readLabelFile(file);
  const allowed = new Set(options.allowedLabels ?? []);
  const outside = allowed.size === 0 ? [] : rows.filter((row) => !allowed.has(row.label));
  if (outside.length > 0) {
    throw new InputValidationError(
      outside.map((row) => ({ file: basename(file), line: row.line, field: 'label', message: `unknown label "${row.label}" (allowed: ${[...allowed].join(', ')}; KGAL_LABELS)` })),
    );
  }
  const stored = new Map((await store.getItems(rows.map((row) => row.id))).map((item) => [item.id, item]));
  const unknown = rows.filter((row) => !stored.has(row.id));
  if (unknown.length > 0) {
    throw new InputValidationError(
      unknown.map((row) => ({ file: basename(file), line: row.line, field: 'id', message: `unknown item "${row.id}" (ingest it first)` })),
    );
  }
  await store.setLabels(rows.map(({ line: _line, ...assignment }) => assignment));
  const relabeled = rows.filter((row) => {
    const previous = stored.get(row.id)?.label;
    return previous !== undefined && previous !== row.label;
  }).length;
  return { labeled: rows.length, relabeled };
}
