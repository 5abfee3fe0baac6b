import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { littleEndianBytes } from './embedding-cache.js';
import type { PreparedDataset } from './prepared-dataset.js';
import { EVALUATION_C } from './round-evaluation.js';

/**
 * `<out>/campaign.json`: what a peer (the modAL script) needs to reproduce kgal's campaign exactly: the
 * same pool and evaluation split, the same initial labeled set per repeat, the same schedule (round 0 =
 * the initial set, then +batch per round until the budget), and the same vectors (`embeddings.f32`:
 * little-endian float32, row-major, pool rows in `pool.ids` order, then the evaluation rows).
 */
export interface CampaignFile {
  dataset: string;
  budget: number;
  batch: number;
  initial: number;
  evalFraction?: number;
  pool: { ids: string[]; labels: string[] };
  eval: { ids: string[]; labels: string[] };
  repeats: Array<{ repeat: number; seed: number; initial: string[] }>;
  embeddings: { file: string; dim: number; rows: number; model?: string };
  /** The classifier kgal evaluates (multinomial logistic regression, L2, scikit-learn's C). */
  classifier?: { type: 'logistic-regression'; C: number };
}

export const CAMPAIGN_FILE = 'campaign.json';
export const EMBEDDINGS_FILE = 'embeddings.f32';

export function campaignFile(
  prepared: PreparedDataset,
  options: { budget: number; batch: number; initial: number; evalFraction?: number; repeats: CampaignFile['repeats'] },
): CampaignFile {
  const file: CampaignFile = {
    dataset: prepared.dataset,
    budget: options.budget,
    batch: options.batch,
    initial: options.initial,
    pool: { ids: prepared.pool.map((e) => e.id), labels: prepared.pool.map((e) => e.label) },
    eval: { ids: prepared.eval.map((e) => e.id), labels: prepared.eval.map((e) => e.label) },
    repeats: options.repeats,
    embeddings: { file: EMBEDDINGS_FILE, dim: prepared.poolEmbeddings.cols, rows: prepared.pool.length + prepared.eval.length, model: prepared.embedderId },
    classifier: { type: 'logistic-regression', C: EVALUATION_C },
  };
  if (options.evalFraction !== undefined) file.evalFraction = options.evalFraction;
  return file;
}

/** Writes campaign.json and embeddings.f32 (the vectors kgal trains and selects on). */
export async function writeCampaignFiles(outDir: string, prepared: PreparedDataset, campaign: CampaignFile): Promise<void> {
  const all = new Float32Array(prepared.poolEmbeddings.data.length + prepared.evalEmbeddings.data.length);
  all.set(prepared.poolEmbeddings.data, 0);
  all.set(prepared.evalEmbeddings.data, prepared.poolEmbeddings.data.length);
  await writeFile(join(outDir, EMBEDDINGS_FILE), littleEndianBytes(all));
  await writeFile(join(outDir, CAMPAIGN_FILE), `${JSON.stringify(campaign, null, 1)}\n`);
}
