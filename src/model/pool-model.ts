import type { GraphStore, ItemSummary } from '../store/graph-store.js';
import { compareIds, isInIdOrder, positionsIn, sameIds } from '../store/id-order.js';
import { ListingMemo } from '../store/listing-memo.js';
import { trainCommittee, type Committee } from './committee.js';
import { trainLogisticRegression, type LogisticRegressionModel } from './logistic-regression.js';
import { rowOf, stackRows, type Matrix } from './matrix.js';

export interface PoolModelOptions {
  /** Committee size K (bootstrap members). Default 5. */
  members?: number;
  /** Seed of the committee's bootstrap draws. Default 1. */
  seed?: number | string;
  /** Inverse regularisation strength (scikit-learn's C). Default 1. */
  C?: number;
  /** Train the committee too (default true); strategies that only use the classifier can skip it. */
  committee?: boolean;
}

export interface TrainedPoolModel {
  status: 'trained';
  /** Class names in column order of every probability matrix (sorted). */
  classNames: string[];
  labelCounts: Record<string, number>;
  /** The full-data classifier: predictions and single-model uncertainty. */
  classifier: LogisticRegressionModel;
  /** Bootstrap committee: disagreement scores (absent when trained with `committee: false`). */
  committee?: Committee;
  trainedOn: number;
  millis: number;
}

/**
 * No model yet: fewer than two classes labeled (cold start) or labeled items without embeddings. Scoring
 * code must not invent probabilities; callers fall back explicitly (graph coverage and density).
 */
export interface UntrainedPoolModel {
  status: 'untrained';
  reason: string;
  labelCounts: Record<string, number>;
}

export type PoolModel = TrainedPoolModel | UntrainedPoolModel;

/** Labeled and unlabeled items with embeddings, as the model and the selector see the pool. */
export interface EmbeddedPool {
  ids: readonly string[];
  embeddings: Matrix<Float32Array>;
  /** Label per row, undefined when unlabeled. */
  labels: Array<string | undefined>;
  /** Items in the store without an embedding (they cannot be scored until `kgal embed`). */
  notEmbedded: number;
}

/** The store's embedded items with their labels; pass `items` when the caller has already listed them. */
export async function loadEmbeddedPool(
  store: GraphStore,
  items?: readonly ItemSummary[],
  /** The store's embeddings when the caller already asked for them (to read them alongside other reads). */
  embeddings?: Promise<{ ids: readonly string[]; matrix: Matrix<Float32Array> }>,
): Promise<EmbeddedPool> {
  const [listed, embedded] = await Promise.all([items ?? store.listItemSummaries(), embeddings ?? store.getEmbeddings()]);
  // Rows in id order and each row's item: kept while the embeddings and the items' ids stay (labels do not move them).
  const arranged = arrangements.get(embedded.ids, [embedded.matrix], () => ({ items: listed, ...arrange(listed, embedded) }), (kept) => sameIds(kept.items, listed));
  return pools.get(listed, [arranged], () => ({
    ids: arranged.ids,
    embeddings: arranged.embeddings,
    labels: labelsOf(listed, arranged.itemOfRow),
    notEmbedded: listed.length - embedded.ids.length,
  }));
}

/**
 * What a query derives from the same embedding listing, matrix and item listing (the embedded store hands
 * out the same arrays until they change, listing-memo.ts): read-only, shared by the queries in between.
 */
const arrangements = new ListingMemo<readonly string[], Arrangement & { items: readonly ItemSummary[] }>();
const pools = new ListingMemo<readonly ItemSummary[], EmbeddedPool>();

interface Arrangement {
  ids: readonly string[];
  embeddings: Matrix<Float32Array>;
  /** Each row's position in the item listing (−1 when not listed). */
  itemOfRow: Int32Array;
}

function arrange(items: readonly ItemSummary[], embedded: { ids: readonly string[]; matrix: Matrix<Float32Array> }): Arrangement {
  // Id order, whatever order the store lists in: training and scoring are then identical on every store.
  const inOrder = isInIdOrder(embedded.ids);
  const order = inOrder ? undefined : embedded.ids.map((_, row) => row).sort((a, b) => compareIds(embedded.ids[a]!, embedded.ids[b]!));
  const ids = order ? order.map((row) => embedded.ids[row]!) : embedded.ids;
  const itemOfRow = positionsIn(
    ids,
    items.map((item) => item.id),
  );
  return { ids, embeddings: order ? stackRows(order.map((row) => rowOf(embedded.matrix, row)), embedded.matrix.cols) : embedded.matrix, itemOfRow };
}

function labelsOf(items: readonly ItemSummary[], itemOfRow: Int32Array): Array<string | undefined> {
  const labels: Array<string | undefined> = [];
  for (let row = 0; row < itemOfRow.length; row += 1) labels.push(itemOfRow[row]! >= 0 ? items[itemOfRow[row]!]!.label : undefined);
  return labels;
}

/**
 * Trains the classifier and its committee on the labeled, embedded items of a pool, or says why it cannot
 * (never a fake model).
 */
export function trainPoolModel(pool: EmbeddedPool, options: PoolModelOptions = {}): PoolModel {
  const started = performance.now();
  const labelCounts: Record<string, number> = {};
  const labeledRows: number[] = [];
  pool.labels.forEach((label, row) => {
    if (label === undefined) return;
    labelCounts[label] = (labelCounts[label] ?? 0) + 1;
    labeledRows.push(row);
  });
  const classNames = Object.keys(labelCounts).sort();
  const sortedCounts = Object.fromEntries(classNames.map((name) => [name, labelCounts[name]!]));
  if (classNames.length < 2) {
    const have = classNames.length === 0 ? 'no labeled items' : `only class "${classNames[0]}"`;
    return {
      status: 'untrained',
      reason: `cold start: ${have} among the embedded items; a model needs at least 2 classes`,
      labelCounts: sortedCounts,
    };
  }
  const X = stackRows(labeledRows.map((row) => rowOf(pool.embeddings, row)), pool.embeddings.cols);
  const classIndex = new Map(classNames.map((name, i) => [name, i]));
  const y = Int32Array.from(labeledRows, (row) => classIndex.get(pool.labels[row]!)!);
  const C = options.C ?? 1;
  const classifier = trainLogisticRegression(X, y, { classes: classNames.length, C });
  const committee =
    options.committee === false ? undefined : trainCommittee(X, y, { classes: classNames.length, C, members: options.members ?? 5, seed: options.seed ?? 1 });
  return {
    status: 'trained',
    classNames,
    labelCounts: sortedCounts,
    classifier,
    ...(committee ? { committee } : {}),
    trainedOn: labeledRows.length,
    millis: performance.now() - started,
  };
}
