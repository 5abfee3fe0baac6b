/**
 * Stage 2 of a query: the context a strategy chooses from, over the unlabeled items not excluded (leased
 * elsewhere, lost to a concurrent query). Components are computed on first use, once per pool, and gathered
 * for the candidates.
 */
import { CoverageTracker, entityWeights, type DecayFunction } from '../../graph/coverage.js';
import { selectItems, type ItemEntityLists } from '../../graph/entity-index.js';
import type { Matrix } from '../model/matrix.js';
import { meanCosineSimilarity } from '../strategies/density.js';
import { maxSimilarity } from '../strategies/similarity.js';
import { labelPositions } from '../analytics/label-positions.js';
import { ListingMemo } from '../store/listing-memo.js';
import { poolLabeledSimilarity } from './labeled-similarity.js';
import type { LoadedRound } from './load-round.js';
import type { ComponentWeights } from './presets.js';
import type { RoundContext, StatePort } from './strategy.js';
import { gatherComponent, uncertaintyComponent, type ComponentValues, type UncertaintyMeasure } from './uncertainty-component.js';

export interface ContextSettings {
  seed: number;
  batchSize: number;
  budget: number;
  weights?: Partial<ComponentWeights>;
  shortlist?: number;
  /** The coverage decay the query asked for, if any. */
  decay?: DecayFunction;
  state: StatePort;
}

/** Returns a builder of round contexts: call it again with a larger exclusion set after losing lease races. */
export function roundContexts(round: LoadedRound, settings: ContextSettings): (excluded: ReadonlySet<string>) => RoundContext {
  const { graph, pool, unlabeledPositions, rowOfItem } = round;
  const { items, itemEntities, coverage } = graph;
  const embeddings: Matrix<Float32Array> | undefined = pool.ids.length > 0 ? pool.embeddings : undefined;
  const poolComponents = new Map<UncertaintyMeasure, ComponentValues | undefined>();
  const labeledRowsOfPool = (): Int32Array => labeledRowsByLabels.get(pool.labels, [], () => labeledRowsOf(pool.labels));

  let labeled: { entities: ItemEntityLists; labels: Int32Array } | undefined;
  const labeledEntities = (): { entities: ItemEntityLists; labels: Int32Array } => {
    if (!labeled) {
      const positions = labelPositions(items).labeled;
      const classes = new Map<string, number>();
      const labels = new Int32Array(positions.length);
      positions.forEach((p, k) => {
        const label = items[p]!.label!;
        if (!classes.has(label)) classes.set(label, classes.size);
        labels[k] = classes.get(label)!;
      });
      labeled = { entities: selectItems(itemEntities, positions), labels };
    }
    return labeled;
  };

  return (excluded) => {
    // Nothing excluded (no leases): the same candidates as every query of this listing, kept (listing-memo.ts).
    const { candidateIds, candidateMetas, candidateRows, entities } =
      excluded.size === 0
        ? candidatesByPositions.get(unlabeledPositions, [rowOfItem, items, itemEntities, pool.ids.length === 0], () => candidatesOf(round, excluded))
        : candidatesOf(round, excluded);
    const externalUncertainty = round.externalUncertainty ? externalUncertaintyOf(candidateMetas) : undefined;
    const components = new Map<UncertaintyMeasure, ComponentValues | undefined>();
    let density: ComponentValues | undefined | null = null;
    return {
      candidateIds,
      entities,
      model: round.model,
      labeledEntities,
      newCoverage: ({ decay, uniformShare = 0 } = {}) =>
        new CoverageTracker(coverage.centrality, {
          decay: decay ?? coverage.decay,
          counts: coverage.counts,
          ...(coverage.community ? { community: coverage.community } : {}),
          ...(uniformShare !== 0 ? { weights: entityWeights(coverage.centrality, uniformShare) } : {}),
        }),
      uncertainty: (measure) => {
        if (!components.has(measure)) {
          if (!poolComponents.has(measure)) poolComponents.set(measure, round.probabilities ? uncertaintyComponent(measure, round.probabilities) : undefined);
          const values = poolComponents.get(measure);
          components.set(measure, values ? gatherComponent(values, candidateRows) : undefined);
        }
        return components.get(measure);
      },
      density: () => {
        if (density === null) density = embeddings ? densityOf(poolDensityOf(embeddings), candidateRows) : undefined;
        return density;
      },
      labeledSimilarity: (which) => {
        if (!embeddings) return undefined;
        if (which) return maxSimilarity(embeddings, Int32Array.from(which, (c) => candidateRows[c]!), labeledRowsOfPool());
        return pickRows(poolLabeledSimilarity(embeddings, labeledRowsOfPool()), candidateRows);
      },
      seed: settings.seed,
      batchSize: settings.batchSize,
      budget: settings.budget,
      pool,
      poolSize: items.length,
      state: settings.state,
      ...(embeddings ? { embeddings, rows: candidateRows } : {}),
      ...(externalUncertainty ? { externalUncertainty } : {}),
      ...(settings.weights ? { weights: settings.weights } : {}),
      ...(settings.shortlist !== undefined ? { shortlist: settings.shortlist } : {}),
      ...(settings.decay ? { decay: settings.decay } : {}),
    };
  };
}

interface Candidates {
  candidateIds: readonly string[];
  candidateMetas: ReadonlyArray<Record<string, unknown>>;
  /** Each candidate's row in the pool's embedding matrix (no copy of the vectors per query). */
  candidateRows: Int32Array;
  entities: ItemEntityLists;
}

/** The candidates of the rounds with nothing excluded, per unlabeled-position array (read-only, shared). */
const candidatesByPositions = new ListingMemo<Int32Array, Candidates>();
const labeledRowsByLabels = new ListingMemo<ReadonlyArray<string | undefined>, Int32Array>();

/** The unlabeled, embedded items not excluded, with what a strategy reads of them. */
function candidatesOf(round: LoadedRound, excluded: ReadonlySet<string>): Candidates {
  const { graph, pool, unlabeledPositions, rowOfItem } = round;
  const { items, itemEntities } = graph;
  // Plain loops: typed-array filter/from with callbacks cost ~10 ms each at 100k candidates.
  const kept = new Int32Array(unlabeledPositions.length);
  let count = 0;
  for (let u = 0; u < unlabeledPositions.length; u += 1) {
    const p = unlabeledPositions[u]!;
    if ((excluded.size === 0 || !excluded.has(items[p]!.id)) && (pool.ids.length === 0 || rowOfItem[p]! >= 0)) kept[count++] = p;
  }
  const positions = kept.subarray(0, count);
  // push, not new Array(count): V8 gives a 100k-slot `new Array` slow dictionary elements.
  const candidateIds: string[] = [];
  const candidateMetas: Array<Record<string, unknown>> = [];
  const candidateRows = new Int32Array(count);
  for (let c = 0; c < count; c += 1) {
    const item = items[positions[c]!]!;
    candidateIds.push(item.id);
    candidateMetas.push(item.meta);
    candidateRows[c] = rowOfItem[positions[c]!]!;
  }
  return { candidateIds, candidateMetas, candidateRows, entities: selectItems(itemEntities, positions) };
}

function labeledRowsOf(labels: ReadonlyArray<string | undefined>): Int32Array {
  const rows: number[] = [];
  labels.forEach((label, row) => label !== undefined && rows.push(row));
  return Int32Array.from(rows);
}

/**
 * An externally supplied uncertainty (an LLM's mean token entropy, a translation quality estimate...) in item
 * metadata `uncertainty`, used instead of the classifier when every unlabeled item has one (loadRound checks
 * that; candidates are among them); min-max normalised over the candidates (higher = more worth labeling).
 */
function externalUncertaintyOf(metas: ReadonlyArray<Record<string, unknown>>): ComponentValues | undefined {
  if (metas.length === 0) return undefined;
  const raw = Float64Array.from(metas, (m) => m.uncertainty as number);
  return { raw, normalized: minMax(raw) };
}

/**
 * Density depends on the embeddings alone, and both stores hand out the same matrix object until an
 * embedding changes (a new object then), so it is computed once per matrix, not per query.
 */
const densityByMatrix = new WeakMap<Matrix<Float32Array>, Float64Array>();

function poolDensityOf(embeddings: Matrix<Float32Array>): Float64Array {
  let density = densityByMatrix.get(embeddings);
  if (!density) {
    density = meanCosineSimilarity(embeddings);
    densityByMatrix.set(embeddings, density);
  }
  return density;
}

/** Information density of the candidates within the whole pool, min-max normalised over the candidates. */
function densityOf(all: Float64Array, candidateRows: Int32Array): ComponentValues {
  const raw = pickRows(all, candidateRows);
  return { raw, normalized: minMax(raw) };
}

function pickRows(values: Float64Array, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let c = 0; c < rows.length; c += 1) out[c] = values[rows[c]!]!;
  return out;
}

function minMax(raw: Float64Array): Float64Array {
  let min = Infinity;
  let max = -Infinity;
  for (const v of raw) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const span = max - min;
  return raw.map((v) => (span > 0 ? (v - min) / span : 0));
}
