import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { StoreUnavailableError } from './graph-store.js';

/** The lock file of a data directory: a tiny SQLite database whose exclusive lock one writer process holds. */
export const LOCK_FILE = 'kgal.lock';
/** The holder's pid, written beside the lock so that a refused process can say who holds it (information only). */
const PID_FILE = 'kgal.pid';
/** Written by `kgal serve` beside the lock: where the process holding the store answers HTTP (`kgal embed` asks it). */
const SERVER_FILE = 'kgal.server.json';

/** The data directory is held by another writer process (`holderPid` when known); a `kgal serve` may be it. */
export class StoreLockedError extends StoreUnavailableError {
  constructor(
    message: string,
    readonly dir: string,
    readonly holderPid?: number,
  ) {
    super(message);
    this.name = 'StoreLockedError';
  }
}

export interface ServerAddress {
  url: string;
  pid: number;
}

/** `kgal serve` records its URL beside the lock it holds, so other commands on the same store can ask it. */
export function writeServerAddress(dir: string, url: string): void {
  writeFileSync(join(dir, SERVER_FILE), JSON.stringify({ url, pid: process.pid } satisfies ServerAddress) + '\n');
}

export function removeServerAddress(dir: string): void {
  rmSync(join(dir, SERVER_FILE), { force: true });
}

/** The server recorded in `dir`, when there is one and it is the process holding the lock (not a stale file). */
export function readServerAddress(dir: string, holderPid?: number): ServerAddress | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(dir, SERVER_FILE), 'utf8')) as Partial<ServerAddress>;
    if (typeof parsed.url !== 'string' || typeof parsed.pid !== 'number') return undefined;
    if (holderPid !== undefined && parsed.pid !== holderPid) return undefined;
    return { url: parsed.url, pid: parsed.pid };
  } catch {
    return undefined;
  }
}

export interface StoreLock {
  /** Whether a store file was created in this directory (recorded in the lock file by markStoreCreated). */
  readonly storeCreated: boolean;
  /** Records that the store file now exists: from then on its absence is a lost store, not a new one. */
  markStoreCreated(): void;
  release(): void;
}

/**
 * Creates `dir` and its missing parents one level at a time. Node 20's `mkdir(..., { recursive: true })`
 * spins forever on some paths it cannot create (`/proc/x`); this fails at once with the reason instead.
 */
export function ensureDirectory(dir: string): void {
  const path = resolve(dir);
  const missing: string[] = [];
  let at = path;
  for (;;) {
    let found: ReturnType<typeof statSync>;
    try {
      found = statSync(at, { throwIfNoEntry: false });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new StoreUnavailableError(`cannot use ${path} as the embedded store directory: ${code === 'ENOTDIR' ? 'a part of it is not a directory' : (error as Error).message}`);
    }
    if (found) {
      if (!found.isDirectory()) throw new StoreUnavailableError(`cannot use ${path} as the embedded store directory: ${at} is not a directory`);
      break;
    }
    missing.unshift(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && statSync(level, { throwIfNoEntry: false })?.isDirectory()) continue;
      throw new StoreUnavailableError(`cannot create the embedded store directory ${path}: ${code ?? (error as Error).message} at ${level}`);
    }
  }
}

/**
 * One writer process per data directory. The in-memory indexes of the embedded store are a cache over
 * its SQLite file, so a second writer would work from a stale cache and undo the first one's writes.
 * The lock is SQLite's own exclusive file lock (fcntl) on `kgal.lock`, held by an open connection in
 * EXCLUSIVE locking mode: the operating system drops it when the holder exits in any way (kill -9
 * included), so there are no stale locks to take over, and a second connection, in this process or
 * another, gets SQLITE_BUSY at once. Readers (`readOnly`) do not take it.
 *
 * Never open `kgal.lock` (or the store file) with node:fs in a process that holds it: closing any
 * descriptor of a file drops that process's fcntl locks on it.
 */
export function acquireStoreLock(dir: string): StoreLock {
  ensureDirectory(dir);
  const path = join(dir, LOCK_FILE);
  let db: Database.Database | undefined;
  let storeCreated = false;
  try {
    db = new Database(path, { timeout: 0 });
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = MEMORY');
    db.exec('BEGIN EXCLUSIVE');
    // A real write: only a write makes EXCLUSIVE locking mode keep the lock after COMMIT.
    db.exec('CREATE TABLE IF NOT EXISTS kgal_lock (id INTEGER PRIMARY KEY, pid INTEGER, since TEXT, store_created INTEGER NOT NULL DEFAULT 0)');
    db.prepare('INSERT INTO kgal_lock (id, pid, since) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, since = excluded.since').run(
      process.pid,
      new Date().toISOString(),
    );
    storeCreated = (db.prepare('SELECT store_created FROM kgal_lock WHERE id = 1').pluck().get() as number) === 1;
    db.exec('COMMIT');
  } catch (error) {
    db?.close();
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      const holder = Number.parseInt(readPid(join(dir, PID_FILE)), 10);
      const who = Number.isFinite(holder) ? `process ${holder}` : 'another process';
      throw new StoreLockedError(`the embedded store in ${dir} is in use by ${who} (stop it, or point KGAL_DATA_DIR elsewhere)`, dir, Number.isFinite(holder) ? holder : undefined);
    }
    throw new StoreUnavailableError(`cannot lock the embedded store in ${dir}: ${(error as Error).message} (is the directory writable?)`);
  }
  try {
    writeFileSync(join(dir, PID_FILE), `${process.pid}\n`);
  } catch {
    // Information only: the lock itself is held.
  }
  const held = db;
  return {
    storeCreated,
    markStoreCreated: () => {
      held.exec('UPDATE kgal_lock SET store_created = 1 WHERE id = 1');
    },
    release: () => {
      if (!held.open) return;
      rmSync(join(dir, PID_FILE), { force: true });
      removeServerAddress(dir);
      held.close();
    },
  };
}

/**
 * For readers (who do not take the lock): whether the lock file records that a store file was created
 * here. A lock file held by a writer cannot be read; that counts as yes (a writer is at work, so a store
 * file should be there).
 */
export function lockRecordsStore(dir: string): boolean {
  const path = join(dir, LOCK_FILE);
  if (!existsSync(path)) return false;
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: 0 });
    return (db.prepare('SELECT store_created FROM kgal_lock WHERE id = 1').pluck().get() as number | undefined) === 1;
  } catch (error) {
    return (error as { code?: string }).code === 'SQLITE_BUSY';
  } finally {
    db?.close();
  }
}

function readPid(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}
