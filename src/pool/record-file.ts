import { basename, extname } from 'node:path';
import { parse as parseCsv, CsvError } from 'csv-parse/sync';
import { InputValidationError, type InputIssue } from './input-error.js';
import { readUtf8Lines, readUtf8Text } from './text-lines.js';

export type RecordFormat = 'jsonl' | 'csv';

/** One decoded record of a JSONL or CSV file, with its line for error messages. */
export interface FileRecord {
  line: number;
  value: unknown;
}

export function detectRecordFormat(file: string): RecordFormat {
  const ext = extname(file).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.csv') return 'csv';
  throw new InputValidationError([
    { file: basename(file), line: 1, message: `unknown file format "${ext}": use .jsonl, .ndjson or .csv` },
  ]);
}

/**
 * Decodes a JSONL or CSV file into records, strictly: invalid UTF-8, invalid JSON, malformed CSV and a
 * CSV header without the required columns are issues with their line. Field validation is the caller's.
 */
export async function readRecordFile(
  file: string,
  requiredColumns: readonly string[],
  format: RecordFormat = detectRecordFormat(file),
): Promise<{ records: FileRecord[]; issues: InputIssue[] }> {
  const display = basename(file);
  return format === 'csv' ? readCsv(file, display, requiredColumns) : readJsonl(file, display);
}

async function readJsonl(file: string, display: string): Promise<{ records: FileRecord[]; issues: InputIssue[] }> {
  const { lines, issues } = await readUtf8Lines(file, display);
  const records: FileRecord[] = [];
  for (const { line, text } of lines) {
    if (text.trim() === '') continue;
    try {
      records.push({ line, value: JSON.parse(text) });
    } catch (error) {
      issues.push({ file: display, line, message: `invalid JSON (${(error as Error).message})` });
    }
  }
  return { records, issues };
}

async function readCsv(file: string, display: string, requiredColumns: readonly string[]): Promise<{ records: FileRecord[]; issues: InputIssue[] }> {
  const { text, issues } = await readUtf8Text(file, display);
  if (issues.length > 0) return { records: [], issues };
  let parsed: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    parsed = parseCsv(text, { columns: true, bom: true, info: true, skip_empty_lines: true, trim: false });
  } catch (error) {
    if (error instanceof CsvError) {
      const line = typeof error.lines === 'number' ? error.lines : 1;
      return { records: [], issues: [{ file: display, line, message: `malformed CSV (${error.message})` }] };
    }
    throw error;
  }
  const newline = text.indexOf('\n');
  const header = (newline === -1 ? text : text.slice(0, newline)).trim();
  if (parsed.length === 0) {
    return { records: [], issues: [{ file: display, line: 1, message: `no data rows under the header "${header}"` }] };
  }
  const missing = requiredColumns.filter((column) => !(column in parsed[0]!.record));
  if (missing.length > 0) {
    const need = requiredColumns.map((c) => `"${c}"`).join(' and ');
    return {
      records: [],
      issues: missing.map((column) => ({
        file: display,
        line: 1,
        field: column,
        message: `column is missing from the header (need ${need}; got "${header}")`,
      })),
    };
  }
  // csv-parse reports the line where a record ends; records span several lines only when quoted.
  return { records: parsed.map(({ record, info }) => ({ line: info.lines, value: record })), issues };
}
