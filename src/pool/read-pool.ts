import { basename } from 'node:path';
import { InputValidationError, type InputIssue } from './input-error.js';
import { parsePoolRow, sameRowContent, type PoolRow } from './pool-row.js';
import { readRecordFile, type RecordFormat } from './record-file.js';

export interface ReadPoolOptions {
  /** Overrides detection from the file extension. */
  format?: RecordFormat;
}

/**
 * Reads and validates a whole pool file. Either every row is valid and the rows are returned (repeats of
 * an id with identical content collapse into one), or an InputValidationError lists every problem with
 * its line and field. Validating the whole file first is what lets ingestion promise that a rejected
 * file writes nothing.
 */
export async function readPoolFile(file: string, options: ReadPoolOptions = {}): Promise<PoolRow[]> {
  const display = basename(file);
  const { records, issues } = await readRecordFile(file, ['id', 'text'], options.format);
  const rows: PoolRow[] = [];
  for (const { line, value } of records) {
    const parsed = parsePoolRow(value, display, line);
    issues.push(...parsed.issues);
    if (parsed.row) rows.push(parsed.row);
  }
  issues.push(...duplicateIdIssues(rows, display));
  if (issues.length > 0) throw new InputValidationError(issues);
  return dedupeRows(rows);
}

/** Issues for ids that repeat with different content (identical repeats are harmless). */
export function duplicateIdIssues(rows: PoolRow[], display: string): InputIssue[] {
  const firstById = new Map<string, PoolRow>();
  const issues: InputIssue[] = [];
  for (const row of rows) {
    const first = firstById.get(row.id);
    if (!first) firstById.set(row.id, row);
    else if (!sameRowContent(first, row)) {
      issues.push({
        file: display,
        line: row.line,
        field: 'id',
        message: `duplicate id "${row.id}" with different content (first seen at line ${first.line})`,
      });
    }
  }
  return issues;
}

/** Keeps the first row of each id. */
export function dedupeRows(rows: PoolRow[]): PoolRow[] {
  const seen = new Set<string>();
  return rows.filter((row) => (seen.has(row.id) ? false : (seen.add(row.id), true)));
}
