import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CampaignFile } from '../src/simulation/campaign-file.js';
import type { SimulationSummary } from '../src/simulation/summary.js';
import { runKgal } from './support/cli.js';
import { sharedData, tempDir, tempFile } from './support/fixtures.js';
import { modelSkipped } from './support/model.js';

async function agNewsSlice(n: number): Promise<string> {
  const lines = (await readFile(sharedData('ag_news', 'ag_news_test.jsonl'), 'utf8')).split('\n').slice(0, n);
  return tempFile('ag_news_slice.jsonl', `${lines.join('\n')}\n`);
}

describe('kgal simulate: arguments', () => {
  it('refuses --eval together with --eval-fraction, unknown strategies and a budget beyond the pool', async () => {
    const pool = await agNewsSlice(40);
    const out = await tempDir('kgal-sim-cli-');
    const both = runKgal(['simulate', '--pool', pool, '--eval', pool, '--eval-fraction', '0.2', '--out', out]);
    expect(both.status).toBe(64); // usage
    expect(both.stderr).toContain('either --eval or --eval-fraction');
    const unknown = runKgal(['simulate', '--pool', pool, '--strategies', 'random,oracle', '--out', out]);
    expect(unknown.status).toBe(64);
    expect(unknown.stderr).toContain('unknown strategy oracle');
    const noOut = runKgal(['simulate', '--pool', pool]);
    expect(noOut.status).toBe(64);
    expect(noOut.stderr).toContain('--out <dir> is required');
    const tooMuch = runKgal(['simulate', '--pool', pool, '--budget', '100', '--out', out]);
    expect(tooMuch.status).toBe(64); // an option value the pool cannot satisfy
    expect(tooMuch.stderr).toContain('budget 100 exceeds the pool (32 items)');
  });

  it('report on a directory without rounds says so', async () => {
    const result = runKgal(['simulate', 'report', await tempDir('kgal-sim-cli-')]);
    expect(result.status).toBe(64);
    expect(result.stderr).toContain('no rounds');
  });
});

describe.skipIf(modelSkipped())('kgal simulate with the real model on an AG News slice', () => {
  it('runs a campaign, caches embeddings, writes every output; report re-reads modAL rows', async () => {
    const pool = await agNewsSlice(120);
    const out = await tempDir('kgal-sim-cli-');
    const cacheDir = await tempDir('kgal-sim-cache-');
    const args = ['simulate', '--pool', pool, '--eval-fraction', '0.25', '--strategies', 'random,entropy,kg-guided', '--budget', '40', '--batch', '10', '--initial', '10', '--repeats', '2', '--seed', '1', '--out', out, '--cache-dir', cacheDir];
    const first = runKgal(args);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toContain('embeddings: computed and cached (120 texts)');
    expect(first.stderr).toMatch(/\[6\/6\] kg-guided repeat 1: 40 labels, accuracy [\d.]+ %.*ETA/);
    expect(first.stdout).toContain('| kg-guided |');
    for (const file of ['summary.json', 'summary.md', 'rounds.csv', 'round-signals.csv', 'campaign.json', 'embeddings.f32', 'learning-curves.png', 'learning-curves.svg', 'coverage.png']) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    const campaign = JSON.parse(await readFile(join(out, 'campaign.json'), 'utf8')) as CampaignFile;
    expect(campaign).toMatchObject({ budget: 40, batch: 10, initial: 10, evalFraction: 0.25, embeddings: { dim: 384, rows: 120 } });
    expect(campaign.pool.ids).toHaveLength(90);
    expect((await readFile(join(out, 'embeddings.f32'))).byteLength).toBe(120 * 384 * 4);

    const second = runKgal([...args, '--out', await tempDir('kgal-sim-cli-'), '--no-charts']);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).toContain('embeddings: cached (120 texts)');

    const rounds = (await readFile(join(out, 'rounds.csv'), 'utf8')).split('\n');
    const modal = rounds.slice(1).filter((l) => l.startsWith('entropy,')).map((l) => l.replace(/^entropy,/, 'modal-entropy,'));
    await writeFile(join(out, 'modal-rounds.csv'), `${rounds[0]}\n${modal.join('\n')}\n`);
    const report = runKgal(['simulate', 'report', out, '--no-charts']);
    expect(report.status, report.stderr).toBe(0);
    expect(report.stdout).toContain('read modal-rounds.csv, rounds.csv');
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as SimulationSummary;
    expect(summary.strategies.map((s) => s.strategy)).toEqual(['random', 'entropy', 'kg-guided', 'modal-entropy']);
  });
});
