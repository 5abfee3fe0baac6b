import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { embedderConfigFromEnv } from '../embeddings/embedder-config.js';
import type { TextEmbedder } from '../embeddings/text-embedder.js';
import { TransformersEmbedder } from '../embeddings/transformers-embedder.js';
import { silentProgress, type Progress } from '../ingest/progress.js';
import { rowOf, type Matrix } from '../model/matrix.js';
import type { SimulationEmbedder } from './prepared-dataset.js';

export interface EmbeddingCacheOptions {
  /** Default `$XDG_CACHE_HOME/kgal/simulation` or `~/.cache/kgal/simulation` (outside any repository). */
  cacheDir?: string;
  /** Texts per forward pass. */
  batchSize?: number;
  progress?: Progress;
}

/** `~/.cache/kgal/simulation`, honouring XDG_CACHE_HOME. */
export function defaultSimulationCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'kgal', 'simulation');
}

/** Cache file of a text list: `<dir>/<model id, made file-safe>/<sha256 of model id + texts>.f32`. */
export function embeddingCacheFile(cacheDir: string, embedderId: string, texts: readonly string[]): string {
  const hash = createHash('sha256').update(embedderId);
  for (const text of texts) hash.update('\u0000').update(text);
  return join(cacheDir, embedderId.replace(/[^A-Za-z0-9._-]+/g, '_'), `${hash.digest('hex')}.f32`);
}

/** Where an embedder comes from: its id (known without loading the model) and how to load it when needed. */
export interface EmbedderSource {
  readonly id: string;
  load(): Promise<TextEmbedder>;
}

/** The cached matrix of `texts` (row i = texts[i]) when a complete one exists; its width is read from the file size. */
export async function readCachedEmbeddings(file: string, rows: number): Promise<Matrix<Float32Array> | undefined> {
  const bytes = await readFile(file).catch(() => undefined);
  if (!bytes || rows === 0 || bytes.byteLength === 0 || bytes.byteLength % (rows * 4) !== 0) return undefined;
  return { rows, cols: bytes.byteLength / (rows * 4), data: float32FromLittleEndian(bytes) };
}

/**
 * Embeds a list of texts once per model: the matrix (row i = texts[i]) is kept as raw little-endian
 * float32 under a key of the model id and every text, so repeats, strategies and later runs on the same
 * dataset reuse it (the model is not even loaded then). Texts are embedded de-duplicated and sorted by
 * token count (little padding).
 */
export async function embedTextsCached(
  source: EmbedderSource,
  texts: readonly string[],
  options: EmbeddingCacheOptions = {},
): Promise<{ matrix: Matrix<Float32Array>; cached: boolean; file: string }> {
  const file = embeddingCacheFile(options.cacheDir ?? defaultSimulationCacheDir(), source.id, texts);
  const cachedMatrix = await readCachedEmbeddings(file, texts.length);
  if (cachedMatrix) return { matrix: cachedMatrix, cached: true, file };
  const embedder = await source.load();
  let matrix: Matrix<Float32Array>;
  try {
    matrix = await embedAll(embedder, texts, options);
  } finally {
    await embedder.dispose();
  }
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, littleEndianBytes(matrix.data));
  await rename(temporary, file);
  return { matrix, cached: false, file };
}

async function embedAll(embedder: TextEmbedder, texts: readonly string[], options: EmbeddingCacheOptions): Promise<Matrix<Float32Array>> {
  const progress = options.progress ?? silentProgress;
  const batchSize = options.batchSize ?? 32;
  const rowsByText = new Map<string, number[]>();
  texts.forEach((text, row) => {
    const rows = rowsByText.get(text);
    if (rows) rows.push(row);
    else rowsByText.set(text, [row]);
  });
  const distinct = [...rowsByText.keys()];
  const lengths = embedder.countTokens?.(distinct) ?? distinct.map((t) => t.length);
  const order = distinct.map((text, i) => ({ text, length: lengths[i]! })).sort((a, b) => a.length - b.length).map((x) => x.text);
  const data = new Float32Array(texts.length * embedder.dimension);
  progress.start(`embedding (${embedder.id})`, order.length);
  for (let start = 0; start < order.length; start += batchSize) {
    const batch = order.slice(start, start + batchSize);
    const vectors = await embedder.embed(batch);
    batch.forEach((text, k) => {
      for (const row of rowsByText.get(text)!) data.set(rowOf(vectors, k), row * embedder.dimension);
    });
    progress.advance(batch.length);
  }
  progress.stop();
  return { rows: texts.length, cols: embedder.dimension, data };
}

/** Raw little-endian float32 bytes (the format of embeddings.f32 and of the cache). */
export function littleEndianBytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i += 1) view.setFloat32(i * 4, values[i]!, true);
  return bytes;
}

export function float32FromLittleEndian(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < values.length; i += 1) values[i] = view.getFloat32(i * 4, true);
  return values;
}

/**
 * The configured transformer (KGAL_MODEL, KGAL_MODEL_QUANTIZED, ...) behind the on-disk cache: the model is
 * loaded only on a cache miss. Says on stderr whether the vectors came from the cache.
 */
export function cachedTransformerEmbedder(options: Omit<EmbeddingCacheOptions, 'batchSize'> = {}): SimulationEmbedder {
  const config = embedderConfigFromEnv();
  const source: EmbedderSource = { id: `${config.model}:${config.quantized ? 'int8' : 'fp32'}`, load: () => TransformersEmbedder.load(config) };
  return {
    id: source.id,
    async embedTexts(texts) {
      const { matrix, cached, file } = await embedTextsCached(source, texts, { ...options, batchSize: config.batchSize });
      process.stderr.write(`embeddings: ${cached ? 'cached' : 'computed and cached'} (${texts.length} texts) in ${file}\n`);
      return matrix;
    },
  };
}
