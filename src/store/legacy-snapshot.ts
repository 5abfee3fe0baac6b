import { createReadStream, existsSync } from 'node:fs';
import { readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { StoreDamagedError } from './store-errors.js';
import { StoreUnavailableError } from './graph-store.js';
import { processAlive } from './process-alive.js';

/**
 * Reads the embedded store's former format (kgal 0.1 before the SQLite file): a `CURRENT` file naming a
 * snapshot folder of JSONL tables plus `embeddings.f32`. Only to import such a data directory once
 * into `kgal.sqlite` (or to read it without writing); nothing writes this format any more. Unlike the
 * old reader, a missing snapshot folder or table file is an error, not an empty table.
 */
const CURRENT = 'CURRENT';
/** What `CURRENT` is renamed to once its snapshot is in `kgal.sqlite`. */
export const IMPORTED_CURRENT = 'CURRENT.imported';
const OLD_LOCK = 'LOCK';
const TABLES = ['items', 'entities', 'relations', 'rounds', 'labelHistory', 'namedStates', 'meta', 'embeddings'] as const;
export type LegacyTable = (typeof TABLES)[number];

export interface LegacySnapshot {
  dir: string;
  /** The snapshot folder CURRENT points to. */
  path: string;
}

/** The snapshot a data directory of the former format holds, or undefined when it has no `CURRENT`. */
export async function findLegacySnapshot(dir: string): Promise<LegacySnapshot | undefined> {
  const currentFile = join(dir, CURRENT);
  if (!existsSync(currentFile)) return undefined;
  const name = (await readFile(currentFile, 'utf8')).trim();
  const reimport = `re-ingest into an empty data directory, or restore ${dir} from a backup`;
  if (name === '' || name.includes('/') || name.includes('\\')) {
    throw new StoreDamagedError(`${currentFile} (a data directory of the former snapshot format) names no snapshot folder ("${name}"): ${reimport}`);
  }
  const path = join(dir, name);
  if (!(await stat(path).catch(() => undefined))?.isDirectory()) {
    throw new StoreDamagedError(`${currentFile} names the snapshot folder ${name}, which is missing: the store is incomplete; ${reimport}`);
  }
  const missing = TABLES.filter((table) => !existsSync(join(path, `${table}.jsonl`)));
  if (missing.length > 0) {
    throw new StoreDamagedError(`snapshot ${path} lacks ${missing.map((t) => `${t}.jsonl`).join(', ')}: the store is incomplete; ${reimport}`);
  }
  return { dir, path };
}

/** Refuses to import while a kgal of the former format may still be writing snapshots here. */
export async function assertNoLegacyWriter(dir: string): Promise<void> {
  const holder = Number.parseInt(await readFile(join(dir, OLD_LOCK), 'utf8').catch(() => ''), 10);
  if (!Number.isFinite(holder) || holder === process.pid || !processAlive(holder)) return;
  throw new StoreUnavailableError(
    `the embedded store in ${dir} is in use by process ${holder}, an older kgal that writes the former snapshot format: stop it, then open the store again to import it`,
  );
}

/** Marks the snapshot as imported (kgal.sqlite now holds it); its folder is left for the user to delete. */
export async function markLegacyImported(dir: string): Promise<void> {
  if (existsSync(join(dir, CURRENT))) await rename(join(dir, CURRENT), join(dir, IMPORTED_CURRENT));
}

/** Removes the former format's LOCK file once its snapshot is imported (the new lock is kgal.lock). */
export async function removeLegacyLock(dir: string): Promise<void> {
  await rm(join(dir, OLD_LOCK), { force: true });
}

/** Streams the records of one table (JSONL, one record per line). */
export async function* readLegacyTable<T>(snapshot: LegacySnapshot, table: LegacyTable): AsyncGenerator<T> {
  const file = join(snapshot.path, `${table}.jsonl`);
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line += 1;
    if (text === '') continue;
    let record: T;
    try {
      record = JSON.parse(text) as T;
    } catch (error) {
      throw new StoreDamagedError(`${file}:${line} is not JSON (${(error as Error).message}): the snapshot is damaged`);
    }
    yield record;
  }
}

/** The vectors of the embeddings table, one Float32Array view per row (all sharing one buffer). */
export async function readLegacyVectors(snapshot: LegacySnapshot, dimensions: readonly number[]): Promise<Float32Array[]> {
  if (dimensions.length === 0) return [];
  const file = join(snapshot.path, 'embeddings.f32');
  const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new StoreDamagedError(`snapshot ${snapshot.path} lacks embeddings.f32: the store is incomplete`);
    throw error;
  });
  const total = dimensions.reduce((a, b) => a + b, 0);
  if (bytes.length !== total * 4) throw new StoreDamagedError(`${file} has ${bytes.length} bytes, expected ${total * 4}: the snapshot is damaged`);
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
