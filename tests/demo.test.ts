import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './support/fixtures.js';
import { modelSkipped } from './support/model.js';

const demo = join(__dirname, '..', 'dist', 'scripts', 'demo.js');
const run = (env: Record<string, string>) =>
  spawnSync(process.execPath, [demo], { env: { ...process.env, NEO4J_URI: '', ...env }, encoding: 'utf8', timeout: 180_000 });

describe('the README main job (npm run demo)', () => {
  it.skipIf(modelSkipped())('ingests the example pool, embeds it and picks 5 items with the gaps they fill', async () => {
    const result = run({ KGAL_DATA_DIR: await tempDir() });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("embedded 24 items (24 distinct texts)");
    expect(result.stdout).toMatch(/kg-guided: 5 of 19 candidates, round 1/);
    expect(result.stdout.match(/^\s+fills: /gm)).toHaveLength(5);
    expect(result.stdout).toMatch(/^room for knowledge: /m);
  });

  it('without a model and without the hub it builds the model offline first (with progress), then embeds and picks', async () => {
    const result = run({ KGAL_DATA_DIR: await tempDir(), KGAL_MODEL_DIR: await tempDir(), KGAL_ALLOW_REMOTE_MODELS: '0' });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^ {2}model: no embedding model at .* and the hub is disabled \(KGAL_ALLOW_REMOTE_MODELS\): building it offline as `npm run model` does/m);
    expect(result.stdout).toMatch(/^ {2}model: prepare-model: model ready: /m);
    expect(result.stdout).toContain('embedded 24 items (24 distinct texts)');
    expect(result.stdout).toMatch(/kg-guided: 5 of 19 candidates, round 1/);
  });

  it('without a model and no way to build it, it says why in one line, still selects by graph coverage, and says so', async () => {
    // A machine without python3 (and no build venv): the model can be neither downloaded nor built.
    const result = run({
      KGAL_DATA_DIR: await tempDir(),
      KGAL_MODEL_DIR: await tempDir(),
      KGAL_ALLOW_REMOTE_MODELS: '0',
      KGAL_PYTHON: '/nonexistent/python3',
      KGAL_MODEL_VENV: '/nonexistent/venv',
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^\(no embeddings: no embedding model at .* and the hub is disabled \(KGAL_ALLOW_REMOTE_MODELS\); cannot build it offline: \/nonexistent\/python3 not found \(install Python 3\.9\+ or set KGAL_PYTHON\)\)$/m);
    expect(result.stdout).toContain('selecting by knowledge-graph coverage only');
    expect(result.stdout).toMatch(/cold-start \(fallback: kg-guided needs a trained model: no embeddings: run `kgal embed`\): 5 of 19 candidates/);
  });
});
