import { extname, basename } from 'node:path';
import { parse as parseCsv, CsvError } from 'csv-parse/sync';
import { InputValidationError, type InputIssue } from './input-error.js';
import { parsePoolRow, sameRowContent, type PoolRow } from './pool-row.js';
import { readUtf8Lines, readUtf8Text } from './text-lines.js';

export type PoolFormat = 'jsonl' | 'csv';

export interface ReadPoolOptions {
  /** Overrides detection from the file extension. */
  format?: PoolFormat;
}

export function detectPoolFormat(file: string): PoolFormat {
  const ext = extname(file).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.csv') return 'csv';
  throw new InputValidationError([
    { file: basename(file), line: 1, message: `unknown pool format "${ext}": use .jsonl, .ndjson or .csv` },
  ]);
}

/**
 * Reads and validates a whole pool file. Either every row is valid and the rows are returned (repeats of
 * an id with identical content collapse into one), or an InputValidationError lists every problem with
 * its line and field. Validating the whole file first is what lets ingestion promise that a rejected
 * file writes nothing.
 */
export async function readPoolFile(file: string, options: ReadPoolOptions = {}): Promise<PoolRow[]> {
  const format = options.format ?? detectPoolFormat(file);
  const display = basename(file);
  const { rows, issues } = format === 'csv' ? await readCsvRows(file, display) : await readJsonlRows(file, display);
  issues.push(...duplicateIdIssues(rows, display));
  if (issues.length > 0) throw new InputValidationError(issues);
  return dedupeRows(rows);
}

async function readJsonlRows(file: string, display: string): Promise<{ rows: PoolRow[]; issues: InputIssue[] }> {
  const { lines, issues } = await readUtf8Lines(file, display);
  const rows: PoolRow[] = [];
  for (const { line, text } of lines) {
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      issues.push({ file: display, line, message: `invalid JSON (${(error as Error).message})` });
      continue;
    }
    const parsed = parsePoolRow(value, display, line);
    issues.push(...parsed.issues);
    if (parsed.row) rows.push(parsed.row);
  }
  return { rows, issues };
}

async function readCsvRows(file: string, display: string): Promise<{ rows: PoolRow[]; issues: InputIssue[] }> {
  const { text, issues } = await readUtf8Text(file, display);
  if (issues.length > 0) return { rows: [], issues };
  let records: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    records = parseCsv(text, { columns: true, bom: true, info: true, skip_empty_lines: true, trim: false });
  } catch (error) {
    if (error instanceof CsvError) {
      const line = typeof error.lines === 'number' ? error.lines : 1;
      return { rows: [], issues: [{ file: display, line, message: `malformed CSV (${error.message})` }] };
    }
    throw error;
  }
  const header = text.slice(0, text.indexOf('\n') === -1 ? text.length : text.indexOf('\n'));
  const missing = ['id', 'text'].filter((column) => !records[0]?.record || !(column in records[0].record));
  if (records.length === 0) {
    return { rows: [], issues: [{ file: display, line: 1, message: `no data rows under the header "${header.trim()}"` }] };
  }
  if (missing.length > 0) {
    return {
      rows: [],
      issues: missing.map((column) => ({
        file: display,
        line: 1,
        field: column,
        message: `column is missing from the header (need "id" and "text"; got "${header.trim()}")`,
      })),
    };
  }
  const rows: PoolRow[] = [];
  for (const { record, info } of records) {
    // csv-parse reports the line where the record ends; records span several lines only when quoted.
    const parsed = parsePoolRow(record, display, info.lines);
    issues.push(...parsed.issues);
    if (parsed.row) rows.push(parsed.row);
  }
  return { rows, issues };
}

function duplicateIdIssues(rows: PoolRow[], display: string): InputIssue[] {
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

function dedupeRows(rows: PoolRow[]): PoolRow[] {
  const seen = new Set<string>();
  return rows.filter((row) => (seen.has(row.id) ? false : (seen.add(row.id), true)));
}
