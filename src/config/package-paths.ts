import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root (the folder holding package.json and cypher/), found by walking up from this module:
 * the same code runs from src/ under vitest and from dist/src/ when built.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'cypher'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('kgal package root not found (no package.json with a cypher/ folder above this module)');
    dir = parent;
  }
}

export function cypherFile(name: string): string {
  return join(packageRoot(), 'cypher', name);
}
