import { describe, expect, it } from 'vitest';
import { rowOf } from '../src/model/matrix.js';
import { EmbeddingRows } from '../src/store/embedding-rows.js';

const vec = (...values: number[]): Float32Array => Float32Array.from(values);
const rowsOf = (m: { rows: number; cols: number; data: Float32Array }): number[][] => Array.from({ length: m.rows }, (_, i) => Array.from(rowOf(m, i)));

describe('EmbeddingRows', () => {
  it('hands out the vectors in id order as one matrix, the same object until a write', () => {
    const rows = new EmbeddingRows();
    rows.set('c', 'k', [3, 30]);
    rows.set('a', 'k', [1, 10]);
    rows.set('b', 'k', [2, 20]);
    const first = rows.matrix();
    expect(first.ids).toEqual(['a', 'b', 'c']);
    expect(rowsOf(first.matrix)).toEqual([[1, 10], [2, 20], [3, 30]]);
    expect(first.matrix.data.length).toBe(6);
    expect(rows.matrix()).toBe(first);
    expect(Array.from(rows.vector('c')!)).toEqual([3, 30]);
  });

  it('never changes a matrix it handed out: writes after it go to a new one', () => {
    const rows = new EmbeddingRows();
    for (const [id, v] of [['d', 4], ['b', 2], ['a', 1]] as const) rows.set(id, `k${v}`, [v, -v]);
    const before = rows.matrix();
    const snapshot = rowsOf(before.matrix);
    rows.set('c', 'k3', [3, -3]); // a new id sorting into the middle
    rows.set('a', 'k9', [9, -9]); // a replaced vector
    rows.delete('d');
    expect(rowsOf(before.matrix)).toEqual(snapshot);
    expect(before.ids).toEqual(['a', 'b', 'd']);
    const after = rows.matrix();
    expect(after).not.toBe(before);
    expect(after.ids).toEqual(['a', 'b', 'c']);
    expect(rowsOf(after.matrix)).toEqual([[9, -9], [2, -2], [3, -3]]);
    expect(rows.keyOf('a')).toBe('k9');
    expect(rows.has('d')).toBe(false);
    expect(rows.size).toBe(3);
  });

  it('puts many rows in id order in place, dead rows dropped, every vector intact', () => {
    const rows = new EmbeddingRows();
    const ids = Array.from({ length: 500 }, (_, i) => `item-${String((i * 7919) % 500).padStart(3, '0')}`);
    ids.forEach((id, i) => rows.set(id, 'k', [i, i + 0.5, -i]));
    for (let i = 0; i < 500; i += 5) rows.delete(ids[i]!);
    for (let i = 1; i < 500; i += 7) rows.set(ids[i]!, 'k2', [-i, 0, i]);
    const { ids: sorted, matrix } = rows.matrix();
    expect(sorted).toEqual([...sorted].sort());
    const kept = ids.filter((_, i) => i % 5 !== 0 || i % 7 === 1); // deleted ones come back when set again
    expect(matrix.rows).toBe(kept.length);
    expect(sorted).toEqual([...kept].sort());
    sorted.forEach((id, row) => {
      const i = ids.indexOf(id);
      expect(Array.from(rowOf(matrix, row))).toEqual(i % 7 === 1 ? [-i, 0, i] : [i, i + 0.5, -i]);
    });
  });

  it('keeps vectors of another length apart, and a matrix of mixed lengths is an error as before', () => {
    const rows = new EmbeddingRows();
    rows.set('a', 'old', [1, 2]);
    rows.set('b', 'new', [1, 2, 3]);
    expect(() => rows.matrix()).toThrow(RangeError);
    rows.set('a', 'new', [4, 5, 6]); // the last old vector replaced: one length again
    const { ids, matrix } = rows.matrix();
    expect(ids).toEqual(['a', 'b']);
    expect(rowsOf(matrix)).toEqual([[4, 5, 6], [1, 2, 3]]);
  });

  it('an empty store is an empty matrix', () => {
    const rows = new EmbeddingRows();
    expect(rows.matrix().matrix).toMatchObject({ rows: 0, cols: 0 });
    rows.set('a', 'k', vec(1));
    rows.delete('a');
    expect(rows.matrix()).toMatchObject({ ids: [], matrix: { rows: 0, cols: 0 } });
  });
});
