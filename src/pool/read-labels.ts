import { basename } from 'node:path';
import { z } from 'zod';
import type { LabelAssignment } from '../store/graph-store.js';
import { InputValidationError, type InputIssue } from './input-error.js';
import { idSchema } from './pool-row.js';
import { readRecordFile } from './record-file.js';

export interface LabelRow extends LabelAssignment {
  line: number;
}

const labelRowSchema = z.object({
  id: idSchema,
  label: z
    .union([z.string(), z.number().transform(String)], { error: (i) => (i.input === undefined ? 'is required' : 'must be a string') })
    .transform((l) => l.trim())
    .refine((l) => l.length > 0, 'must not be empty')
    .refine((l) => l.length <= 200, 'must be at most 200 characters'),
  annotator: z
    .union([z.string(), z.null()])
    .optional()
    .transform((a) => (a === null || a === undefined || a.trim() === '' ? undefined : a.trim())),
});

/**
 * Reads a label file (JSONL or CSV with `id`, `label`, optional `annotator`). Every row is validated
 * first; a file with any bad row is rejected whole. The same id twice with different labels is a
 * conflict, not a silent last-wins.
 */
export async function readLabelFile(file: string): Promise<LabelRow[]> {
  const display = basename(file);
  const { records, issues } = await readRecordFile(file, ['id', 'label']);
  const rows: LabelRow[] = [];
  const firstById = new Map<string, LabelRow>();
  for (const { line, value } of records) {
    const parsed = labelRowSchema.safeParse(value);
    if (!parsed.success) {
      const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
      for (const issue of parsed.error.issues) {
        const field = issue.path.map(String).join('.');
        const missing = field !== '' && record[field] === undefined;
        const entry: InputIssue = { file: display, line, message: missing ? 'is required' : issue.message };
        if (field !== '') entry.field = field;
        issues.push(entry);
      }
      continue;
    }
    const row: LabelRow = { id: parsed.data.id, label: parsed.data.label, line };
    if (parsed.data.annotator !== undefined) row.annotator = parsed.data.annotator;
    const first = firstById.get(row.id);
    if (first && first.label !== row.label) {
      issues.push({ file: display, line, field: 'label', message: `id "${row.id}" labeled "${first.label}" at line ${first.line} and "${row.label}" here` });
      continue;
    }
    if (!first) {
      firstById.set(row.id, row);
      rows.push(row);
    }
  }
  if (issues.length > 0) throw new InputValidationError(issues);
  return rows;
}
