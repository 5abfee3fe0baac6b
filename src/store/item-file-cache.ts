/**
 * Local files of what a Neo4j store reads in full on a process's first query and keeps in memory under the
 * database's items token (neo4j-store.ts): the embedding matrix, the item → entity listing and the items'
 * static fields (id, meta, fingerprint). A new process (a CLI query, a restarted API server) then reads
 * them from disk instead of Bolt: at 100k items that was 1.5-1.9 s for the vectors and ~1 s for the two
 * listings, against ~0.1 s from the files.
 *
 * These files are a cache, never a source of truth. A file holds one listing of one database as of one
 * items token (the random token every item upsert and embedding write renews) and is used only while the
 * database's current token is that token; anything else (another token, a cleared database with no token,
 * a short, foreign or unreadable file) is a miss, and the store reads Bolt and rewrites the file. Only
 * upserts write mentions, meta and fingerprints, and only upserts and embedding writes change vectors,
 * so the token covers all three; labels and leases are never cached. Deleting the directory is always
 * safe. Writes go to a temporary file renamed into place: a reader sees the old file or the new one.
 *
 * Vectors (platform byte order, recorded in the header): "KGALVEC1", uint32 header length, header JSON
 * ({token, rows, cols, endianness, idsBytes}), zero padding to a multiple of 4, rows × cols float32, the
 * ids as a JSON array of idsBytes bytes. Listings: "KGALLST1", uint32 header length, header JSON ({token,
 * kind}), the listing as JSON.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import { basename, join } from 'node:path';
import type { Matrix } from '../model/matrix.js';
import { processAlive } from './process-alive.js';

const VECTORS = 'KGALVEC1';
const LISTING = 'KGALLST1';
/** Reads and writes in slices: one call is capped at 2 GiB, and a 1M × 384 matrix is 1.5 GB. */
const SLICE = 64 * 1024 * 1024;
const MAX_HEADER = 4096;

export interface CachedVectors {
  ids: string[];
  matrix: Matrix<Float32Array>;
}

/** The listings kept beside the vectors. */
export type ListingKind = 'mentions' | 'summaries';

interface VectorHeader {
  token: string;
  rows: number;
  cols: number;
  endianness: string;
  idsBytes: number;
}

export class ItemFileCache {
  private readonly base: string;

  /** `database`: what names the database (URI and database name); one set of files per database. */
  constructor(
    readonly dir: string,
    database: string,
  ) {
    this.base = join(dir, createHash('sha256').update(database).digest('hex').slice(0, 24));
  }

  /** The file of the vectors, or of a listing. */
  file(kind: 'vectors' | ListingKind): string {
    return `${this.base}.${kind}`;
  }

  /** The vectors stored under `token`, or undefined (no file, another token, or a file that does not add up). */
  async readVectors(token: string): Promise<CachedVectors | undefined> {
    return this.withFile(this.file('vectors'), async (handle, size) => {
      const header = await readHeader(handle, VECTORS);
      if (!header) return undefined;
      const h = vectorHeader(header.json);
      if (!h || h.token !== token || h.endianness !== endianness()) return undefined;
      const dataStart = align4(header.end);
      const dataBytes = h.rows * h.cols * 4;
      if (size !== dataStart + dataBytes + h.idsBytes) return undefined;
      const data = new Float32Array(h.rows * h.cols);
      if (!(await readFully(handle, new Uint8Array(data.buffer), dataStart))) return undefined;
      const idBytes = Buffer.alloc(h.idsBytes);
      if (!(await readFully(handle, idBytes, dataStart + dataBytes))) return undefined;
      const ids = JSON.parse(idBytes.toString('utf8')) as unknown;
      if (!Array.isArray(ids) || ids.length !== h.rows || !ids.every((id) => typeof id === 'string')) return undefined;
      return { ids: ids as string[], matrix: { rows: h.rows, cols: h.cols, data } };
    });
  }

  /** Stores the vectors under `token`, replacing the file atomically. Failures are swallowed: a cache is optional. */
  async writeVectors(token: string, vectors: CachedVectors): Promise<void> {
    const { rows, cols, data } = vectors.matrix;
    const ids = Buffer.from(JSON.stringify(vectors.ids), 'utf8');
    const start = headerBytes(VECTORS, { token, rows, cols, endianness: endianness(), idsBytes: ids.length } satisfies VectorHeader);
    const padding = Buffer.alloc(align4(start.length) - start.length);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, rows * cols * 4);
    const slices: Uint8Array[] = [];
    for (let at = 0; at < bytes.length; at += SLICE) slices.push(bytes.subarray(at, Math.min(bytes.length, at + SLICE)));
    await this.replace(this.file('vectors'), [start, padding, ...slices, ids]);
  }

  /** A listing stored under `token` (as it was written: the caller's own JSON shape), or undefined. */
  async readListing<T>(kind: ListingKind, token: string): Promise<T | undefined> {
    return this.withFile(this.file(kind), async (handle, size) => {
      const header = await readHeader(handle, LISTING);
      if (!header) return undefined;
      const h = header.json as { token?: unknown; kind?: unknown } | undefined;
      if (h?.token !== token || h.kind !== kind) return undefined;
      const body = Buffer.alloc(size - header.end);
      if (!(await readFully(handle, body, header.end))) return undefined;
      return JSON.parse(body.toString('utf8')) as T;
    });
  }

  /** Stores a listing under `token` (JSON), replacing the file atomically; failures are swallowed. */
  async writeListing(kind: ListingKind, token: string, listing: unknown): Promise<void> {
    await this.replace(this.file(kind), [headerBytes(LISTING, { token, kind }), Buffer.from(JSON.stringify(listing), 'utf8')]);
  }

  private async withFile<T>(file: string, read: (handle: FileHandle, size: number) => Promise<T | undefined>): Promise<T | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
    } catch {
      return undefined;
    }
    try {
      return await read(handle, (await handle.stat()).size);
    } catch {
      return undefined; // a file that cannot be read or parsed is a miss
    } finally {
      await handle.close();
    }
  }

  private async replace(file: string, parts: readonly Uint8Array[]): Promise<void> {
    const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const handle = await open(temporary, 'w', 0o600);
      try {
        for (const part of parts) await handle.write(part);
      } finally {
        await handle.close();
      }
      await rename(temporary, file);
    } catch {
      await rm(temporary, { force: true }).catch(() => undefined);
    }
    await removeOrphans(file);
  }
}

/**
 * Temporary files of `file` left by processes that died while writing (killed mid-write: at 1M items
 * 1.5 GB each). A live process's temporary file may be a write in flight and stays.
 */
async function removeOrphans(file: string): Promise<void> {
  const prefix = `${basename(file)}.`;
  try {
    for (const name of await readdir(join(file, '..'))) {
      const match = name.startsWith(prefix) ? /^(\d+)\.[\w-]+\.tmp$/.exec(name.slice(prefix.length)) : null;
      if (match && !processAlive(Number(match[1]))) await rm(join(file, '..', name), { force: true });
    }
  } catch {
    // a cache that cannot be tidied is still a cache
  }
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

/** Magic, uint32 LE length, header JSON. */
function headerBytes(magic: string, header: object): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const start = Buffer.alloc(magic.length + 4);
  start.write(magic, 0, 'latin1');
  start.writeUInt32LE(json.length, magic.length);
  return Buffer.concat([start, json]);
}

/** The parsed header and where it ends, or undefined when the file does not start with `magic` and a header. */
async function readHeader(handle: FileHandle, magic: string): Promise<{ json: unknown; end: number } | undefined> {
  const start = Buffer.alloc(magic.length + 4);
  if ((await handle.read(start, 0, start.length, 0)).bytesRead !== start.length || start.toString('latin1', 0, magic.length) !== magic) return undefined;
  const length = start.readUInt32LE(magic.length);
  if (length > MAX_HEADER) return undefined;
  const json = Buffer.alloc(length);
  if ((await handle.read(json, 0, length, start.length)).bytesRead !== length) return undefined;
  return { json: JSON.parse(json.toString('utf8')) as unknown, end: start.length + length };
}

function vectorHeader(json: unknown): VectorHeader | undefined {
  const h = json as Partial<VectorHeader> | undefined;
  const count = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;
  if (typeof h?.token !== 'string' || !count(h.rows) || !count(h.cols) || typeof h.endianness !== 'string' || !count(h.idsBytes)) return undefined;
  return h as VectorHeader;
}

async function readFully(handle: FileHandle, into: Uint8Array, position: number): Promise<boolean> {
  for (let done = 0; done < into.length; ) {
    const { bytesRead } = await handle.read(into, done, Math.min(SLICE, into.length - done), position + done);
    if (bytesRead === 0) return false;
    done += bytesRead;
  }
  return true;
}
