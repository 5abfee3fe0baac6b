import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import type { RoundSignals } from './oracle-campaign.js';
import { ROUND_COLUMNS, type RoundRow } from './round-row.js';

export const SIGNAL_COLUMNS = [
  'strategy',
  'repeat',
  'round',
  'labels',
  'poolUncertainty',
  'predictionKappa',
  'knowledgeEvidence',
  'knowledgeShortlist',
] as const satisfies ReadonlyArray<keyof RoundSignals>;
export const SIGNALS_FILE = 'round-signals.csv';

const NUMERIC_ROUND_COLUMNS = new Set<string>(ROUND_COLUMNS.filter((c) => c !== 'strategy'));
const REQUIRED_ROUND_COLUMNS = ['strategy', 'repeat', 'seed', 'round', 'labels', 'accuracy', 'macroF1'] as const;

function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV text (header + one line per object) in the given column order; absent values are empty cells. */
export function toCsv<T extends object>(columns: readonly (keyof T & string)[], rows: readonly T[]): string {
  const lines = [columns.join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvCell(row[c])).join(','));
  return `${lines.join('\n')}\n`;
}

export function roundsToCsv(rows: readonly RoundRow[]): string {
  return toCsv<RoundRow>(ROUND_COLUMNS, rows);
}

/** Parses rounds.csv / modal-rounds.csv (any column order; extra columns ignored; empty cells = absent). */
export function parseRoundsCsv(text: string, source = 'rounds.csv'): RoundRow[] {
  const records = parseCsv(text, { columns: true, skip_empty_lines: true, trim: true }) as Array<Record<string, string>>;
  return records.map((record, i) => {
    for (const column of REQUIRED_ROUND_COLUMNS) {
      if (record[column] === undefined || record[column] === '') throw new Error(`${source}: row ${i + 2}: column "${column}" is missing`);
    }
    const row: Record<string, string | number> = {};
    for (const column of ROUND_COLUMNS) {
      const cell = record[column];
      if (cell === undefined || cell === '') continue;
      if (!NUMERIC_ROUND_COLUMNS.has(column)) row[column] = cell;
      else {
        const value = Number(cell);
        if (!Number.isFinite(value)) throw new Error(`${source}: row ${i + 2}: column "${column}" is not a number: "${cell}"`);
        row[column] = value;
      }
    }
    return row as unknown as RoundRow;
  });
}

export function signalsToCsv(rows: readonly RoundSignals[]): string {
  return toCsv<RoundSignals>(SIGNAL_COLUMNS, rows);
}

export function parseSignalsCsv(text: string): RoundSignals[] {
  const records = parseCsv(text, { columns: true, skip_empty_lines: true, trim: true }) as Array<Record<string, string>>;
  return records.map((record) => {
    const signals: RoundSignals = { strategy: record.strategy ?? '', repeat: Number(record.repeat), round: Number(record.round), labels: Number(record.labels) };
    if (record.poolUncertainty) signals.poolUncertainty = Number(record.poolUncertainty);
    if (record.predictionKappa) signals.predictionKappa = Number(record.predictionKappa);
    if (record.knowledgeEvidence) signals.knowledgeEvidence = Number(record.knowledgeEvidence);
    if (record.knowledgeShortlist) signals.knowledgeShortlist = Number(record.knowledgeShortlist);
    return signals;
  });
}

/**
 * Every `*rounds.csv` of a directory (kgal's rounds.csv, the modAL script's modal-rounds.csv, ...), in
 * file-name order, plus round-signals.csv when present.
 */
export async function readRoundsDir(dir: string): Promise<{ rows: RoundRow[]; signals: RoundSignals[]; files: string[] }> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('rounds.csv')).sort();
  const rows: RoundRow[] = [];
  for (const name of names) rows.push(...parseRoundsCsv(await readFile(join(dir, name), 'utf8'), name));
  const signalsText = await readFile(join(dir, SIGNALS_FILE), 'utf8').catch(() => undefined);
  return { rows, signals: signalsText ? parseSignalsCsv(signalsText) : [], files: names };
}

export async function writeRoundsFiles(dir: string, rows: readonly RoundRow[], signals: readonly RoundSignals[]): Promise<void> {
  await writeFile(join(dir, 'rounds.csv'), roundsToCsv(rows));
  await writeFile(join(dir, SIGNALS_FILE), signalsToCsv(signals));
}
