import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
export const fixture = (name: string): string => join(fixturesDir, name);

/** ../shared/data from the project root: the real datasets (read in place, never copied into the repo). */
export const sharedData = (...parts: string[]): string =>
  join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'data', ...parts);

export async function tempDir(prefix = 'kgal-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Writes a file with the given content into a fresh temp folder and returns its path. */
export async function tempFile(name: string, content: string | Uint8Array): Promise<string> {
  const path = join(await tempDir(), name);
  await writeFile(path, content);
  return path;
}
