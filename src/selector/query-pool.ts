import type { CentralityMeasure } from '../../graph/centrality.js';
import type { CoverageSummary, DecayFunction } from '../../graph/coverage.js';
import type { EntityGraphAnalysis } from '../../graph/refresh.js';
import { loadGraphState } from '../analytics/graph-state.js';
import { rowOf, stackRows, type Matrix } from '../model/matrix.js';
import { loadEmbeddedPool, trainPoolModel, type PoolModel } from '../model/pool-model.js';
import { createRandom, shuffled } from '../model/seeded-random.js';
import type { GraphStore } from '../store/graph-store.js';
import { meanCosineSimilarity } from '../strategies/density.js';
import { PRESET_DEFINITIONS, type ComponentWeights, type PresetName } from './presets.js';
import { selectBatch, type BatchPick, type ComponentReport } from './select-batch.js';
import { uncertaintyComponent, type ComponentValues } from './uncertainty-component.js';

export interface QueryOptions {
  batchSize: number;
  /** Default `kg-guided`. `auto` is not wired yet (see docs/selector.md). */
  strategy?: PresetName;
  /** Overrides of the preset's component weights. */
  weights?: Partial<ComponentWeights>;
  seed?: number;
  decay?: DecayFunction;
  centrality?: CentralityMeasure;
  /** Committee size. */
  members?: number;
  /** Record the round in the store (default true). */
  record?: boolean;
}

export interface ExplainedEntity {
  key: string;
  name: string;
  centrality: number;
  coverageBefore: number;
  gapBefore: number;
  community?: number;
}

export interface ExplainedPick {
  id: string;
  text: string;
  rank: number;
  score: number;
  strategy: string;
  components: Record<string, ComponentReport>;
  /** The entities the item mentions, largest gap first: the gaps it fills. */
  entities: ExplainedEntity[];
}

export interface QueryResult {
  strategy: PresetName;
  /** True when no model could be trained and the preset fell back to coverage + density. */
  coldStart: boolean;
  coldStartReason?: string;
  weights: ComponentWeights;
  round?: number;
  picks: ExplainedPick[];
  candidates: number;
  model: { status: PoolModel['status']; classes?: string[]; trainedOn?: number };
  coverage: CoverageSummary;
  evaluations: number;
  /** load: store reads; graph: analytics + coverage; train: classifier + committee; score: components; select: greedy. */
  millis: { load: number; graph: number; train: number; score: number; select: number };
}

/**
 * One selection round against a store: the pool, the entity graph and the labeled items' coverage, a
 * model when one can be trained, the preset's components, then greedy batch selection with explanations.
 */
export async function queryPool(store: GraphStore, options: QueryOptions): Promise<QueryResult> {
  const strategy = options.strategy ?? 'kg-guided';
  if (strategy === 'auto') throw new RangeError('strategy "auto" (bandit over presets) is not available yet');
  const t0 = performance.now();
  const pool = await loadEmbeddedPool(store);
  const t1 = performance.now();
  const stateOptions = { ...(options.centrality ? { centrality: options.centrality } : {}), ...(options.decay ? { decay: options.decay } : {}) };
  const { items, entitiesByItem: entitiesById, entityNames, analysis, coverage } = await loadGraphState(store, stateOptions);
  const coverageBefore = coverage.summary();
  const t2 = performance.now();

  // Candidates: unlabeled items; when the pool is embedded, only embedded ones (they are the ones a model can score).
  const rowById = new Map(pool.ids.map((id, row) => [id, row]));
  const textById = new Map(items.map((i) => [i.id, i.text]));
  const unlabeled = items.filter((i) => i.label === undefined).map((i) => i.id);
  const candidateIds = pool.ids.length > 0 ? unlabeled.filter((id) => rowById.has(id)) : unlabeled;
  const embeddings: Matrix<Float32Array> | undefined =
    pool.ids.length > 0 ? stackRows(candidateIds.map((id) => rowOf(pool.embeddings, rowById.get(id)!)), pool.embeddings.cols) : undefined;

  const preset = strategy === 'random' ? undefined : PRESET_DEFINITIONS[strategy];
  let model: PoolModel = { status: 'untrained', reason: 'no embeddings: run `kgal embed`', labelCounts: {} };
  if (preset?.uncertainty && embeddings) model = trainPoolModel(pool, { seed: options.seed ?? 1, members: options.members ?? 5 });
  const trained = performance.now();
  const coldStart = preset?.uncertainty !== undefined && model.status !== 'trained';
  const weights: ComponentWeights = { ...(preset ? (coldStart ? preset.coldStart : preset.weights) : { uncertainty: 0, coverage: 0, density: 0, diversity: 0 }), ...options.weights };
  let uncertainty: ComponentValues | undefined;
  if (preset?.uncertainty && model.status === 'trained' && embeddings) uncertainty = uncertaintyComponent(preset.uncertainty, model, embeddings);
  const density = embeddings && weights.density > 0 ? densityComponent(pool.embeddings, candidateIds.map((id) => rowById.get(id)!)) : undefined;
  const t3 = performance.now();

  const candidates = { ids: candidateIds, entities: analysis.index.packItems(candidateIds.map((id) => entitiesById.get(id) ?? [])), ...(embeddings ? { embeddings } : {}) };
  let picks: BatchPick[];
  let evaluations = 0;
  if (strategy === 'random') {
    const order = shuffled(createRandom(options.seed ?? 1), candidateIds.map((_, i) => i)).slice(0, options.batchSize);
    picks = order.map((candidate, k) => {
      const raw = coverage.gain(candidates.entities, candidate);
      const pick: BatchPick = { candidate, id: candidateIds[candidate]!, rank: k + 1, score: 0, components: { coverage: { raw, normalized: raw } }, entities: [] };
      coverage.cover(candidates.entities, candidate);
      return pick;
    });
  } else {
    const selectOptions = { weights, batchSize: options.batchSize, coverage, ...(uncertainty ? { uncertainty } : {}), ...(density ? { density } : {}) };
    ({ picks, evaluations } = selectBatch(candidates, selectOptions));
  }
  const t4 = performance.now();

  const explained = picks.map((pick) => explain(pick, strategy, textById, analysis, entityNames));
  const result: QueryResult = {
    strategy,
    coldStart,
    weights,
    picks: explained,
    candidates: candidateIds.length,
    model: model.status === 'trained' ? { status: model.status, classes: model.classNames, trainedOn: model.trainedOn } : { status: model.status },
    coverage: coverageBefore,
    evaluations,
    millis: { load: t1 - t0, graph: t2 - t1, train: trained - t2, score: t3 - trained, select: t4 - t3 },
  };
  if (coldStart && model.status === 'untrained') result.coldStartReason = model.reason;
  if ((options.record ?? true) && explained.length > 0) {
    result.round = await store.recordRound({
      strategy,
      at: new Date().toISOString(),
      picks: explained.map((p) => ({
        itemId: p.id,
        rank: p.rank,
        score: p.score,
        components: Object.fromEntries(Object.entries(p.components).map(([name, c]) => [name, c.normalized])),
      })),
    });
  }
  return result;
}

/** Information density of the candidates within the whole pool, min-max normalised over the candidates. */
function densityComponent(poolEmbeddings: Matrix<Float32Array>, candidateRows: number[]): ComponentValues {
  const all = meanCosineSimilarity(poolEmbeddings);
  const raw = Float64Array.from(candidateRows, (row) => all[row]!);
  let min = Infinity;
  let max = -Infinity;
  for (const v of raw) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const span = max - min;
  return { raw, normalized: raw.map((v) => (span > 0 ? (v - min) / span : 0)) };
}

function explain(
  pick: BatchPick,
  strategy: string,
  textById: Map<string, string>,
  analysis: EntityGraphAnalysis,
  names: Map<string, string>,
): ExplainedPick {
  const components: Record<string, ComponentReport> = {};
  for (const [name, value] of Object.entries(pick.components)) if (value) components[name] = value;
  return {
    id: pick.id,
    text: textById.get(pick.id) ?? '',
    rank: pick.rank,
    score: pick.score,
    strategy,
    components,
    entities: pick.entities.map((e) => {
      const key = analysis.index.key(e.entity);
      const entry: ExplainedEntity = { key, name: names.get(key) ?? key, centrality: e.centrality, coverageBefore: e.coverageBefore, gapBefore: e.gapBefore };
      if (e.community !== undefined) entry.community = e.community;
      return entry;
    }),
  };
}
