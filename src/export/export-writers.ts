/**
 * Export writers: rows to JSONL (one flat JSON object per line) or CSV (a header, then one record per
 * row; csv-stringify quotes), as a text stream the CLI pipes to a file or stdout and the API to the response.
 */
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { csvCell, csvColumns, flatRecord, type ExportRow } from './export-rows.js';

export const EXPORT_FORMATS = ['jsonl', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  jsonl: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

/** The rows as JSONL lines, produced as the stream is read. */
export function jsonlStream(rows: Iterable<ExportRow>): Readable {
  return Readable.from(
    (function* () {
      for (const row of rows) yield JSON.stringify(flatRecord(row)) + '\n';
    })(),
  );
}

/**
 * The rows as CSV: the header is the export columns plus every metadata field of the exported items (a
 * CSV's columns are fixed), nested values as JSON text.
 */
export function csvStream(rows: readonly ExportRow[], withPredictions: boolean): Readable {
  const columns = csvColumns(rows, withPredictions);
  const stringifier = stringify({ header: true, columns, bom: false });
  const records = Readable.from(
    (function* () {
      for (const row of rows) {
        const record = flatRecord(row);
        yield columns.map((column) => csvCell(record[column]));
      }
    })(),
  );
  records.on('error', (error) => stringifier.destroy(error));
  return records.pipe(stringifier);
}

export function exportStream(rows: readonly ExportRow[], format: ExportFormat, withPredictions: boolean): Readable {
  return format === 'csv' ? csvStream(rows, withPredictions) : jsonlStream(rows);
}
