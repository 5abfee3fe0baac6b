/**
 * Dense integer ids for entity keys. Every typed-array structure in graph/ (adjacency, centrality values,
 * community ids, coverage counts) is indexed by these ids, so the hot loops never touch strings.
 */

/** Items as lists of entity ids, packed CSR-style: item i mentions `entities[offsets[i] .. offsets[i+1])`. */
export interface ItemEntityLists {
  /** Number of items. */
  readonly count: number;
  /** Length count + 1. */
  readonly offsets: Int32Array;
  /** Entity ids, each item's list without duplicates. */
  readonly entities: Int32Array;
}

export class EntityIndex {
  private readonly positions: Map<string, number>;

  private constructor(readonly keys: readonly string[]) {
    this.positions = new Map();
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (this.positions.has(key)) throw new Error(`duplicate entity key ${JSON.stringify(key)}`);
      this.positions.set(key, i);
    }
  }

  /** Ids follow the order of `keys`; a duplicate key is an error. */
  static fromKeys(keys: Iterable<string>): EntityIndex {
    return new EntityIndex(Array.from(keys));
  }

  get size(): number {
    return this.keys.length;
  }

  /** The id of `key`, or -1 when the index does not hold it. */
  indexOf(key: string): number {
    return this.positions.get(key) ?? -1;
  }

  has(key: string): boolean {
    return this.positions.has(key);
  }

  key(id: number): string {
    const key = this.keys[id];
    if (key === undefined) throw new RangeError(`no entity with id ${id}`);
    return key;
  }

  /** Ids of the given keys, unknown keys dropped, duplicates kept once (first occurrence order). */
  encode(keys: Iterable<string>): Int32Array {
    const ids: number[] = [];
    for (const key of keys) {
      const id = this.positions.get(key);
      if (id !== undefined && !ids.includes(id)) ids.push(id);
    }
    return Int32Array.from(ids);
  }

  /** Packs many items' entity keys at once (see `encode` for unknown and repeated keys). */
  packItems(items: ReadonlyArray<Iterable<string>>): ItemEntityLists {
    const offsets = new Int32Array(items.length + 1);
    // A growing Int32Array rather than a number[]: this runs on every query over the whole pool.
    let ids = new Int32Array(Math.max(16, items.length * 4));
    let k = 0;
    for (let i = 0; i < items.length; i++) {
      const start = k;
      for (const key of items[i]!) {
        const id = this.positions.get(key);
        if (id === undefined) continue;
        let seen = false;
        for (let j = start; j < k; j++) {
          if (ids[j] === id) {
            seen = true;
            break;
          }
        }
        if (seen) continue;
        if (k === ids.length) {
          const grown = new Int32Array(ids.length * 2);
          grown.set(ids);
          ids = grown;
        }
        ids[k++] = id;
      }
      offsets[i + 1] = k;
    }
    return { count: items.length, offsets, entities: ids.slice(0, k) };
  }
}

/** Packs already-encoded id lists (duplicates inside a list are removed). */
export function packItemIds(items: ReadonlyArray<ArrayLike<number>>): ItemEntityLists {
  const offsets = new Int32Array(items.length + 1);
  let total = 0;
  for (const item of items) total += item.length;
  const entities = new Int32Array(total);
  let k = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const start = k;
    for (let j = 0; j < item.length; j++) {
      const id = item[j]!;
      let seen = false;
      for (let q = start; q < k; q++) {
        if (entities[q] === id) {
          seen = true;
          break;
        }
      }
      if (!seen) entities[k++] = id;
    }
    offsets[i + 1] = k;
  }
  return { count: items.length, offsets, entities: entities.slice(0, k) };
}

/** The entity ids of item `i` (a view, not a copy). */
export function itemEntityIds(items: ItemEntityLists, i: number): Int32Array {
  return items.entities.subarray(items.offsets[i], items.offsets[i + 1]);
}

/** The lists of the given items, in the given order (a packed copy): a candidate subset of all items. */
export function selectItems(items: ItemEntityLists, which: ArrayLike<number>): ItemEntityLists {
  const offsets = new Int32Array(which.length + 1);
  let total = 0;
  for (let i = 0; i < which.length; i++) {
    const w = which[i]!;
    total += items.offsets[w + 1]! - items.offsets[w]!;
    offsets[i + 1] = total;
  }
  const entities = new Int32Array(total);
  for (let i = 0, k = 0; i < which.length; i++) {
    const w = which[i]!;
    // An element loop: a subarray + set per item costs more than the 3-4 ids it copies.
    for (let p = items.offsets[w]!, end = items.offsets[w + 1]!; p < end; p++) entities[k++] = items.entities[p]!;
  }
  return { count: which.length, offsets, entities };
}
