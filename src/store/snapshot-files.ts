import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * Crash-safe snapshots of a data directory: each snapshot is a folder of JSONL files written under a
 * temporary name, fsynced, renamed, and only then published by atomically replacing the CURRENT file.
 * A crash at any point leaves the previous snapshot intact and readable.
 */
const CURRENT = 'CURRENT';
const SNAPSHOT_PREFIX = 'snapshot-';
const TMP_SUFFIX = '.tmp';
const CHUNK_BYTES = 1 << 20;

export type SnapshotTables = Record<string, Iterable<unknown>>;
export type VectorTables = Record<string, Iterable<Float32Array>>;

export async function readCurrentSnapshot(dir: string): Promise<string | undefined> {
  try {
    const name = (await readFile(join(dir, CURRENT), 'utf8')).trim();
    return name === '' ? undefined : join(dir, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Streams the records of one table of a snapshot (JSONL, one record per line). */
export async function* readTable<T>(snapshot: string, table: string): AsyncGenerator<T> {
  const input = createReadStream(join(snapshot, `${table}.jsonl`), { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      if (line !== '') yield JSON.parse(line) as T;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
}

/**
 * Writes a snapshot: JSONL tables, plus binary vector tables (`<name>.f32`, the vectors concatenated as
 * little-endian float32, in the order of a JSONL table that indexes them).
 */
export async function writeSnapshot(dir: string, tables: SnapshotTables, vectorTables: VectorTables = {}): Promise<void> {
  await mkdir(dir, { recursive: true });
  const name = `${SNAPSHOT_PREFIX}${Date.now().toString(36)}-${process.pid}`;
  const tmp = join(dir, name + TMP_SUFFIX);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp);
  for (const [table, records] of Object.entries(tables)) await writeJsonl(join(tmp, `${table}.jsonl`), records);
  for (const [table, vectors] of Object.entries(vectorTables)) await writeFloat32(join(tmp, `${table}.f32`), vectors);
  await fsyncPath(tmp);
  await rename(tmp, join(dir, name));
  const currentTmp = join(dir, CURRENT + TMP_SUFFIX);
  await writeWhole(currentTmp, name + '\n');
  await rename(currentTmp, join(dir, CURRENT));
  await fsyncPath(dir);
  await removeStaleSnapshots(dir, name);
}

async function removeStaleSnapshots(dir: string, keep: string): Promise<void> {
  for (const entry of await readdir(dir)) {
    if (entry.startsWith(SNAPSHOT_PREFIX) && entry !== keep) await rm(join(dir, entry), { recursive: true, force: true });
  }
}

async function writeJsonl(path: string, records: Iterable<unknown>): Promise<void> {
  const handle = await open(path, 'w');
  try {
    let chunk = '';
    for (const record of records) {
      chunk += JSON.stringify(record) + '\n';
      if (chunk.length >= CHUNK_BYTES) {
        await handle.write(chunk);
        chunk = '';
      }
    }
    if (chunk !== '') await handle.write(chunk);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function writeFloat32(path: string, vectors: Iterable<Float32Array>): Promise<void> {
  const handle = await open(path, 'w');
  try {
    const chunk: Float32Array[] = [];
    let length = 0;
    const flush = async (): Promise<void> => {
      const buffer = new Float32Array(length);
      let at = 0;
      for (const v of chunk) {
        buffer.set(v, at);
        at += v.length;
      }
      await handle.write(new Uint8Array(buffer.buffer));
      chunk.length = 0;
      length = 0;
    };
    for (const vector of vectors) {
      chunk.push(vector);
      length += vector.length;
      if (length * 4 >= CHUNK_BYTES) await flush();
    }
    if (length > 0) await flush();
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Reads a vector table back as one Float32Array view per row (all sharing one buffer). */
export async function readVectors(snapshot: string, table: string, dimensions: readonly number[]): Promise<Float32Array[]> {
  if (dimensions.length === 0) return [];
  const bytes = await readFile(join(snapshot, `${table}.f32`));
  const total = dimensions.reduce((a, b) => a + b, 0);
  if (bytes.length !== total * 4) throw new Error(`${table}.f32 in ${snapshot} has ${bytes.length} bytes, expected ${total * 4}`);
  const aligned = new Float32Array(total);
  new Uint8Array(aligned.buffer).set(bytes);
  const rows: Float32Array[] = [];
  let at = 0;
  for (const dimension of dimensions) {
    rows.push(aligned.subarray(at, at + dimension));
    at += dimension;
  }
  return rows;
}

async function writeWhole(path: string, text: string): Promise<void> {
  const handle: FileHandle = await open(path, 'w');
  try {
    await handle.write(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
