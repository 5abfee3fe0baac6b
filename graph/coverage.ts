/**
 * Knowledge coverage of the labeled set, over entity ids (graph/entity-index.ts):
 *
 *   n(e)        number of labeled items that mention entity e (an item counts once per entity)
 *   c(e)        centrality, normalised to sum 1 over all entities (graph/centrality.ts)
 *   decay(n)    linear: max(0, 1 - n/τ); exponential: exp(-n/τ). decay(0) = 1, non-increasing, -> 0
 *   gap(e)      c(e) · decay(n(e)): the centrality mass of e not yet covered
 *               (a CoverageTracker may measure gaps in other entity weights w(e) instead of c(e), e.g.
 *               entityWeights' blend of centrality and an even share: then gap(e) = w(e) · decay(n(e)))
 *   G(x)        Σ_{e ∈ entities(x)} gap(e): the coverage gain of labeling item x (distinct entities)
 *
 * Community term (regions of the graph, Louvain communities k):
 *   mass(k)     Σ_{e ∈ k} c(e)
 *   gap(k)      Σ_{e ∈ k} gap(e) = mass(k) · (1 - share(k)), share(k) = 1 - gap(k)/mass(k) the decay-weighted
 *               covered share of the community (equal to the binary share when decay is linear with τ = 1)
 *   T(x)        Σ_{k ∈ communities(x)} gap(k), each distinct community of x's entities once: a bonus for items in
 *               communities with much uncovered centrality mass. It is on a coarser (larger) scale than G(x):
 *               normalise both over the candidates before combining them.
 *
 * Aggregate figures (coverageSummary): share of entities covered (n >= 1), share of centrality mass covered
 * (Σ c over n >= 1), and the remaining gap Σ gap(e) (= 1 - decay-weighted covered mass).
 *
 * Both G and T only decrease as counts grow, so lazy greedy evaluation stays valid; Σ_e c(e)(1 - decay(n(e)))
 * is monotone submodular in the labeled set (concave in each count), so greedy on G has the 1 - 1/e guarantee.
 */
import { type ItemEntityLists, itemEntityIds } from './entity-index.js';

export type DecayKind = 'linear' | 'exponential';

export interface DecayFunction {
  kind: DecayKind;
  /** > 0. Linear: the count at which an entity is fully covered. Exponential: the count that leaves 1/e of the gap. */
  tau: number;
}

export const DEFAULT_DECAY: DecayFunction = { kind: 'exponential', tau: 1 };

/** decay(n): 1 at n = 0, non-increasing, 0 in the limit (linear: 0 from n = τ on). */
export function decay(count: number, fn: DecayFunction = DEFAULT_DECAY): number {
  if (!(fn.tau > 0)) throw new RangeError(`decay tau must be > 0, got ${fn.tau}`);
  if (!(count >= 0)) throw new RangeError(`coverage count must be >= 0, got ${count}`);
  switch (fn.kind) {
    case 'linear':
      return Math.max(0, 1 - count / fn.tau);
    case 'exponential':
      return Math.exp(-count / fn.tau);
    default:
      throw new RangeError(`unknown decay kind ${String((fn as DecayFunction).kind)}`);
  }
}

/**
 * w(e) = (1 − u) · c(e) + u / |E|: a share u of the weight spread evenly over the entities, the rest by
 * centrality, so every entity counts and central ones count more (u = 0: the centrality itself; u = 1: each
 * distinct entity the same). Sums to 1 like c.
 */
export function entityWeights(centrality: Float64Array, uniformShare: number): Float64Array {
  if (!(uniformShare >= 0 && uniformShare <= 1)) throw new RangeError(`uniform share must be in [0, 1], got ${uniformShare}`);
  const even = centrality.length > 0 ? uniformShare / centrality.length : 0;
  const weights = new Float64Array(centrality.length);
  for (let e = 0; e < weights.length; e++) weights[e] = (1 - uniformShare) * centrality[e]! + even;
  return weights;
}

/** n(e) for every entity id in [0, entityCount): how many of the given (labeled) items mention it. */
export function coverageCounts(entityCount: number, labeled: ItemEntityLists): Int32Array {
  const counts = new Int32Array(entityCount);
  const { entities } = labeled;
  for (let p = 0; p < entities.length; p++) counts[entities[p]!]!++;
  return counts;
}

/** gap(e) = c(e) · decay(n(e)) for every entity. */
export function entityGaps(centrality: Float64Array, counts: ArrayLike<number>, fn: DecayFunction = DEFAULT_DECAY): Float64Array {
  checkLengths(centrality, counts);
  const gaps = new Float64Array(centrality.length);
  for (let e = 0; e < gaps.length; e++) gaps[e] = centrality[e]! * decay(counts[e]!, fn);
  return gaps;
}

/** G(x) for one item. */
export function itemGain(items: ItemEntityLists, item: number, gaps: Float64Array): number {
  const { offsets, entities } = items;
  let g = 0;
  for (let p = offsets[item]!, end = offsets[item + 1]!; p < end; p++) g += gaps[entities[p]!]!;
  return g;
}

/** G(x) for every item (writes into `out` when given). */
export function itemGains(items: ItemEntityLists, gaps: Float64Array, out = new Float64Array(items.count)): Float64Array {
  const { offsets, entities } = items;
  for (let i = 0; i < items.count; i++) {
    let g = 0;
    for (let p = offsets[i]!, end = offsets[i + 1]!; p < end; p++) g += gaps[entities[p]!]!;
    out[i] = g;
  }
  return out;
}

export interface CommunityCoverage {
  /** Number of communities (ids 0..count-1). */
  count: number;
  /** Entities per community. */
  entities: Int32Array;
  /** Entities with n >= 1 per community. */
  coveredEntities: Int32Array;
  /** mass(k) = Σ c(e). */
  mass: Float64Array;
  /** Σ c(e) over entities with n >= 1 (binary coverage). */
  coveredMass: Float64Array;
  /** gap(k) = Σ gap(e) = mass(k) · (1 - share(k)). */
  gap: Float64Array;
  /** share(k) = 1 - gap(k) / mass(k), decay-weighted (1 for a community with zero mass). */
  share: Float64Array;
}

/** Per-community mass, coverage and gap (see the module comment). */
export function communityCoverage(
  centrality: Float64Array,
  counts: ArrayLike<number>,
  community: Int32Array,
  fn: DecayFunction = DEFAULT_DECAY,
): CommunityCoverage {
  checkLengths(centrality, counts);
  checkLengths(centrality, community);
  let count = 0;
  for (let e = 0; e < community.length; e++) count = Math.max(count, community[e]! + 1);
  const result: CommunityCoverage = {
    count,
    entities: new Int32Array(count),
    coveredEntities: new Int32Array(count),
    mass: new Float64Array(count),
    coveredMass: new Float64Array(count),
    gap: new Float64Array(count),
    share: new Float64Array(count),
  };
  for (let e = 0; e < centrality.length; e++) {
    const k = community[e]!;
    const c = centrality[e]!;
    const n = counts[e]!;
    result.entities[k]!++;
    result.mass[k]! += c;
    result.gap[k]! += c * decay(n, fn);
    if (n >= 1) {
      result.coveredEntities[k]!++;
      result.coveredMass[k]! += c;
    }
  }
  for (let k = 0; k < count; k++) result.share[k] = result.mass[k]! > 0 ? 1 - result.gap[k]! / result.mass[k]! : 1;
  return result;
}

/** T(x) for one item: Σ of gap(k) over the distinct communities of its entities. */
export function itemCommunityTerm(items: ItemEntityLists, item: number, community: Int32Array, communityGaps: Float64Array): number {
  const { offsets, entities } = items;
  const start = offsets[item]!;
  const end = offsets[item + 1]!;
  let t = 0;
  for (let p = start; p < end; p++) {
    const k = community[entities[p]!]!;
    let repeated = false;
    for (let q = start; q < p; q++) {
      if (community[entities[q]!] === k) {
        repeated = true;
        break;
      }
    }
    if (!repeated) t += communityGaps[k]!;
  }
  return t;
}

/** T(x) for every item. */
export function itemCommunityTerms(
  items: ItemEntityLists,
  community: Int32Array,
  communityGaps: Float64Array,
  out = new Float64Array(items.count),
): Float64Array {
  for (let i = 0; i < items.count; i++) out[i] = itemCommunityTerm(items, i, community, communityGaps);
  return out;
}

export interface CoverageSummary {
  entities: number;
  /** Entities with n(e) >= 1. */
  coveredEntities: number;
  /** coveredEntities / entities (0 when there are none). */
  entityShare: number;
  /** Σ c(e) (1 for normalised centrality). */
  totalMass: number;
  /** Σ c(e) over entities with n(e) >= 1. */
  coveredMass: number;
  /** coveredMass / totalMass: the share of centrality mass covered. */
  massShare: number;
  /** Σ gap(e): centrality mass still uncovered after decay. */
  remainingGap: number;
  /** remainingGap / totalMass. */
  gapShare: number;
}

/** Aggregate coverage of the labeled set (see the module comment). */
export function coverageSummary(centrality: Float64Array, counts: ArrayLike<number>, fn: DecayFunction = DEFAULT_DECAY): CoverageSummary {
  checkLengths(centrality, counts);
  const entities = centrality.length;
  let coveredEntities = 0;
  let totalMass = 0;
  let coveredMass = 0;
  let remainingGap = 0;
  for (let e = 0; e < entities; e++) {
    const c = centrality[e]!;
    const n = counts[e]!;
    totalMass += c;
    remainingGap += c * decay(n, fn);
    if (n >= 1) {
      coveredEntities++;
      coveredMass += c;
    }
  }
  return {
    entities,
    coveredEntities,
    entityShare: entities > 0 ? coveredEntities / entities : 0,
    totalMass,
    coveredMass,
    massShare: totalMass > 0 ? coveredMass / totalMass : 0,
    remainingGap,
    gapShare: totalMass > 0 ? remainingGap / totalMass : 0,
  };
}

/** Ids of the `k` entities with the largest gap (ties: smaller id first), largest first. */
export function topGaps(gaps: Float64Array, k: number): Int32Array {
  const ids = Array.from({ length: gaps.length }, (_, i) => i);
  ids.sort((a, b) => gaps[b]! - gaps[a]! || a - b);
  return Int32Array.from(ids.slice(0, Math.max(0, k)));
}

export interface CoverageTrackerOptions {
  decay?: DecayFunction;
  /** Initial n(e) (e.g. coverageCounts of the labeled set); zeros when omitted. Copied. */
  counts?: ArrayLike<number>;
  /** Community id per entity, to maintain gap(k) and answer communityTerm. */
  community?: Int32Array;
  /** What the gaps (entity and community) are measured in, one weight per entity (default: the centrality; see entityWeights). */
  weights?: Float64Array;
}

/**
 * Mutable coverage state for greedy batch selection: after `cover(items, i)` the picked item's entities
 * count as covered once more (n(e) + 1) and gap(e), gap(k) are updated in O(|entities(x)|), so the next
 * `gain` / `communityTerm` reflect the batch so far.
 */
export class CoverageTracker {
  readonly decay: DecayFunction;
  readonly counts: Int32Array;
  readonly gaps: Float64Array;
  readonly community: Int32Array | undefined;
  /** w(e), what gap(e) = w(e) · decay(n(e)) is measured in: the centrality unless the options gave other weights. */
  readonly weights: Float64Array;
  /** gap(k) per community (empty without `community`). */
  readonly communityGaps: Float64Array;

  constructor(
    readonly centrality: Float64Array,
    options: CoverageTrackerOptions = {},
  ) {
    this.decay = options.decay ?? DEFAULT_DECAY;
    decay(0, this.decay); // validates tau
    this.counts = new Int32Array(centrality.length);
    if (options.counts) {
      checkLengths(centrality, options.counts);
      for (let e = 0; e < centrality.length; e++) this.counts[e] = options.counts[e]!;
    }
    this.weights = options.weights ?? centrality;
    checkLengths(centrality, this.weights);
    this.gaps = entityGaps(this.weights, this.counts, this.decay);
    this.community = options.community;
    if (this.community) {
      checkLengths(centrality, this.community);
      this.communityGaps = communityCoverage(this.weights, this.counts, this.community, this.decay).gap;
    } else {
      this.communityGaps = new Float64Array(0);
    }
  }

  gain(items: ItemEntityLists, item: number): number {
    return itemGain(items, item, this.gaps);
  }

  communityTerm(items: ItemEntityLists, item: number): number {
    if (!this.community) throw new Error('CoverageTracker was built without communities');
    return itemCommunityTerm(items, item, this.community, this.communityGaps);
  }

  /** Counts item `item`'s entities as covered once more. */
  cover(items: ItemEntityLists, item: number): void {
    this.coverEntities(itemEntityIds(items, item));
  }

  /** Counts each listed entity id as covered once more (pass each entity once per item). */
  coverEntities(ids: ArrayLike<number>): void {
    for (let p = 0; p < ids.length; p++) {
      const e = ids[p]!;
      const before = this.gaps[e]!;
      const after = this.weights[e]! * decay(++this.counts[e]!, this.decay);
      this.gaps[e] = after;
      if (this.community) {
        const k = this.community[e]!;
        this.communityGaps[k] = Math.max(0, this.communityGaps[k]! - (before - after));
      }
    }
  }

  /** The labeled set's coverage of centrality mass (coverageSummary), whatever weights the gaps are measured in. */
  summary(): CoverageSummary {
    return coverageSummary(this.centrality, this.counts, this.decay);
  }
}

function checkLengths(a: ArrayLike<unknown>, b: ArrayLike<unknown>): void {
  if (a.length !== b.length) throw new RangeError(`length mismatch: ${a.length} entities vs ${b.length}`);
}
