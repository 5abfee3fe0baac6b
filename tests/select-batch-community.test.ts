import { describe, expect, it } from 'vitest';
import { CoverageTracker } from '../graph/coverage.js';
import { packItemIds } from '../graph/entity-index.js';
import { selectBatch } from '../src/selector/select-batch.js';

/**
 * The under-covered-community term sums whole communities' gaps, so it is orders of magnitude larger than
 * one item's entity gain; added unscaled it decided every pick (found in the simulations). It must only
 * break ties between items of similar entity gain.
 */
describe('coverage gain: the community term is scaled onto the entity gain', () => {
  // Entity 0: central, alone in community 1. Entities 1..100: community 0 (large, 0.94 of the mass).
  // Entity 101: as central as each of 1..100, alone in community 2.
  const centrality = new Float64Array(102);
  const community = new Int32Array(102);
  centrality[0] = 0.05;
  community[0] = 1;
  for (let e = 1; e <= 100; e += 1) centrality[e] = 0.0094;
  centrality[101] = 0.0094;
  community[101] = 2;
  const candidates = { ids: ['x', 'y', 'w'], entities: packItemIds([[0], [1], [101]]) };
  const weights = { uncertainty: 0, coverage: 1, density: 0, diversity: 0 };

  it('the item with the largest entity gain wins, not the one in the largest community', () => {
    const coverage = new CoverageTracker(centrality, { community });
    // Unscaled (the bug): y's community term 0.94 × 0.1 outweighs x's larger entity gain.
    expect(coverage.gain(candidates.entities, 1) + 0.1 * coverage.communityTerm(candidates.entities, 1)).toBeGreaterThan(
      coverage.gain(candidates.entities, 0) + 0.1 * coverage.communityTerm(candidates.entities, 0),
    );
    const { picks } = selectBatch(candidates, { weights, batchSize: 1, coverage });
    expect(picks.map((p) => p.id)).toEqual(['x']);
  });

  it('between equal entity gains, the under-covered community breaks the tie', () => {
    const { picks } = selectBatch(candidates, { weights, batchSize: 3, coverage: new CoverageTracker(centrality, { community }) });
    expect(picks.map((p) => p.id)).toEqual(['x', 'y', 'w']);
    expect(picks[1]!.components.coverage!.raw).toBeGreaterThan(picks[2]!.components.coverage!.raw);
  });
});
