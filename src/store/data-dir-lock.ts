import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreUnavailableError } from './graph-store.js';

const LOCK = 'LOCK';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One writer per data directory: a second process writing the same embedded store would silently lose
 * the first one's updates at its next snapshot. A lock left by a dead process is taken over.
 */
export async function acquireDataDirLock(dir: string): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, LOCK);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(path, 'wx');
      await handle.write(String(process.pid));
      await handle.close();
      return async () => {
        await rm(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      if (Number.isFinite(holder) && holder !== process.pid && processAlive(holder)) {
        throw new StoreUnavailableError(
          `the embedded store in ${dir} is in use by process ${holder} (stop it, or point KGAL_DATA_DIR elsewhere)`,
        );
      }
      await rm(path, { force: true });
    }
  }
  throw new StoreUnavailableError(`could not lock the embedded store in ${dir}`);
}
