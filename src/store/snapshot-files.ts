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

export async function writeSnapshot(dir: string, tables: SnapshotTables): Promise<void> {
  await mkdir(dir, { recursive: true });
  const name = `${SNAPSHOT_PREFIX}${Date.now().toString(36)}-${process.pid}`;
  const tmp = join(dir, name + TMP_SUFFIX);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp);
  for (const [table, records] of Object.entries(tables)) await writeJsonl(join(tmp, `${table}.jsonl`), records);
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
