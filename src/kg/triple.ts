/** One fact of an external knowledge graph, as given by the user. */
export interface Triple {
  subject: string;
  predicate: string;
  object: string;
  line: number;
}

export type KgTermKind = 'resource' | 'literal';

export interface KgTerm {
  /** Human-readable name: DBpedia-style underscores become spaces, literal quotes are dropped. */
  name: string;
  kind: KgTermKind;
}

const NUMBER_OR_DATE = /^[-+]?\d[\d.,:eE+-]*$/;

/**
 * Reads a subject/object term. `Aarhus_Airport` is a resource named "Aarhus Airport"; `"Aarhus, Denmark"`
 * is a quoted literal; numbers and dates are literals too (they are facts, but not names worth linking).
 */
export function parseKgTerm(term: string): KgTerm {
  const trimmed = term.trim();
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')) {
    return { name: trimmed.slice(1, -1).trim(), kind: 'literal' };
  }
  if (NUMBER_OR_DATE.test(trimmed)) return { name: trimmed, kind: 'literal' };
  return { name: trimmed.replace(/_/g, ' ').replace(/\s+/g, ' ').trim(), kind: 'resource' };
}
