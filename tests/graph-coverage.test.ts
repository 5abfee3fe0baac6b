import { describe, expect, it } from 'vitest';
import {
  entityWeights,
  communityCoverage,
  CoverageTracker,
  coverageCounts,
  coverageSummary,
  decay,
  entityGaps,
  itemCommunityTerm,
  itemCommunityTerms,
  itemGain,
  itemGains,
  topGaps,
} from '../graph/coverage.js';
import { EntityIndex, packItemIds } from '../graph/entity-index.js';
import { seededRandom } from '../graph/random.js';

describe('decay', () => {
  it('is 1 at 0 and decreases to 0; linear reaches 0 at tau', () => {
    const linear = { kind: 'linear', tau: 4 } as const;
    const exponential = { kind: 'exponential', tau: 2 } as const;
    expect(decay(0, linear)).toBe(1);
    expect(decay(0, exponential)).toBe(1);
    expect([1, 2, 3, 4, 5, 10].map((n) => decay(n, linear))).toEqual([0.75, 0.5, 0.25, 0, 0, 0]);
    expect(decay(2, exponential)).toBeCloseTo(Math.exp(-1), 15);
    expect(decay(1, { kind: 'exponential', tau: 1 })).toBeCloseTo(0.36787944117144233, 15);
    let previous = 1;
    for (let n = 1; n <= 50; n++) {
      const d = decay(n, exponential);
      expect(d).toBeLessThan(previous);
      previous = d;
    }
    expect(decay(60, exponential)).toBeLessThan(1e-12);
    expect(() => decay(1, { kind: 'linear', tau: 0 })).toThrow(RangeError);
    expect(() => decay(-1)).toThrow(RangeError);
  });
});

// Entities a..f; centrality sums to 1; communities {a, b, c} = 0, {d, e} = 1, {f} = 2.
const index = EntityIndex.fromKeys(['a', 'b', 'c', 'd', 'e', 'f']);
const centrality = Float64Array.from([0.3, 0.2, 0.1, 0.2, 0.15, 0.05]);
const community = Int32Array.from([0, 0, 0, 1, 1, 2]);
const labeled = index.packItems([['a', 'b'], ['a'], ['d', 'a', 'd']]); // n(a) = 3, n(b) = 1, n(d) = 1
const pool = index.packItems([['a', 'c'], ['c', 'e', 'f'], ['b', 'd'], [], ['unknown']]);
const linear = { kind: 'linear', tau: 2 } as const;

describe('coverage, gaps and gains', () => {
  const counts = coverageCounts(index.size, labeled);
  const gaps = entityGaps(centrality, counts, linear);

  it('counts labeled items per entity, once per item', () => {
    expect(Array.from(counts)).toEqual([3, 1, 0, 1, 0, 0]);
  });

  it('gap(e) = c(e) · decay(n(e))', () => {
    // decay: a 3 -> 0, b 1 -> 0.5, c 0 -> 1, d 1 -> 0.5, e -> 1, f -> 1
    expect(Array.from(gaps)).toEqual([0, 0.1, 0.1, 0.1, 0.15, 0.05]);
    expect(Array.from(topGaps(gaps, 3))).toEqual([4, 1, 2]);
  });

  it('G(x) sums the gaps of the item’s entities', () => {
    const expected = [0 + 0.1, 0.1 + 0.15 + 0.05, 0.1 + 0.1, 0, 0];
    const all = itemGains(pool, gaps);
    expected.forEach((g, i) => {
      expect(all[i]).toBeCloseTo(g, 15);
      expect(itemGain(pool, i, gaps)).toBeCloseTo(g, 15);
    });
  });

  it('community mass, coverage share, gap and the item community term', () => {
    const c = communityCoverage(centrality, counts, community, linear);
    expect(c.count).toBe(3);
    expect(Array.from(c.entities)).toEqual([3, 2, 1]);
    expect(Array.from(c.coveredEntities)).toEqual([2, 1, 0]);
    expect(c.mass[0]).toBeCloseTo(0.6, 15);
    expect(c.coveredMass[0]).toBeCloseTo(0.5, 15);
    expect(c.gap[0]).toBeCloseTo(0.2, 15); // b 0.1 + c 0.1
    expect(c.gap[1]).toBeCloseTo(0.25, 15); // d 0.1 + e 0.15
    expect(c.gap[2]).toBeCloseTo(0.05, 15);
    expect(c.share[0]).toBeCloseTo(1 - 0.2 / 0.6, 15);
    expect(c.share[2]).toBe(0);
    // T(x): item 0 touches community 0 twice -> counted once; item 1 touches 0, 1, 2.
    expect(itemCommunityTerm(pool, 0, community, c.gap)).toBeCloseTo(0.2, 15);
    expect(itemCommunityTerm(pool, 1, community, c.gap)).toBeCloseTo(0.5, 15);
    expect(Array.from(itemCommunityTerms(pool, community, c.gap)).map((t) => +t.toFixed(12))).toEqual([0.2, 0.5, 0.45, 0, 0]);
  });

  it('with linear decay and tau = 1 the community share is the binary covered share', () => {
    const binary = communityCoverage(centrality, counts, community, { kind: 'linear', tau: 1 });
    for (let k = 0; k < binary.count; k++) expect(binary.share[k]).toBeCloseTo(binary.coveredMass[k]! / binary.mass[k]!, 15);
  });

  it('aggregate figures', () => {
    const s = coverageSummary(centrality, counts, linear);
    expect(s.entities).toBe(6);
    expect(s.coveredEntities).toBe(3);
    expect(s.entityShare).toBe(0.5);
    expect(s.totalMass).toBeCloseTo(1, 15);
    expect(s.coveredMass).toBeCloseTo(0.7, 15);
    expect(s.massShare).toBeCloseTo(0.7, 15);
    expect(s.remainingGap).toBeCloseTo(0.5, 15);
    expect(s.gapShare).toBeCloseTo(0.5, 15);
    const none = coverageSummary(centrality, new Int32Array(6));
    expect(none).toMatchObject({ coveredEntities: 0, entityShare: 0, coveredMass: 0, massShare: 0, gapShare: 1 });
  });
});

describe('CoverageTracker', () => {
  it('after each cover, gains and community gaps equal a recomputation from scratch', () => {
    const random = seededRandom(5);
    const n = 50;
    const c = new Float64Array(n).map(() => random());
    const total = c.reduce((a, b) => a + b, 0);
    c.forEach((v, i) => (c[i] = v / total));
    const comm = Int32Array.from({ length: n }, () => Math.floor(random() * 4));
    const items = packItemIds(Array.from({ length: 40 }, () => Array.from({ length: 1 + Math.floor(random() * 6) }, () => Math.floor(random() * n))));
    const labeledNow = packItemIds([[0, 1, 2]]);
    const fn = { kind: 'exponential', tau: 1.5 } as const;
    const tracker = new CoverageTracker(c, { decay: fn, counts: coverageCounts(n, labeledNow), community: comm });
    const picked: number[][] = [[0, 1, 2]];
    for (const pick of [3, 17, 3, 25]) {
      const before = tracker.gain(items, pick);
      tracker.cover(items, pick);
      picked.push(Array.from(items.entities.subarray(items.offsets[pick], items.offsets[pick + 1])));
      const counts = coverageCounts(n, packItemIds(picked));
      expect(Array.from(tracker.counts)).toEqual(Array.from(counts));
      const gaps = entityGaps(c, counts, fn);
      for (let e = 0; e < n; e++) expect(tracker.gaps[e]).toBeCloseTo(gaps[e]!, 14);
      const cc = communityCoverage(c, counts, comm, fn);
      for (let k = 0; k < cc.count; k++) expect(tracker.communityGaps[k]).toBeCloseTo(cc.gap[k]!, 14);
      for (let i = 0; i < items.count; i++) {
        expect(tracker.gain(items, i)).toBeCloseTo(itemGain(items, i, gaps), 14);
        expect(tracker.communityTerm(items, i)).toBeCloseTo(itemCommunityTerm(items, i, comm, cc.gap), 14);
      }
      expect(tracker.gain(items, pick)).toBeLessThan(before); // diminishing returns
      expect(tracker.summary()).toEqual(coverageSummary(c, counts, fn));
    }
  });

  it('measures gaps in the given entity weights, entity and community alike, while its summary stays in centrality mass', () => {
    const random = seededRandom(11);
    const n = 30;
    const c = new Float64Array(n).map(() => random() ** 4); // a few hubs, many leaves
    const total = c.reduce((a, b) => a + b, 0);
    c.forEach((v, i) => (c[i] = v / total));
    const comm = Int32Array.from({ length: n }, (_, e) => e % 3);
    const weights = entityWeights(c, 0.5);
    const items = packItemIds(Array.from({ length: 20 }, () => Array.from({ length: 1 + Math.floor(random() * 4) }, () => Math.floor(random() * n))));
    const fn = { kind: 'exponential', tau: 0.5 } as const;
    const tracker = new CoverageTracker(c, { decay: fn, counts: coverageCounts(n, packItemIds([[0, 1]])), community: comm, weights });
    const picked: number[][] = [[0, 1]];
    for (const pick of [4, 9, 4]) {
      tracker.cover(items, pick);
      picked.push(Array.from(items.entities.subarray(items.offsets[pick], items.offsets[pick + 1])));
      const counts = coverageCounts(n, packItemIds(picked));
      const gaps = entityGaps(weights, counts, fn);
      for (let e = 0; e < n; e++) expect(tracker.gaps[e]).toBeCloseTo(gaps[e]!, 14);
      const cc = communityCoverage(weights, counts, comm, fn);
      for (let k = 0; k < cc.count; k++) expect(tracker.communityGaps[k]).toBeCloseTo(cc.gap[k]!, 14);
      expect(tracker.summary()).toEqual(coverageSummary(c, counts, fn));
    }
    expect(() => new CoverageTracker(c, { weights: new Float64Array(n - 1) })).toThrow(RangeError);
  });

  it('scores 100k items x 5 entities (speed: scripts/bench-graph.ts, not a test)', () => {
    const random = seededRandom(9);
    const n = 100_000;
    const c = new Float64Array(n).fill(1 / n);
    const lists = Array.from({ length: 100_000 }, () => Array.from({ length: 5 }, () => Math.floor(random() * n)));
    const items = packItemIds(lists);
    const gaps = entityGaps(c, new Int32Array(n));
    const gains = itemGains(items, gaps);
    // With every entity uncovered, G(x) = (distinct entities of x) / n.
    for (const i of [0, 1, 99_999]) expect(gains[i]).toBeCloseTo(new Set(lists[i]).size / n, 15);
  });
});

describe('entityWeights', () => {
  const hubAndLeaves = Float64Array.from([0.91, 0.03, 0.03, 0.03]);

  it('blends centrality with an even share: u = 0 is the centrality, u = 1 counts each entity the same, and the weights sum to 1', () => {
    expect(Array.from(entityWeights(hubAndLeaves, 0))).toEqual(Array.from(hubAndLeaves));
    for (const w of entityWeights(hubAndLeaves, 1)) expect(w).toBeCloseTo(0.25, 15);
    const half = entityWeights(hubAndLeaves, 0.5);
    expect(half[0]).toBeCloseTo(0.5 * 0.91 + 0.125, 15);
    expect(half[1]).toBeCloseTo(0.5 * 0.03 + 0.125, 15);
    expect(half.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    expect(entityWeights(new Float64Array(0), 0.5).length).toBe(0);
    expect(() => entityWeights(hubAndLeaves, 1.5)).toThrow(RangeError);
    expect(() => entityWeights(hubAndLeaves, -0.1)).toThrow(RangeError);
  });

  it('with half the weight even, an unlabeled leaf outweighs a second mention of a hub that centrality alone prefers', () => {
    const fn = { kind: 'exponential', tau: 0.5 } as const;
    const items = packItemIds([[0], [1]]); // item 0 mentions the hub (labeled once already), item 1 a leaf nobody labeled
    const counts = Int32Array.from([1, 0, 0, 0]);
    const byCentrality = new CoverageTracker(hubAndLeaves, { decay: fn, counts });
    expect(byCentrality.gain(items, 0)).toBeGreaterThan(byCentrality.gain(items, 1));
    const blended = new CoverageTracker(hubAndLeaves, { decay: fn, counts, weights: entityWeights(hubAndLeaves, 0.5) });
    expect(blended.gain(items, 1)).toBeGreaterThan(blended.gain(items, 0));
  });
});
