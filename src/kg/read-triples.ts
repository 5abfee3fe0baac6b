import { basename, extname } from 'node:path';
import { InputValidationError, type InputIssue } from '../pool/input-error.js';
import { readUtf8Lines } from '../pool/text-lines.js';
import type { Triple } from './triple.js';

/**
 * Reads an external knowledge graph: TSV `subject<TAB>predicate<TAB>object[<TAB>...]` (an optional header
 * row naming those columns; extra columns are ignored) or JSONL with `{subject, predicate, object}` or
 * `[subject, predicate, object]` per line. The whole file is validated before anything is returned.
 */
export async function readTriplesFile(file: string): Promise<Triple[]> {
  const display = basename(file);
  const ext = extname(file).toLowerCase();
  const isJsonl = ext === '.jsonl' || ext === '.ndjson';
  if (!isJsonl && ext !== '.tsv' && ext !== '.txt') {
    throw new InputValidationError([
      { file: display, line: 1, message: `unknown knowledge-graph format "${ext}": use .tsv or .jsonl` },
    ]);
  }
  const { lines, issues } = await readUtf8Lines(file, display);
  const triples: Triple[] = [];
  for (const [index, { line, text }] of lines.entries()) {
    if (text.trim() === '') continue;
    const fields = isJsonl ? jsonTripleFields(text, display, line, issues) : text.split('\t');
    if (!fields) continue;
    if (!isJsonl && index === 0 && isHeader(fields)) continue;
    const triple = toTriple(fields, display, line, issues);
    if (triple) triples.push(triple);
  }
  if (issues.length > 0) throw new InputValidationError(issues);
  return triples;
}

function isHeader(fields: string[]): boolean {
  return fields.slice(0, 3).map((f) => f.trim().toLowerCase()).join(',') === 'subject,predicate,object';
}

function jsonTripleFields(text: string, file: string, line: number, issues: InputIssue[]): string[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    issues.push({ file, line, message: `invalid JSON (${(error as Error).message})` });
    return undefined;
  }
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : String(v)));
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const fields: string[] = [];
    for (const name of ['subject', 'predicate', 'object'] as const) {
      const v = record[name];
      if (typeof v !== 'string') {
        issues.push({ file, line, field: name, message: v === undefined ? 'is required' : 'must be a string' });
        return undefined;
      }
      fields.push(v);
    }
    return fields;
  }
  issues.push({ file, line, message: 'expected {"subject","predicate","object"} or a 3-element array' });
  return undefined;
}

function toTriple(fields: string[], file: string, line: number, issues: InputIssue[]): Triple | undefined {
  if (fields.length < 3) {
    issues.push({ file, line, message: `expected 3 fields (subject, predicate, object), got ${fields.length}` });
    return undefined;
  }
  const [subject, predicate, object] = fields.map((f) => f.trim()) as [string, string, string];
  const names = { subject, predicate, object };
  for (const [field, value] of Object.entries(names)) {
    if (value === '') {
      issues.push({ file, line, field, message: 'must not be empty' });
      return undefined;
    }
  }
  return { subject, predicate, object, line };
}
