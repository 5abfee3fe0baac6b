import { z } from 'zod';
import type { InputIssue } from './input-error.js';

/** A validated row of a pool file: one text to (maybe) label. */
export interface PoolRow {
  id: string;
  text: string;
  label?: string;
  /** Every other field of the row, kept as the item's metadata. */
  meta: Record<string, unknown>;
  /** Where the row came from, for error messages. */
  line: number;
}

export const MAX_ID_LENGTH = 512;
export const MAX_TEXT_LENGTH = 100_000;

export const idSchema = z.union([
  z.string().trim().min(1, 'must be a non-empty string').max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`),
  z.number().int('must be a string or an integer').transform(String),
]);

const rowSchema = z.object({
  id: idSchema,
  text: z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .refine((t) => t.trim().length > 0, 'must not be empty')
    .refine((t) => t.length <= MAX_TEXT_LENGTH, `must be at most ${MAX_TEXT_LENGTH} characters`),
  label: z
    .union([z.string(), z.number().transform(String), z.null()])
    .optional()
    .transform((l) => (l === null || l === undefined || l.trim() === '' ? undefined : l.trim())),
});

const RESERVED = new Set(['id', 'text', 'label']);

/**
 * Validates one decoded row (a JSON object or a CSV record) into a PoolRow, or returns the issues that
 * name each bad field.
 */
export function parsePoolRow(raw: unknown, file: string, line: number): { row?: PoolRow; issues: InputIssue[] } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { issues: [{ file, line, message: 'expected a JSON object with "id" and "text"' }] };
  }
  const record = raw as Record<string, unknown>;
  const parsed = rowSchema.safeParse(record);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({
      file,
      line,
      field: issue.path.map(String).join('.') || undefined,
      message: record[String(issue.path[0])] === undefined && issue.path.length > 0 ? 'is required' : issue.message,
    }));
    return { issues };
  }
  const meta: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (!RESERVED.has(key)) meta[key] = value;
  }
  const row: PoolRow = { id: parsed.data.id, text: parsed.data.text, meta, line };
  if (parsed.data.label !== undefined) row.label = parsed.data.label;
  return { row, issues: [] };
}

/** True when two rows with the same id say the same thing (a harmless repeat, not a conflict). */
export function sameRowContent(a: PoolRow, b: PoolRow): boolean {
  return a.text === b.text && a.label === b.label && JSON.stringify(a.meta) === JSON.stringify(b.meta);
}
