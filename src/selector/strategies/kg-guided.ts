/**
 * `kg-guided`, the default: uncertainty first, knowledge chooses among the uncertain, as far as the labels
 * show that knowledge pays.
 *
 * 1. Evidence. `entityLabelSignal` (src/strategies/entity-label-signal.ts) measures on the labeled items how
 *    much the entities a text mentions tell about its label, chance-corrected and shrunk while evidence is
 *    thin: s ∈ [0, 1]. What it earns: e = min(1, max(0, (s − threshold) / ramp)).
 * 2. Shortlist. Only the `f × B` most uncertain candidates (margin) can be picked, f = min + (max − min)·e:
 *    the batch itself (f = 1: margin's picks, ordered by what they fill) where entities say little about
 *    labels (intents, news: s ≤ 0.36 on ours) or nothing is known yet, up to thirty times the batch where
 *    they say much (WebNLG's DBpedia categories: s ≈ 0.5–0.75), so knowledge has room to choose only where
 *    it has earned it, and all of it once it has. The earned room is at most 12 % of the candidates (never
 *    fewer than B), so on a small pool the choice stays among the uncertain.
 * 3. Choice among the shortlist (Cluster-Margin's shape, Citovsky et al. 2021): lazy greedy over uncertainty +
 *    coverage gain of uncovered entities (weighed half by centrality, half evenly) − similarity to the
 *    labeled items and the batch. The knowledge term may tilt the batch towards texts that mention entities,
 *    but entity-free candidates get at least half their share of the shortlist, so it can never starve texts
 *    that mention no entity.
 * `shortlist: 0` turns the uncertainty-first part off: the same weighted sum over the whole pool (the most
 * knowledge per label, at an accuracy cost on pools where entities carry little label signal; kgal ≤ 0.1's
 * kg-guided with its weights, uncertainty 0.5, coverage 0.4, density 0.1, diversity 0.2).
 * Cold start (no model yet): coverage + density + diversity over the whole pool.
 *
 * docs/selector.md explains the design and docs/simulation.md what each part moved on every pool.
 */
import type { DecayFunction } from '../../../graph/coverage.js';
import { selectItems } from '../../../graph/entity-index.js';
import { entityLabelSignal } from '../../strategies/entity-label-signal.js';
import { maxSimilarity } from '../../strategies/similarity.js';
import { PRESET_DEFINITIONS, type ComponentWeights } from '../presets.js';
import { selectBatch, type BatchPick } from '../select-batch.js';
import type { KnowledgeRoom, RoundContext, SelectionStrategy, StrategyRun } from '../strategy.js';
import { topK } from '../top-k.js';
import { chooseWeighted } from './weighted-preset.js';
import { gatherComponent } from '../uncertainty-component.js';

export interface KgGuidedOptions {
  /** Shortlist factor f with no evidence (e = 0) and with full evidence (e = 1). */
  shortlist: { min: number; max: number };
  /**
   * The earned room (f × B candidates) is at most this share of the candidates, and never below the batch,
   * so the choice stays among the uncertain on a small pool (a caller's fixed `shortlist` is not capped).
   */
  maxShortlistShare: number;
  /** Evidence s at or below this earns no room for knowledge. */
  evidenceThreshold: number;
  /** How far above the threshold s must be for the full room (`shortlist.max`); room grows linearly in between. */
  evidenceRamp: number;
  /** Component weights (among the shortlist; over the whole pool with `shortlist: 0`). */
  weights: ComponentWeights;
  /**
   * How much of an entity's gap one labeled mention closes, for the coverage term's choice among the shortlist
   * (a query's own decay wins; cold start and `shortlist: 0` choose over the whole pool with the query's decay).
   */
  decay: DecayFunction;
  /**
   * Share of an entity's weight in the coverage term spread evenly over the entities rather than by
   * centrality, w(e) = (1 − u)·c(e) + u/|E| (graph/coverage.ts, entityWeights): 0 weighs entities by
   * centrality alone, 1 counts each distinct entity the same.
   */
  uniformShare: number;
}

export const KG_GUIDED_DEFAULTS: KgGuidedOptions = {
  // No evidence yet, or entities that say little about labels: the batch is margin's (f = 1). Even 2 × B
  // cost Banking77 1–2 pt final accuracy over three repeats (docs/simulation.md). Where entities explain
  // labels, 30 × B bought WebNLG about 10 pt more gold entities than margin at margin's accuracy; 10 × B
  // earned gradually (threshold 0.5, ramp 0.5) gave the knowledge term too little room, too late (4 pt).
  shortlist: { min: 1, max: 30 },
  // 30 × B was 11 % of WebNLG's pool of 13,211 and kept margin's accuracy; 40 × B (15 %) did not. On a pool
  // of 1,333 (WebNLG dev, batch 25) the uncapped 30 × B is 56 % of it: kg-guided lost 2.4 pt AULC and 4.6 pt
  // final accuracy to margin. Capped at 5–15 % it is at or above margin's AULC there, within 1.2 pt of its
  // final accuracy, and at 12 % the room on WebNLG's full pool is as before until its last rounds (1,465
  // instead of 1,500 candidates at 1,000 labels; docs/simulation.md).
  maxShortlistShare: 0.12,
  // Banking77 stays at s ≤ 0.27 and AG News at s ≤ 0.36 (every round of 3 repeats); WebNLG passes 0.5 after about 100 labels.
  evidenceThreshold: 0.4,
  evidenceRamp: 0.1,
  weights: PRESET_DEFINITIONS['kg-guided'].weights,
  // A labeled mention closes 86 % of an entity's gap (exp(−n/0.5)) instead of the store-wide 63 % (τ = 1), so
  // the knowledge term looks for entities not yet labeled rather than a second mention of a central one. On
  // WebNLG, 3 repeats: gold entities at 1,000 labels 54.3 → 56.0 % (text) and 54.8 → 56.4 % (KG) at the same
  // accuracy; τ = 0.33 and linear (a mention closes it all) cost 0.5 pt AULC with the KG (docs/simulation.md).
  // Pools whose entities say little about labels never reach the shortlist's coverage choice (f = 1).
  decay: { kind: 'exponential', tau: 0.5 },
  // Half of an entity's weight is its centrality, half is even: a hub still counts more than a leaf, but not
  // so much more that a second or third mention of it outweighs an entity nobody has labeled (PageRank gives
  // WebNLG's ten largest hubs 20–200 times the median entity's mass). WebNLG, 3 repeats, gold entities at
  // 1,000 labels, u = 0 → 0.5: 56.0 → 57.0 % (text) and 56.4 → 57.1 % (KG), AULC 0.1–0.2 pt lower over six
  // seeds; u = 0.75 and 1 bought 0.4–0.8 pt more entities but cost text-only AULC 0.4–0.5 pt (docs/simulation.md).
  uniformShare: 0.5,
};

export function kgGuidedStrategy(options: Partial<KgGuidedOptions> = {}): SelectionStrategy {
  const settings: KgGuidedOptions = { ...KG_GUIDED_DEFAULTS, ...options };
  if (!(settings.maxShortlistShare > 0 && settings.maxShortlistShare <= 1)) {
    throw new RangeError(`kg-guided: maxShortlistShare must be in (0, 1], got ${settings.maxShortlistShare}`);
  }
  if (!(settings.uniformShare >= 0 && settings.uniformShare <= 1)) {
    throw new RangeError(`kg-guided: uniformShare must be in [0, 1], got ${settings.uniformShare}`);
  }
  return { name: 'kg-guided', needs: {}, choose: (context) => chooseKgGuided(settings, context) };
}

/** The shortlist factor the labels so far have earned, with the evidence s that earned it (or the caller's fixed factor). */
export function shortlistFactor(settings: KgGuidedOptions, context: RoundContext): { factor: number; evidence?: number } {
  if (context.shortlist !== undefined) return { factor: context.shortlist };
  const { entities, labels } = context.labeledEntities();
  const { signal } = entityLabelSignal(entities, labels, { seed: context.seed });
  return { factor: earnedShortlist(signal, settings), evidence: signal };
}

/** The shortlist factor an entity–label evidence s earns: min up to the threshold, max from threshold + ramp on, linear between. */
export function earnedShortlist(signal: number, settings: Pick<KgGuidedOptions, 'shortlist' | 'evidenceThreshold' | 'evidenceRamp'>): number {
  const earned = Math.min(1, Math.max(0, (signal - settings.evidenceThreshold) / settings.evidenceRamp));
  return settings.shortlist.min + (settings.shortlist.max - settings.shortlist.min) * earned;
}

/**
 * How many of the most uncertain candidates the batch is chosen among: f × B, an earned room capped at
 * `maxShare` of the candidates (none for a caller's fixed factor), never fewer than the batch.
 */
export function shortlistSize(factor: number, batchSize: number, candidates: number, maxShare: number | undefined): number {
  const room = Math.ceil(Math.max(1, factor) * batchSize);
  if (maxShare === undefined) return room;
  return Math.max(batchSize, Math.min(room, Math.floor(maxShare * candidates)));
}

function chooseKgGuided(settings: KgGuidedOptions, context: RoundContext): StrategyRun {
  const preset = PRESET_DEFINITIONS['kg-guided'];
  const uncertainty = context.externalUncertainty ?? context.uncertainty(preset.uncertainty!);
  // Cold start, or `shortlist: 0`: the weighted sum over every candidate (cold-start weights without a model).
  const wholePool = (): StrategyRun => chooseWeighted({ ...preset, weights: settings.weights }, context);
  if (!uncertainty) return wholePool();
  const { factor, evidence } = shortlistFactor(settings, context);
  if (!(factor > 0)) return wholePool();
  const uncertaintySource = uncertainty === context.externalUncertainty ? 'external' : 'model';
  const weights = { ...settings.weights, ...context.weights };

  // Uncertainty first. The knowledge term may tilt the batch towards texts that mention entities, but
  // entity-free candidates get at least half their share of the shortlist (the rest is chosen jointly).
  const coverage = context.newCoverage({ decay: context.decay ?? settings.decay, uniformShare: settings.uniformShare });
  const batchSize = Math.min(context.batchSize, context.candidateIds.length);
  const candidates = context.candidateIds.length;
  const roomSize = shortlistSize(factor, batchSize, candidates, context.shortlist === undefined ? settings.maxShortlistShare : undefined);
  const shortlist = topK(uncertainty.normalized, roomSize);
  const knowledgeRoom: KnowledgeRoom = {
    ...(evidence !== undefined ? { evidence, evidenceThreshold: settings.evidenceThreshold } : {}),
    factor,
    shortlist: shortlist.length,
    capped: roomSize < shortlistSize(factor, batchSize, candidates, undefined),
  };
  const isEntityFree = (c: number): boolean => context.entities.offsets[c + 1]! === context.entities.offsets[c]!;
  const entityFreeShare = shortlist.filter(isEntityFree).length / Math.max(1, shortlist.length);
  const entityFreeFloor = Math.ceil((batchSize * entityFreeShare) / 2);
  const picks: BatchPick[] = [];
  const picked = new Set<number>();
  let evaluations = 0;
  // Each shortlisted candidate's similarity to the labeled items, computed once for the whole shortlist
  // (every row is its own maximum, so a part of it reads the same as computing it for that part).
  let shortlistSimilarity: Float64Array | undefined | null = null;
  const labeledSimilarityOf = (slots: readonly number[]): Float64Array | undefined => {
    if (shortlistSimilarity === null) shortlistSimilarity = context.labeledSimilarity(shortlist);
    const all = shortlistSimilarity;
    return all ? Float64Array.from(slots, (k) => all[k]!) : undefined;
  };
  const chooseAmong = (keep: (c: number) => boolean, count: number): void => {
    const slots: number[] = [];
    shortlist.forEach((c, k) => !picked.has(c) && keep(c) && slots.push(k));
    const which = Int32Array.from(slots, (k) => shortlist[k]!);
    if (count <= 0 || which.length === 0) return;
    const rows = context.rows ? Int32Array.from(which, (c) => context.rows![c]!) : undefined;
    const labeledSimilarity = weights.diversity > 0 ? labeledSimilarityOf(slots) : undefined;
    // Earlier picks of this batch count like labeled items for the diversity penalty.
    if (labeledSimilarity && rows && context.embeddings && picks.length > 0) {
      maxSimilarity(context.embeddings, rows, Int32Array.from(picks, (p) => context.rows![p.candidate]!), labeledSimilarity);
    }
    const result = selectBatch(
      {
        ids: Array.from(which, (c) => context.candidateIds[c]!),
        entities: selectItems(context.entities, which),
        ...(context.embeddings && rows ? { embeddings: context.embeddings, rows } : {}),
      },
      {
        weights,
        batchSize: count,
        coverage,
        ...(weights.uncertainty > 0 ? { uncertainty: gatherComponent(uncertainty, which) } : {}),
        ...(labeledSimilarity ? { labeledSimilarity } : {}),
      },
    );
    evaluations += result.evaluations;
    for (const pick of result.picks) {
      const candidate = which[pick.candidate]!;
      picked.add(candidate);
      picks.push({ ...pick, candidate });
    }
  };
  const anyCandidate = (): boolean => true;
  chooseAmong(anyCandidate, batchSize - entityFreeFloor);
  const entityFreePicked = picks.filter((p) => isEntityFree(p.candidate)).length;
  chooseAmong(isEntityFree, entityFreeFloor - entityFreePicked);
  chooseAmong(anyCandidate, batchSize - picks.length);
  // One ranking for the annotator: by the score each pick had when chosen.
  picks.sort((a, b) => b.score - a.score);
  return { picks: picks.map((pick, k) => ({ ...pick, rank: k + 1 })), evaluations, weights, coldStart: false, uncertaintySource, knowledgeRoom };
}
