/**
 * The embedded store's vectors: rows of one growing float32 buffer instead of a Float32Array per item, and
 * the id-ordered matrix every query reads made from that buffer, in place when nothing holds it yet.
 *
 * Why: at a million 384-dim items a typed array per item is two million more heap objects for every major
 * collection to trace, and stacking them into the query matrix held every vector twice (3 GB instead of
 * 1.5). Here the matrix handed out is a view of the buffer itself. Rows handed out are never written
 * again: new and replaced vectors go to fresh rows after them, and once a matrix was handed out the next
 * one is built in a new buffer (its holders keep the old one until they let it go).
 */
import type { Matrix } from '../model/matrix.js';
import { stackRows } from '../model/matrix.js';
import { compareIds } from './id-order.js';

/** Rows the buffer grows by at least (a small store's first vectors). */
const MIN_CAPACITY = 64;

export class EmbeddingRows {
  private data = new Float32Array(0);
  private dims = 0;
  /** Rows used in `data`, live and dead (replaced or deleted vectors). */
  private used = 0;
  private readonly rows = new Map<string, { key: string; row: number }>();
  /** Vectors whose length differs from the buffer's (a re-embedding with another model in progress): no matrix until they agree. */
  private readonly odd = new Map<string, { key: string; vector: Float32Array }>();
  private sorted: { ids: string[]; matrix: Matrix<Float32Array> } | undefined;
  /** Some rows of `data` were handed out as a matrix: they may not move. */
  private shared = false;

  get size(): number {
    return this.rows.size + this.odd.size;
  }

  has(id: string): boolean {
    return this.rows.has(id) || this.odd.has(id);
  }

  keyOf(id: string): string | undefined {
    return this.rows.get(id)?.key ?? this.odd.get(id)?.key;
  }

  /** The stored vector of `id`: a view, to read before the next write (the store's commit reads it at once). */
  vector(id: string): Float32Array | undefined {
    const at = this.rows.get(id);
    if (at) return this.data.subarray(at.row * this.dims, (at.row + 1) * this.dims);
    return this.odd.get(id)?.vector;
  }

  *ids(): IterableIterator<string> {
    yield* this.rows.keys();
    yield* this.odd.keys();
  }

  /** Stores a copy of `vector` under `id` (replacing its earlier one). */
  set(id: string, key: string, vector: ArrayLike<number>): void {
    this.delete(id);
    if (this.rows.size === 0 && vector.length !== this.dims) this.restart(vector.length);
    if (vector.length !== this.dims) {
      this.odd.set(id, { key, vector: Float32Array.from(vector) });
      return;
    }
    this.rows.set(id, { key, row: this.append(vector) });
  }

  delete(id: string): boolean {
    this.sorted = undefined;
    return this.rows.delete(id) || this.odd.delete(id); // a deleted row stays in the buffer, dead, until the next matrix
  }

  /**
   * All vectors in id order as one matrix (read-only, shared with every caller until a write). A vector of
   * another length is a RangeError, as stacking them always was.
   */
  matrix(): { ids: string[]; matrix: Matrix<Float32Array> } {
    if (this.sorted) return this.sorted;
    if (this.odd.size > 0) {
      const ids = [...this.ids()].sort(compareIds);
      return { ids, matrix: stackRows(ids.map((id) => this.vector(id)!), this.vector(ids[0]!)!.length) };
    }
    const ids = [...this.rows.keys()].sort(compareIds);
    const source = Int32Array.from(ids, (id) => this.rows.get(id)!.row);
    if (!isIdentity(source, this.used)) {
      if (this.shared) this.copyInOrder(source);
      else permuteRowsInPlace(this.data, this.dims, completePermutation(source, this.used));
      ids.forEach((id, row) => (this.rows.get(id)!.row = row));
      this.used = ids.length;
    }
    this.shared = true;
    const cols = ids.length === 0 ? 0 : this.dims; // an empty pool has no width, as stacking no vectors gave
    this.sorted = { ids, matrix: { rows: ids.length, cols, data: this.data.subarray(0, ids.length * this.dims) } };
    return this.sorted;
  }

  /** An empty buffer for vectors of `dims` values, taking over the odd vectors of that length. */
  private restart(dims: number): void {
    this.data = new Float32Array(0);
    this.dims = dims;
    this.used = 0;
    this.shared = false;
    for (const [id, { key, vector }] of this.odd) {
      if (vector.length !== dims) continue;
      this.odd.delete(id);
      this.rows.set(id, { key, row: this.append(vector) });
    }
  }

  private append(vector: ArrayLike<number>): number {
    if ((this.used + 1) * this.dims > this.data.length) {
      // Doubling: a new buffer's untouched tail costs no memory until rows are written there.
      const capacity = Math.max(MIN_CAPACITY, this.used * 2);
      const grown = new Float32Array(capacity * this.dims);
      grown.set(this.data.subarray(0, this.used * this.dims));
      this.data = grown;
      this.shared = false;
    }
    this.data.set(vector, this.used * this.dims);
    this.used += 1;
    return this.used - 1;
  }

  /** A new buffer with row t = old row source[t]: the old one stays as it is for whoever holds its matrix. */
  private copyInOrder(source: Int32Array): void {
    const { dims } = this;
    const next = new Float32Array(Math.max(MIN_CAPACITY, source.length) * dims);
    for (let t = 0; t < source.length; t += 1) next.set(this.data.subarray(source[t]! * dims, (source[t]! + 1) * dims), t * dims);
    this.data = next;
    this.shared = false;
  }
}

/** True when row t is already at t for every live row and no dead row is left. */
function isIdentity(source: Int32Array, used: number): boolean {
  if (source.length !== used) return false;
  for (let t = 0; t < source.length; t += 1) if (source[t] !== t) return false;
  return true;
}

/**
 * `source` (target row t ← row source[t], for the live rows) extended to a permutation of all `used` rows:
 * the dead rows fill the targets after the live ones, so the rows can be moved in place.
 */
function completePermutation(source: Int32Array, used: number): Int32Array {
  const full = new Int32Array(used);
  full.set(source);
  const live = new Uint8Array(used);
  for (const row of source) live[row] = 1;
  for (let row = 0, t = source.length; row < used; row += 1) if (!live[row]) full[t++] = row;
  return full;
}

/** Moves row source[t] to row t for every t, following each cycle with one row of scratch space. */
function permuteRowsInPlace(data: Float32Array, dims: number, source: Int32Array): void {
  const done = new Uint8Array(source.length);
  const scratch = new Float32Array(dims);
  for (let start = 0; start < source.length; start += 1) {
    if (done[start] || source[start] === start) continue;
    scratch.set(data.subarray(start * dims, (start + 1) * dims));
    let at = start;
    for (;;) {
      done[at] = 1;
      const from = source[at]!;
      if (from === start) {
        data.set(scratch, at * dims);
        break;
      }
      data.copyWithin(at * dims, from * dims, (from + 1) * dims);
      at = from;
    }
  }
}
