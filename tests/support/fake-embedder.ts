import { createHash } from 'node:crypto';
import type { Matrix } from '../../src/model/matrix.js';
import type { SimulationEmbedder } from '../../src/simulation/prepared-dataset.js';

/**
 * A deterministic stand-in for the transformer in simulation tests: hashed bag of lower-cased words
 * into `dimension` buckets, L2-normalised. Texts sharing words get similar vectors, so a classifier
 * learns something real and uncertainty differs between items.
 */
export function fakeEmbedder(dimension = 64): SimulationEmbedder & { calls: number } {
  const embedder = {
    id: `fake-bow-${dimension}`,
    calls: 0,
    async embedTexts(texts: readonly string[]): Promise<Matrix<Float32Array>> {
      embedder.calls += 1;
      const data = new Float32Array(texts.length * dimension);
      texts.forEach((text, row) => {
        for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
          const bucket = createHash('md5').update(word).digest().readUInt32LE(0) % dimension;
          data[row * dimension + bucket]! += 1;
        }
        let norm = 0;
        for (let d = 0; d < dimension; d += 1) norm += data[row * dimension + d]! ** 2;
        const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
        for (let d = 0; d < dimension; d += 1) data[row * dimension + d]! *= scale;
      });
      return { rows: texts.length, cols: dimension, data };
    },
  };
  return embedder;
}
