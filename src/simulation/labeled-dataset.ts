import { basename } from 'node:path';
import { InputValidationError, type InputIssue } from '../pool/input-error.js';
import type { PoolRow } from '../pool/pool-row.js';
import { readPoolFile } from '../pool/read-pool.js';

/**
 * Gold annotations of one item, for measuring only (WebNLG rows carry `entities` and `triples`). Nothing
 * that selects may see them: they never reach the store (see `selectionRow`).
 */
export interface GoldAnnotations {
  /** Gold entity names as the dataset writes them (e.g. DBpedia `Aarhus_Airport`). */
  entities: string[];
  /** Gold triples, each as one string key `subject\tpredicate\tobject`. */
  triples: string[];
}

/** One labeled example of a simulation: what the oracle knows (label, gold) beside what selection may see. */
export interface LabeledExample {
  id: string;
  text: string;
  label: string;
  gold?: GoldAnnotations;
}

/**
 * The only fields of a row that go into the store a simulation selects from. Everything else a row carries
 * (the label, WebNLG's `triples`/`entities`/`alt_texts`, `category`, `label_id`, titles...) can leak the
 * label or the gold knowledge, so it is left out by construction (an allowlist, not a blocklist).
 */
export function selectionRow(example: Pick<LabeledExample, 'id' | 'text'>): { id: string; text: string } {
  return { id: example.id, text: example.text };
}

/** Reads a labeled JSONL/CSV pool: every row needs a label; gold entities/triples are picked up when present. */
export async function readLabeledFile(file: string): Promise<LabeledExample[]> {
  const rows = await readPoolFile(file);
  const issues: InputIssue[] = [];
  const examples: LabeledExample[] = [];
  for (const row of rows) {
    const example = toLabeledExample(row, basename(file), issues);
    if (example) examples.push(example);
  }
  if (issues.length > 0) throw new InputValidationError(issues);
  return examples;
}

function toLabeledExample(row: PoolRow, file: string, issues: InputIssue[]): LabeledExample | undefined {
  if (row.label === undefined) {
    issues.push({ file, line: row.line, field: 'label', message: 'a simulation needs a label on every row (the oracle answers with it)' });
    return undefined;
  }
  const example: LabeledExample = { id: row.id, text: row.text, label: row.label };
  const gold = goldOf(row.meta);
  if (gold) example.gold = gold;
  return example;
}

/** Gold fields when the row has them: `entities` (strings) and/or `triples` ([s, p, o] arrays). */
export function goldOf(meta: Record<string, unknown>): GoldAnnotations | undefined {
  const entities = Array.isArray(meta.entities) ? meta.entities.filter((e): e is string => typeof e === 'string') : undefined;
  const triples = Array.isArray(meta.triples)
    ? meta.triples
        .filter((t): t is unknown[] => Array.isArray(t) && t.length >= 3)
        .map((t) => t.slice(0, 3).map(String).join('\t'))
    : undefined;
  if (entities === undefined && triples === undefined) return undefined;
  return { entities: [...new Set(entities ?? [])], triples: [...new Set(triples ?? [])] };
}
