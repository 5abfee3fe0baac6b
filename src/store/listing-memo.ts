/**
 * Values derived from a store's listings, kept while the listing is the same array. The embedded store
 * hands out the same listing arrays (item summaries, item entities, embedding ids and matrix) until
 * something in them changes, and a changed listing is a new array; so what a query derives from them
 * pool-wide (id order checks, packed entity lists, label positions, the embedded pool) is computed once
 * per change instead of once per query. At a million items each such pass costs 50-300 ms, mostly cache
 * misses over a million objects, and its garbage drives major collections of a multi-GB heap. A store
 * that builds new arrays on every call (Neo4j) simply misses: the value is computed as before.
 */
export class ListingMemo<K extends object, V> {
  private readonly cache = new WeakMap<K, { deps: readonly unknown[]; value: V }>();

  /**
   * The value for `key` computed with these `deps` (compared by identity), computing it on a miss; `valid`
   * also checks a kept value against what identity cannot tell (an index rebuilt with the same keys).
   */
  get(key: K, deps: readonly unknown[], compute: () => V, valid?: (value: V) => boolean): V {
    const hit = this.cache.get(key);
    if (hit && hit.deps.length === deps.length && hit.deps.every((dep, k) => dep === deps[k]) && (!valid || valid(hit.value))) return hit.value;
    const value = compute();
    this.cache.set(key, { deps, value });
    return value;
  }
}
