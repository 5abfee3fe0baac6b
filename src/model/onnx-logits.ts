/**
 * Linear logits Z = X·Wᵀ + b for a whole pool through ONNX Runtime (the onnxruntime-node that
 * @xenova/transformers already loads for the embedder). Its CPU provider runs the product as an MLAS
 * DGEMM (AVX2 / AVX-512, multi-threaded): at 100k × 384 it is several times faster than a scalar
 * JavaScript loop, which is what scoring a large pool with a fitted classifier costs (docs/benchmarks.md).
 *
 * The graph is tiny and weight-free: Cast(X: float32 → float64) then Gemm(X, W, b, transB = 1), so the
 * arithmetic is float64 like the JavaScript `predictProba` and numpy's (float32 embeddings promoted to
 * float64), and results agree with them to rounding (~1e-15), not to float32's ~1e-6. W and b are inputs,
 * so one session serves every model and every committee. Rows go through in chunks so the float64 copy
 * of X stays small (a 100k-row pool would otherwise need 300 MB for it).
 */
import { availableParallelism } from 'node:os';
import onnxProto, { type onnx as OnnxTypes } from 'onnx-proto';
import ort, { type InferenceSession } from 'onnxruntime-node';
import type { Matrix } from './matrix.js';

const { onnx } = onnxProto;

export interface OnnxLogitsOptions {
  /** ONNX Runtime intra-op threads. Default: the machine's cores, at most 4. */
  threads?: number;
  /** Rows per Gemm call (bounds the float64 copy of X: rows × D × 8 bytes). Default 4096: fastest here (the cast stays in cache). */
  chunkRows?: number;
}

/** Computes logits for K stacked linear models over N rows. */
export interface LogitsEngine {
  /** Z (N×K row-major) = X·Wᵀ + b, with W K×D row-major and b of length K. */
  logits(X: Matrix<Float32Array>, weights: Float64Array, intercepts: Float64Array): Promise<Float64Array>;
}

/** The serialised ONNX model: inputs X float32 [N, D], W float64 [K, D], B float64 [K]; output Z float64 [N, K]. */
export function logitsModelBytes(): Uint8Array {
  const T = onnx.TensorProto.DataType;
  const tensor = (name: string, elemType: number, dims: string[]): OnnxTypes.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((dimParam) => ({ dimParam })) } } },
  });
  const intAttribute = (name: string, value: number): OnnxTypes.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.INT, i: value });
  const model = onnx.ModelProto.create({
    irVersion: 7, // ONNX 1.8: accepted by the onnxruntime-node 1.14 that transformers.js bundles
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'kgal',
    graph: {
      name: 'linear-logits',
      node: [
        { opType: 'Cast', input: ['X'], output: ['X64'], attribute: [intAttribute('to', T.DOUBLE)] },
        { opType: 'Gemm', input: ['X64', 'W', 'B'], output: ['Z'], attribute: [intAttribute('transB', 1)] },
      ],
      input: [tensor('X', T.FLOAT, ['N', 'D']), tensor('W', T.DOUBLE, ['K', 'D']), tensor('B', T.DOUBLE, ['K'])],
      output: [tensor('Z', T.DOUBLE, ['N', 'K'])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

const sessions = new Map<number, Promise<InferenceSession>>();

/** One session per thread count, created on first use and kept for the process. */
function session(threads: number): Promise<InferenceSession> {
  let created = sessions.get(threads);
  if (!created) {
    created = ort.InferenceSession.create(logitsModelBytes(), {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // The arena would keep the largest chunk's buffers for the life of the process.
      enableCpuMemArena: false,
    });
    created.catch(() => sessions.delete(threads)); // a failed load is retried next time, not cached
    sessions.set(threads, created);
  }
  return created;
}

export function onnxLogitsEngine(options: OnnxLogitsOptions = {}): LogitsEngine {
  const threads = options.threads ?? Math.min(4, availableParallelism());
  const chunkRows = options.chunkRows ?? 4096;
  if (!(Number.isInteger(threads) && threads >= 1)) throw new RangeError(`threads must be an integer ≥ 1, got ${threads}`);
  if (!(Number.isInteger(chunkRows) && chunkRows >= 1)) throw new RangeError(`chunkRows must be an integer ≥ 1, got ${chunkRows}`);
  return {
    async logits(X, weights, intercepts) {
      const D = X.cols;
      const K = intercepts.length;
      if (weights.length !== K * D) throw new RangeError(`weights hold ${weights.length} values, expected ${K}×${D}`);
      if (X.data.length !== X.rows * D) throw new RangeError(`matrix data has ${X.data.length} values, expected ${X.rows}×${D}`);
      const out = new Float64Array(X.rows * K);
      if (X.rows === 0 || K === 0) return out;
      const run = await session(threads);
      const W = new ort.Tensor('float64', weights, [K, D]);
      const B = new ort.Tensor('float64', intercepts, [K]);
      for (let start = 0; start < X.rows; start += chunkRows) {
        const rows = Math.min(chunkRows, X.rows - start);
        const chunk = X.data.subarray(start * D, (start + rows) * D);
        const result = await run.run({ X: new ort.Tensor('float32', chunk, [rows, D]), W, B });
        out.set(result.Z!.data as Float64Array, start * K);
      }
      return out;
    },
  };
}
