/**
 * Scoring entity extraction against gold entities (WebNLG: the subjects and objects of a text's triples).
 * Pure functions; the benchmark (scripts/bench-extraction.ts) does the I/O.
 */
import { parseKgTerm } from '../kg/triple.js';
import { canonicalKey } from './canonical-key.js';
import type { EntityMention } from './entity-extractor.js';

export type GoldKind = 'resource' | 'literal';

// A trailing qualifier such as DBpedia's "Aston Martin V8 (car)" or "Alpena (city)" is not in any text.
const QUALIFIER = /\s*\([^()]*\)\s*$/;
const NUMERIC_KEY = /^[\d\s]+$/;

/** The key a name is compared under: its canonical key without a trailing parenthesised qualifier. */
export function scoreKey(name: string): string {
  return canonicalKey(name.replace(QUALIFIER, ''));
}

/**
 * A text's gold entities by score key, each a KG resource or a literal (quoted strings, numbers, dates).
 * Numbers and dates are left out: they are facts, not names an entity extractor is meant to find.
 */
export function goldEntities(terms: readonly string[]): Map<string, GoldKind> {
  const gold = new Map<string, GoldKind>();
  for (const term of terms) {
    const parsed = parseKgTerm(term);
    const key = scoreKey(parsed.name);
    if (key === '' || NUMERIC_KEY.test(key)) continue;
    if (!gold.has(key)) gold.set(key, parsed.kind);
  }
  return gold;
}

export interface Tally {
  texts: number;
  gold: number;
  found: number;
  /** Gold entities found. */
  hits: number;
  /** Extracted entities that are gold (differs from hits when two mentions fold to one score key). */
  correct: number;
  goldByKind: Record<GoldKind, number>;
  hitsByKind: Record<GoldKind, number>;
  /** Extracted entities and how many of them are gold, by extracted type. */
  foundByType: Record<string, number>;
  correctByType: Record<string, number>;
}

export function emptyTally(): Tally {
  return {
    texts: 0,
    gold: 0,
    found: 0,
    hits: 0,
    correct: 0,
    goldByKind: { resource: 0, literal: 0 },
    hitsByKind: { resource: 0, literal: 0 },
    foundByType: {},
    correctByType: {},
  };
}

/** Adds one text's extraction to the tally (mentions compared by the score key of their name). */
export function tallyText(tally: Tally, mentions: readonly EntityMention[], gold: ReadonlyMap<string, GoldKind>): void {
  const byKey = new Map<string, string>();
  for (const mention of mentions) {
    const key = scoreKey(mention.name);
    if (key !== '' && !byKey.has(key)) byKey.set(key, mention.type);
  }
  tally.texts += 1;
  tally.gold += gold.size;
  tally.found += byKey.size;
  for (const [key, kind] of gold) {
    tally.goldByKind[kind] += 1;
    if (byKey.has(key)) {
      tally.hits += 1;
      tally.hitsByKind[kind] += 1;
    }
  }
  for (const [key, type] of byKey) {
    tally.foundByType[type] = (tally.foundByType[type] ?? 0) + 1;
    if (gold.has(key)) {
      tally.correct += 1;
      tally.correctByType[type] = (tally.correctByType[type] ?? 0) + 1;
    }
  }
}

export function recall(tally: Tally): number {
  return tally.gold === 0 ? 0 : tally.hits / tally.gold;
}

export function precision(tally: Tally): number {
  return tally.found === 0 ? 0 : tally.correct / tally.found;
}
