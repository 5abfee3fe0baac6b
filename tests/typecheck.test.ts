import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/** The tests are TypeScript too: they must type-check under the project's strict settings, like src/. */
describe('type-check', () => {
  it('src, graph, scripts and tests compile without errors (tsconfig.tests.json)', async () => {
    const result = await promisify(execFile)('npx', ['tsc', '-p', 'tsconfig.tests.json'], { maxBuffer: 16 * 1024 * 1024 }).then(
      ({ stdout }) => ({ code: 0, output: stdout }),
      (error: { code?: number; stdout?: string }) => ({ code: error.code ?? 1, output: error.stdout ?? String(error) }),
    );
    expect(result.output.split('\n').filter((line) => line.includes('error TS'))).toEqual([]);
    expect(result.code).toBe(0);
  }, 180_000);
});
