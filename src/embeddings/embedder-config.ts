import { homedir } from 'node:os';
import { join } from 'node:path';

export interface EmbedderConfig {
  /** transformers.js model id; the local folder is `<modelDir>/<model>`. */
  model: string;
  /** transformers.js `env.localModelPath`. */
  modelDir: string;
  /** Whether the Hugging Face hub may be used when the model is not in modelDir. */
  allowRemote: boolean;
  /** int8 (`onnx/model_quantized.onnx`) instead of fp32 (`onnx/model.onnx`). */
  quantized: boolean;
  /** Texts per forward pass. */
  batchSize: number;
}

export const DEFAULT_MODEL = 'Xenova/all-MiniLM-L6-v2';

function flag(value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  return !['0', 'false', 'no', 'off'].includes(value.toLowerCase());
}

/**
 * Embedding configuration from the environment: KGAL_MODEL, KGAL_MODEL_DIR (default
 * ~/.cache/kgal/models, where `npm run model` builds the model offline), KGAL_ALLOW_REMOTE_MODELS (default
 * on for users, off when CI=true), KGAL_MODEL_QUANTIZED (default off: fp32 matches the reference model to
 * 0.9999 cosine), KGAL_EMBED_BATCH (default 32).
 */
export function embedderConfigFromEnv(env: NodeJS.ProcessEnv = process.env): EmbedderConfig {
  const cacheHome = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return {
    model: env.KGAL_MODEL || DEFAULT_MODEL,
    modelDir: env.KGAL_MODEL_DIR || join(cacheHome, 'kgal', 'models'),
    allowRemote: flag(env.KGAL_ALLOW_REMOTE_MODELS) ?? env.CI !== 'true',
    quantized: flag(env.KGAL_MODEL_QUANTIZED) ?? false,
    batchSize: Number(env.KGAL_EMBED_BATCH) > 0 ? Number(env.KGAL_EMBED_BATCH) : 32,
  };
}
