/**
 * Co-occurrence bookkeeping shared by both stores. The weight of an entity pair is the number of items
 * that mention both; when an item's mentions change, the pairs it used to contribute lose one and the
 * pairs it now contributes gain one. Computing the net change in one place keeps the two stores equal
 * and makes re-ingest idempotent.
 */
export interface PairDelta {
  a: string;
  b: string;
  delta: number;
}

const SEPARATOR = '\u0000';

export function pairKey(a: string, b: string): string {
  return a < b ? a + SEPARATOR + b : b + SEPARATOR + a;
}

export function splitPairKey(key: string): [string, string] {
  const at = key.indexOf(SEPARATOR);
  return [key.slice(0, at), key.slice(at + 1)];
}

/** Calls `visit` once for every unordered pair of distinct keys. */
export function forEachPair(keys: readonly string[], visit: (pair: string) => void): void {
  const unique = [...new Set(keys)];
  for (let i = 0; i < unique.length; i += 1) {
    for (let j = i + 1; j < unique.length; j += 1) visit(pairKey(unique[i]!, unique[j]!));
  }
}

/** Net change of pair weights when items go from `before` keys to `after` keys. Zero changes are dropped. */
export function cooccurrenceDelta(changes: Iterable<{ before: readonly string[]; after: readonly string[] }>): PairDelta[] {
  const net = new Map<string, number>();
  for (const { before, after } of changes) {
    forEachPair(before, (pair) => net.set(pair, (net.get(pair) ?? 0) - 1));
    forEachPair(after, (pair) => net.set(pair, (net.get(pair) ?? 0) + 1));
  }
  const deltas: PairDelta[] = [];
  for (const [pair, delta] of net) {
    if (delta === 0) continue;
    const [a, b] = splitPairKey(pair);
    deltas.push({ a, b, delta });
  }
  return deltas;
}
