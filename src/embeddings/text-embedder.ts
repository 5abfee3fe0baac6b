import { KgalError } from '../errors/kgal-error.js';
import type { Matrix } from '../model/matrix.js';

/** Turns texts into unit-length vectors. The transformer implementation is TransformersEmbedder. */
export interface TextEmbedder {
  /** Model and variant, e.g. "Xenova/all-MiniLM-L6-v2:fp32"; part of every embedding's cache key. */
  readonly id: string;
  readonly dimension: number;
  /** Embeds one batch; row i is texts[i], L2-normalised. */
  embed(texts: readonly string[]): Promise<Matrix<Float32Array>>;
  /** Tokens per text, when the embedder can tell: batches of similar token counts pad least. */
  countTokens?(texts: readonly string[]): number[];
  dispose(): Promise<void>;
}

export class ModelUnavailableError extends KgalError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('model-unavailable', message, options);
    this.name = 'ModelUnavailableError';
  }
}
