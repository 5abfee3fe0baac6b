import type { ItemEntityLists } from '../../graph/entity-index.js';
import { itemCommunityTerms, itemGains, type CoverageTracker } from '../../graph/coverage.js';
import type { Matrix } from '../model/matrix.js';
import { lazyGreedy, type GreedyObjective } from './lazy-greedy.js';
import { topK } from './top-k.js';
import type { ComponentWeights } from './presets.js';
import type { ComponentValues } from './uncertainty-component.js';

export interface BatchCandidates {
  /** Candidate item ids (unlabeled, not leased). */
  ids: readonly string[];
  /** Unit-length embeddings; without them the diversity penalty is off. */
  embeddings?: Matrix<Float32Array>;
  /** Row of `embeddings` for each candidate (default: row i for candidate i), so the pool's matrix is shared, not copied. */
  rows?: Int32Array;
  /** Entity ids each candidate mentions. */
  entities: ItemEntityLists;
}

export interface SelectBatchOptions {
  weights: ComponentWeights;
  batchSize: number;
  uncertainty?: ComponentValues;
  density?: ComponentValues;
  /** Coverage state at the start of the batch (labeled items counted); it is advanced as items are picked. */
  coverage: CoverageTracker;
  /** Weight of the under-covered-community term inside the coverage gain, relative to the entity gain (default 0.1). */
  communityWeight?: number;
  /**
   * Each candidate's largest cosine similarity to the labeled items: the diversity penalty then counts the
   * labeled set as well as the batch (k-center's distance to everything already chosen). Default: the batch only.
   */
  labeledSimilarity?: Float64Array;
}

export interface ComponentReport {
  raw: number;
  normalized: number;
}

export interface EntityReport {
  entity: number;
  centrality: number;
  /** n(e): labeled items plus items picked earlier in this batch, before this pick. */
  coverageBefore: number;
  gapBefore: number;
  community?: number;
}

export interface BatchPick {
  candidate: number;
  id: string;
  rank: number;
  score: number;
  components: {
    uncertainty?: ComponentReport;
    coverage: ComponentReport;
    density?: ComponentReport;
    /** Largest cosine similarity to an item picked earlier in the batch (and to the labeled items when given; penalised). */
    diversity?: ComponentReport;
  };
  entities: EntityReport[];
}

export interface BatchResult {
  picks: BatchPick[];
  evaluations: number;
}

/**
 * Greedy batch selection with lazy evaluation. Each pick's entities count as covered for the next picks
 * (their gaps shrink) and its embedding penalises similar candidates, so the batch fills different gaps.
 * Coverage gain is normalised by the largest gain at the start of the batch (a fixed denominator keeps
 * marginal scores non-increasing, which lazy evaluation needs).
 */
export function selectBatch(candidates: BatchCandidates, options: SelectBatchOptions): BatchResult {
  const { weights, coverage } = options;
  const items = candidates.entities;
  const communityWeight = coverage.community ? (options.communityWeight ?? 0.1) : 0;
  // The community term T sums whole communities' gaps, orders of magnitude above an item's entity gain G
  // (graph/coverage.ts): added as is, it drowned G and every pick came from the largest community (the
  // simulations, docs/simulation.md). T is rescaled onto G's scale (largest T among the candidates at the
  // start of the batch = largest G), so `communityWeight` is its weight relative to G.
  // G and T of every candidate at the start of the batch, computed once: the normalisers below and the
  // greedy's first bounds read them (after the first pick `rawCoverage` recomputes against the tracker).
  const startGain = itemGains(items, coverage.gaps);
  const startTerm = communityWeight > 0 ? itemCommunityTerms(items, coverage.community!, coverage.communityGaps) : undefined;
  let maxGain = 0;
  let maxTerm = 0;
  for (let i = 0; i < items.count; i += 1) {
    maxGain = Math.max(maxGain, startGain[i]!);
    if (startTerm) maxTerm = Math.max(maxTerm, startTerm[i]!);
  }
  const termScale = communityWeight > 0 && maxTerm > 0 ? (communityWeight * maxGain) / maxTerm : 0;
  let maxCoverage = 0;
  for (let i = 0; i < items.count; i += 1) maxCoverage = Math.max(maxCoverage, startGain[i]! + (termScale > 0 ? termScale * startTerm![i]! : 0));
  const coverageScale = maxCoverage > 0 ? 1 / maxCoverage : 0;
  const picked: number[] = [];
  const rawCoverage = (i: number): number =>
    picked.length === 0
      ? startGain[i]! + (termScale > 0 ? termScale * startTerm![i]! : 0)
      : coverage.gain(items, i) + (termScale > 0 ? termScale * coverage.communityTerm(items, i) : 0);

  const embeddings = candidates.embeddings;
  const rowOfCandidate = (i: number): number => candidates.rows?.[i] ?? i;
  const useDiversity = weights.diversity > 0 && embeddings !== undefined;
  // maxSim[i] over the labeled items and picked[0 .. simChecked[i]), extended lazily when i is evaluated
  // (floored at 0: dissimilar and unrelated items are penalised alike).
  const maxSim = new Float64Array(items.count);
  if (useDiversity && options.labeledSimilarity) for (let i = 0; i < items.count; i += 1) maxSim[i] = Math.max(0, options.labeledSimilarity[i]!);
  const simChecked = new Int32Array(items.count);
  const similarity = (i: number): number => {
    if (!useDiversity) return 0;
    const { data, cols } = embeddings;
    const a = rowOfCandidate(i) * cols;
    let max = maxSim[i]!;
    for (let p = simChecked[i]!; p < picked.length; p += 1) {
      const b = rowOfCandidate(picked[p]!) * cols;
      let dot = 0;
      for (let d = 0; d < cols; d += 1) dot += data[a + d]! * data[b + d]!;
      if (dot > max) max = dot;
    }
    maxSim[i] = max;
    simChecked[i] = picked.length;
    return max;
  };

  const staticScore = new Float64Array(items.count);
  for (let i = 0; i < items.count; i += 1) {
    staticScore[i] =
      weights.uncertainty * (options.uncertainty?.normalized[i] ?? 0) + weights.density * (options.density?.normalized[i] ?? 0);
  }
  const marginal = (i: number): number =>
    staticScore[i]! + weights.coverage * rawCoverage(i) * coverageScale - weights.diversity * similarity(i);

  const explained: BatchPick[] = [];
  const objective: GreedyObjective = {
    count: items.count,
    marginal,
    commit(i) {
      const raw = rawCoverage(i);
      const pick: BatchPick = {
        candidate: i,
        id: candidates.ids[i]!,
        rank: explained.length + 1,
        score: marginal(i),
        components: { coverage: { raw, normalized: raw * coverageScale } },
        entities: entityReports(items, i, coverage),
      };
      if (options.uncertainty) pick.components.uncertainty = report(options.uncertainty, i);
      if (options.density) pick.components.density = report(options.density, i);
      if (useDiversity) pick.components.diversity = { raw: similarity(i), normalized: Math.max(0, similarity(i)) };
      explained.push(pick);
      coverage.cover(items, i);
      picked.push(i);
    },
  };
  if (weights.coverage === 0 && !useDiversity) {
    // Nothing depends on earlier picks (uncertainty and density only): the greedy order is the top k.
    for (const i of topK(staticScore, options.batchSize)) objective.commit(i);
    return { picks: explained, evaluations: items.count };
  }
  const { evaluations } = lazyGreedy(objective, options.batchSize);
  return { picks: explained, evaluations };
}

function report(values: ComponentValues, i: number): ComponentReport {
  return { raw: values.raw[i]!, normalized: values.normalized[i]! };
}

function entityReports(items: ItemEntityLists, i: number, coverage: CoverageTracker): EntityReport[] {
  const reports: EntityReport[] = [];
  for (let p = items.offsets[i]!, end = items.offsets[i + 1]!; p < end; p += 1) {
    const e = items.entities[p]!;
    const entry: EntityReport = { entity: e, centrality: coverage.centrality[e]!, coverageBefore: coverage.counts[e]!, gapBefore: coverage.gaps[e]! };
    if (coverage.community) entry.community = coverage.community[e]!;
    reports.push(entry);
  }
  return reports.sort((a, b) => b.gapBefore - a.gapBefore);
}
