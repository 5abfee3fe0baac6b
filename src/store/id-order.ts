/**
 * Items in id order, and lining up two id-ordered lists without hashing 100k strings per query. Both
 * stores list items, item entities and embeddings in id order (JavaScript string order, which is what
 * Neo4j's ORDER BY gives for these ids); the helpers still accept any order and fall back to a map.
 */

/** String (UTF-16 code unit) order, the order of item ids and entity keys in every listing. */
export const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function isInIdOrder(ids: ArrayLike<string>): boolean {
  for (let i = 1; i < ids.length; i += 1) if (!(ids[i - 1]! < ids[i]!)) return false;
  return true;
}

/** The records sorted by id: the same array when they already are, else a sorted copy. */
export function inIdOrder<T extends { id: string }>(records: readonly T[]): readonly T[] {
  for (let i = 1; i < records.length; i += 1) {
    if (!(records[i - 1]!.id < records[i]!.id)) return [...records].sort((a, b) => compareIds(a.id, b.id));
  }
  return records;
}

/** For each id of `from`, its position in `to`, or −1 when `to` lacks it. */
export function positionsIn(from: readonly string[], to: readonly string[]): Int32Array {
  const out = new Int32Array(from.length).fill(-1);
  // The usual case: every item is embedded, both listings are the same ids in the same order.
  if (from.length === to.length) {
    let same = true;
    for (let i = 0; i < from.length && same; i += 1) same = from[i] === to[i];
    if (same) {
      for (let i = 0; i < from.length; i += 1) out[i] = i;
      return out;
    }
  }
  if (isInIdOrder(from) && isInIdOrder(to)) {
    // Merge walk over two sorted lists.
    for (let i = 0, j = 0; i < from.length && j < to.length; ) {
      if (from[i] === to[j]) out[i++] = j++;
      else if (from[i]! < to[j]!) i += 1;
      else j += 1;
    }
    return out;
  }
  const position = new Map(to.map((id, j) => [id, j]));
  from.forEach((id, i) => (out[i] = position.get(id) ?? -1));
  return out;
}

/**
 * True when two listings hold the same ids in the same order. A listing patched after a label write shares
 * most of its records with the one before, so most positions compare as the same object without reading the id.
 */
export function sameIds(a: ReadonlyArray<{ id: string }>, b: ReadonlyArray<{ id: string }>): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i] && a[i]!.id !== b[i]!.id) return false;
  return true;
}
