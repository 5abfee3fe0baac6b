/**
 * The classifier (and committee) trained once per label set. A server answers many queries and model-status
 * calls between two labels; fitting L-BFGS (and K bootstrap members) on every one of them is wasted work, so
 * the fitted model is kept under a fingerprint of exactly what it was trained on: the labeled items' ids, their
 * labels and their embedding vectors (a re-embedded item changes the key as surely as a new label does), plus
 * the training settings. Unlabeled items do not enter the key: they change the pool's probabilities, which are
 * scored per query, not the model.
 */
import { createHash } from 'node:crypto';
import { rowOf } from './matrix.js';
import { trainPoolModel, type EmbeddedPool, type PoolModel } from './pool-model.js';

export interface CachedModelRequest {
  /** Train (or reuse) the bootstrap committee too. */
  committee: boolean;
  /** Committee size and bootstrap seed (only part of the key when a committee is asked for). */
  members?: number;
  seed?: number | string;
  /** Inverse regularisation strength. */
  C?: number;
}

export interface CachedModel {
  model: PoolModel;
  /** True when this call reused a model fitted earlier (no training happened). */
  reused: boolean;
  /** When the model was fitted (ISO time). */
  trainedAt: string;
  /** The label-set fingerprint the model is stored under. */
  key: string;
}

interface Entry {
  /** The classifier alone, or the first model fitted for this label set. */
  model: PoolModel;
  trainedAt: string;
  /** Full models (classifier + committee) by committee settings. */
  committees: Map<string, { model: PoolModel; trainedAt: string }>;
}

/** Label sets kept: the current one and a few before it (an undone label brings back the previous set). */
export const DEFAULT_MODEL_CACHE_ENTRIES = 4;

export class ModelCache {
  private readonly entries = new Map<string, Entry>();
  /** Models fitted by this cache so far (trained classifiers; cold-start answers are not fits). */
  fits = 0;
  hits = 0;

  constructor(private readonly maxEntries = DEFAULT_MODEL_CACHE_ENTRIES) {}

  /** The model for the pool's labeled set: reused when it was fitted before, else trained now and kept. */
  get(pool: EmbeddedPool, request: CachedModelRequest): CachedModel {
    const C = request.C ?? 1;
    const key = labelSetKey(pool, C);
    const committeeKey = `${request.members ?? 5}:${String(request.seed ?? 1)}`;
    const entry = this.entries.get(key);
    if (entry) {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, entry);
      if (entry.model.status === 'untrained' || !request.committee) return this.hit(entry.model, entry.trainedAt, key);
      const full = entry.committees.get(committeeKey);
      if (full) return this.hit(full.model, full.trainedAt, key);
      const model = this.train(pool, { ...request, C });
      const trainedAt = new Date().toISOString();
      entry.committees.set(committeeKey, { model, trainedAt });
      return { model, reused: false, trainedAt, key };
    }
    const model = this.train(pool, { ...request, C });
    const trainedAt = new Date().toISOString();
    const created: Entry = { model, trainedAt, committees: new Map() };
    if (request.committee && model.status === 'trained') created.committees.set(committeeKey, { model, trainedAt });
    this.entries.set(key, created);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return { model, reused: false, trainedAt, key };
  }

  get size(): number {
    return this.entries.size;
  }

  private hit(model: PoolModel, trainedAt: string, key: string): CachedModel {
    this.hits += 1;
    return { model, reused: true, trainedAt, key };
  }

  private train(pool: EmbeddedPool, request: CachedModelRequest & { C: number }): PoolModel {
    const model = trainPoolModel(pool, {
      committee: request.committee,
      C: request.C,
      ...(request.members !== undefined ? { members: request.members } : {}),
      ...(request.seed !== undefined ? { seed: request.seed } : {}),
    });
    if (model.status === 'trained') this.fits += 1;
    return model;
  }
}

/** sha1 over every labeled row (id, label, embedding bytes) in pool order (id order) and the settings. */
export function labelSetKey(pool: EmbeddedPool, C = 1): string {
  const hash = createHash('sha1').update(`C=${C}\u0000dim=${pool.embeddings.cols}\u0000`);
  pool.labels.forEach((label, row) => {
    if (label === undefined) return;
    const vector = rowOf(pool.embeddings, row);
    hash.update(pool.ids[row]!).update('\u0000').update(label).update('\u0000');
    hash.update(new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength));
  });
  return hash.digest('hex');
}
