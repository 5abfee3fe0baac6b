import { z } from 'zod';
import type { InputIssue } from './input-error.js';
import { DEFAULT_INPUT_LIMITS, inputLimitsFromEnv, limitEnvName, metaProblem, type InputLimits } from './input-limits.js';

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
/** The default text limit (KGAL_MAX_TEXT_CHARS overrides it; see input-limits.ts). */
export const MAX_TEXT_LENGTH = DEFAULT_INPUT_LIMITS.maxTextChars;

export const idSchema = z.union([
  z.string().trim().min(1, 'must be a non-empty string').max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`),
  z.number().int('must be a string or an integer').transform(String),
]);

const rowSchema = z.object({
  id: idSchema,
  text: z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .refine((t) => t.trim().length > 0, 'must not be empty'),
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
export function parsePoolRow(raw: unknown, file: string, line: number, limits: InputLimits = inputLimitsFromEnv()): { row?: PoolRow; issues: InputIssue[] } {
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
  if (parsed.data.text.length > limits.maxTextChars) {
    return { issues: [{ file, line, field: 'text', message: `must be at most ${limits.maxTextChars} characters, got ${parsed.data.text.length} (limit ${limitEnvName('maxTextChars')})` }] };
  }
  const meta: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    // defineProperty, not assignment: a "__proto__" key must not become the prototype (it is refused below).
    if (!RESERVED.has(key)) Object.defineProperty(meta, key, { value, enumerable: true, writable: true, configurable: true });
  }
  const problem = metaProblem(meta, limits);
  if (problem) return { issues: [{ file, line, ...(problem.path ? { field: problem.path.slice(0, 80) } : {}), message: problem.message }] };
  const row: PoolRow = { id: parsed.data.id, text: parsed.data.text, meta, line };
  if (parsed.data.label !== undefined) row.label = parsed.data.label;
  return { row, issues: [] };
}

/** True when two rows with the same id say the same thing (a harmless repeat, not a conflict). */
export function sameRowContent(a: PoolRow, b: PoolRow): boolean {
  return a.text === b.text && a.label === b.label && JSON.stringify(a.meta) === JSON.stringify(b.meta);
}
