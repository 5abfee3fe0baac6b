/**
 * A selection strategy is a value: `{name, needs, choose(context)}`. The query path (query-pool.ts) loads a
 * round, builds the context below and hands it to the strategy; the strategy returns the batch and never
 * touches the store itself (`auto` reaches its bandit state through the context's `state` port). The built-in
 * presets are registered in registry.ts; a library user passes their own object the same way, as modAL
 * takes a `query_strategy` function.
 */
import type { CoverageTracker, DecayFunction } from '../../graph/coverage.js';
import type { ItemEntityLists } from '../../graph/entity-index.js';
import type { AnchorMove } from '../strategies/bandit-anchor.js';
import type { Matrix } from '../model/matrix.js';
import type { EmbeddedPool, PoolModel } from '../model/pool-model.js';
import type { ComponentWeights } from './presets.js';
import type { BatchPick } from './select-batch.js';
import type { ComponentValues, UncertaintyMeasure } from './uncertainty-component.js';

/** What a strategy needs loaded beyond the round itself (the classifier is trained whenever it can be: every pick carries its prediction). */
export interface StrategyNeeds {
  /** The bootstrap committee's probabilities (qbc, kl, bald). */
  committee?: boolean;
}

/** Everything a strategy may read about one round; components are computed on first use and shared. */
export interface RoundContext {
  /** Candidate item ids (unlabeled, not leased), in id order; picks refer to candidates by index. */
  readonly candidateIds: readonly string[];
  /** Entity ids each candidate mentions. */
  readonly entities: ItemEntityLists;
  /** The pool's unit-length embedding matrix, and each candidate's row in it (absent when nothing is embedded). */
  readonly embeddings?: Matrix<Float32Array>;
  readonly rows?: Int32Array;
  /** The classifier (and committee) of this round, or why there is none. */
  readonly model: PoolModel;
  /** An externally supplied uncertainty for every candidate (item metadata `uncertainty`), when all have one. */
  readonly externalUncertainty?: ComponentValues;
  /** The uncertainty component of a measure for every candidate; undefined without a trained model. */
  uncertainty(measure: UncertaintyMeasure): ComponentValues | undefined;
  /** Information density of every candidate; undefined without embeddings. */
  density(): ComponentValues | undefined;
  /**
   * Each candidate's largest cosine similarity to a labeled item (−Infinity when nothing labeled is
   * embedded); `candidates` limits it to some candidates (in that order). Undefined without embeddings.
   */
  labeledSimilarity(candidates?: Int32Array): Float64Array | undefined;
  /** The labeled items' entity lists and their labels as class indices (same order). */
  labeledEntities(): { entities: ItemEntityLists; labels: Int32Array };
  /**
   * A fresh coverage tracker at the labeled set's coverage (advance it as the batch grows), with `decay`, or
   * else the query's decay (default DEFAULT_DECAY, graph/coverage.ts), and gaps measured in the centrality,
   * or with `uniformShare` u in entityWeights' blend (1 − u)·c(e) + u/|E| (graph/coverage.ts).
   */
  newCoverage(options?: CoverageChoice): CoverageTracker;
  readonly seed: number;
  readonly batchSize: number;
  /** Weight overrides from the request. */
  readonly weights?: Partial<ComponentWeights>;
  /** Fixes kg-guided's shortlist factor instead of earning it from the labels (0: no shortlist). */
  readonly shortlist?: number;
  /** The coverage decay the query asked for; absent when it left the choice to the strategy. */
  readonly decay?: DecayFunction;
  /** The query's options a strategy may read (decay, committee size, budget...). */
  readonly budget: number;
  /** The embedded pool (ids in id order, labels) and the number of items in the store. */
  readonly pool: EmbeddedPool;
  readonly poolSize: number;
  /** Persistent strategy state in the store (one atomic read-modify-write), for strategies that learn across rounds. */
  readonly state: StatePort;
}

/** How a strategy's coverage tracker measures gaps (RoundContext.newCoverage). */
export interface CoverageChoice {
  decay?: DecayFunction;
  /** Share of each entity's weight spread evenly over the entities instead of by centrality (default 0). */
  uniformShare?: number;
}

export interface StatePort {
  /** Ids of items leased to anyone right now. */
  leasedIds(): Promise<Set<string>>;
  update<T>(name: string, update: (current: T | undefined) => T): Promise<T>;
}

export interface StrategyRun {
  picks: BatchPick[];
  evaluations: number;
  /** The component weights the batch was chosen with (all 0 for strategies that do not weigh components). */
  weights: ComponentWeights;
  /** True when the strategy needed a model, had none, and used its cold-start fallback. */
  coldStart: boolean;
  uncertaintySource: 'model' | 'external' | 'none';
  /** The strategy that actually chose each pick when it differs from the one asked for (`auto:margin`, `cold-start`). */
  pickStrategies?: string[];
  /** kg-guided: how much room the knowledge term had to choose in (absent in cold start and over the whole pool). */
  knowledgeRoom?: KnowledgeRoom;
  /** `auto`: the bandit's arm probabilities (those it draws with), the reward it applied and its anchor. */
  bandit?: {
    arms: Array<{ arm: string; probability: number; weight: number }>;
    reward?: number;
    /** The safe arm holding a fixed share of the draws, each other arm's evidence against it (z) and its moves. */
    anchor?: { arm: string; share: number; switchZ: number; leads: Record<string, number>; moves: AnchorMove[] };
  };
}

/**
 * kg-guided's room for knowledge in one round: the batch was chosen among the `shortlist` most uncertain
 * candidates. `factor` f is what the labels earned (f × B, 1 = the batch itself: margin's picks) or the
 * caller's fixed factor; `evidence` s is the entity–label evidence that earned it (absent for a fixed
 * factor) and `evidenceThreshold` the s at or below which it earns nothing; `capped` when the share cap of
 * the candidates made the shortlist smaller than f × B.
 */
export interface KnowledgeRoom {
  evidence?: number;
  evidenceThreshold?: number;
  factor: number;
  shortlist: number;
  capped: boolean;
}

export interface SelectionStrategy {
  readonly name: string;
  readonly needs: StrategyNeeds;
  choose(context: RoundContext): StrategyRun | Promise<StrategyRun>;
}

export const NO_WEIGHTS: ComponentWeights = { uncertainty: 0, coverage: 0, density: 0, diversity: 0 };
