import { describe, expect, it } from 'vitest';
import { cooccurrenceDelta } from '../src/store/cooccurrence.js';

const asRecord = (deltas: ReturnType<typeof cooccurrenceDelta>) =>
  Object.fromEntries(deltas.map((d) => [`${d.a}|${d.b}`, d.delta]));

describe('cooccurrenceDelta', () => {
  it('adds every unordered pair of a new item once, in key order', () => {
    expect(asRecord(cooccurrenceDelta([{ before: [], after: ['c', 'a', 'b'] }]))).toEqual({ 'a|c': 1, 'a|b': 1, 'b|c': 1 });
  });

  it('nets out pairs an item keeps, removes the ones it loses', () => {
    expect(asRecord(cooccurrenceDelta([{ before: ['a', 'b', 'c'], after: ['a', 'b', 'd'] }]))).toEqual({
      'a|c': -1, 'b|c': -1, 'a|d': 1, 'b|d': 1,
    });
  });

  it('sums over items and ignores repeated keys within an item', () => {
    expect(asRecord(cooccurrenceDelta([
      { before: [], after: ['a', 'b', 'a'] },
      { before: [], after: ['b', 'a'] },
    ]))).toEqual({ 'a|b': 2 });
  });

  it('returns nothing when nothing changes', () => {
    expect(cooccurrenceDelta([{ before: ['x', 'y'], after: ['y', 'x'] }])).toEqual([]);
  });
});
