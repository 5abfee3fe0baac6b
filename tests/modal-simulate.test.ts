import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createRandom, shuffled, type SeededRandom } from '../src/model/seeded-random.js';
import { ROUND_COLUMNS } from '../src/simulation/round-row.js';
import { tempDir } from './support/fixtures.js';

/**
 * scripts/reference/modal-simulate.sh on a tiny synthetic campaign (three Gaussian blobs), without waiting for
 * `kgal simulate`: the script's contract is campaign.json + embeddings.f32 in, modal-rounds.csv out.
 * The first run may install the pinned modAL venv from PyPI (scripts/reference/modal-venv.sh, about a minute);
 * KGAL_SKIP_MODAL=1 skips these tests where no Python or PyPI is available.
 */
const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'scripts', 'reference', 'modal-simulate.sh');
const skip = process.env.KGAL_SKIP_MODAL === '1' && process.env.CI !== 'true'; // never skipped in CI
const CLASSES = ['alpha', 'beta', 'gamma'];
const DIM = 8;

interface SyntheticCampaign {
  budget: number;
  batch: number;
  initial: number;
  seeds: number[];
}

function gaussian(rng: SeededRandom): number {
  // Box–Muller; 1 − u keeps the log finite.
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** n items, classes in turn, each a unit-variance blob around its class centre (centres 3 apart on axes). */
function blobs(rng: SeededRandom, n: number, prefix: string): { ids: string[]; labels: string[]; rows: number[][] } {
  const ids: string[] = [];
  const labels: string[] = [];
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const k = i % CLASSES.length;
    ids.push(`${prefix}${String(i).padStart(3, '0')}`);
    labels.push(CLASSES[k]!);
    rows.push(Array.from({ length: DIM }, (_, d) => (d === k ? 3 : 0) + gaussian(rng)));
  }
  return { ids, labels, rows };
}

/** Writes campaign.json + embeddings.f32 as `kgal simulate --out` does: 120 pool and 60 eval items. */
async function writeCampaign(options: SyntheticCampaign): Promise<string> {
  const dir = await tempDir('kgal-modal-sim-');
  const rng = createRandom(42);
  const pool = blobs(rng, 120, 'p');
  const evaluation = blobs(rng, 60, 'e');
  const repeats = options.seeds.map((seed, repeat) => ({
    repeat,
    seed,
    // A random initial set per seed (6 of 120 items: almost surely two classes or more).
    initial: shuffled(createRandom(seed), pool.ids).slice(0, options.initial),
  }));
  const campaign = {
    dataset: 'blobs',
    budget: options.budget,
    batch: options.batch,
    initial: options.initial,
    pool: { ids: pool.ids, labels: pool.labels },
    eval: { ids: evaluation.ids, labels: evaluation.labels },
    repeats,
    embeddings: { file: 'embeddings.f32', dim: DIM, rows: 180 },
  };
  const values = new Float32Array([...pool.rows, ...evaluation.rows].flat());
  await writeFile(join(dir, 'embeddings.f32'), Buffer.from(values.buffer)); // little-endian on every Node platform we run
  await writeFile(join(dir, 'campaign.json'), JSON.stringify(campaign));
  return dir;
}

function runScript(args: string[]): SpawnSyncReturns<string> {
  return spawnSync('bash', [script, ...args], { encoding: 'utf8', timeout: 600_000 });
}

interface CsvRow {
  [column: string]: string;
}

function parseCsv(text: string): { header: string[]; rows: CsvRow[] } {
  const [head, ...lines] = text.trimEnd().split('\n');
  const header = head!.split(',');
  const rows = lines.map((line) => Object.fromEntries(line.split(',').map((cell, i) => [header[i]!, cell])));
  return { header, rows };
}

describe.skipIf(skip)('modal-simulate.sh (modAL side by side)', () => {
  it('runs modAL entropy and random per repeat and round, in the shared round-row format', async () => {
    const dir = await writeCampaign({ budget: 60, batch: 10, initial: 6, seeds: [1, 2] });
    const result = runScript([dir]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain('modal-entropy');

    const { header, rows } = parseCsv(await readFile(join(dir, 'modal-rounds.csv'), 'utf8'));
    expect(header).toEqual([...ROUND_COLUMNS]);
    // 2 strategies × 2 repeats × (round 0 + 6 rounds of 10 from 6 to 60: 16, 26, ..., 56, 60).
    expect(rows).toHaveLength(2 * 2 * 7);
    for (const strategy of ['modal-entropy', 'modal-random']) {
      for (const [repeat, seed] of [[0, 1], [1, 2]] as const) {
        const run = rows.filter((r) => r.strategy === strategy && r.repeat === String(repeat));
        expect(run.map((r) => Number(r.round))).toEqual([0, 1, 2, 3, 4, 5, 6]);
        expect(run.map((r) => Number(r.labels))).toEqual([6, 16, 26, 36, 46, 56, 60]);
        expect(run.every((r) => r.seed === String(seed))).toBe(true);
        expect(run[0]!.millis).toBe('');
        for (const r of run) {
          expect(Number(r.accuracy)).toBeGreaterThanOrEqual(0);
          expect(Number(r.accuracy)).toBeLessThanOrEqual(1);
          expect(Number(r.macroF1)).toBeGreaterThanOrEqual(0);
          expect(Number(r.macroF1)).toBeLessThanOrEqual(1);
          for (const coverage of ['centralityCoverage', 'entityCoverage', 'goldEntityCoverage', 'goldTripleCoverage', 'goldTripleEndpointCoverage']) {
            expect(r[coverage]).toBe('');
          }
        }
        for (const r of run.slice(1)) expect(Number(r.millis)).toBeGreaterThan(0);
        // Three well-separated blobs: far above chance (1/3) at the end.
        expect(Number(run.at(-1)!.accuracy)).toBeGreaterThan(0.8);
        expect(Number(run.at(-1)!.macroF1)).toBeGreaterThan(0.8);
      }
    }
  }, 600_000);

  it('starts cold with a random batch until two classes are labeled, and evaluates no model as kgal does', async () => {
    const dir = await writeCampaign({ budget: 30, batch: 15, initial: 0, seeds: [7] });
    const out = join(dir, 'cold.csv');
    const result = runScript([dir, '--strategies', 'modal-entropy', '--out', out]);
    expect(result.status, result.stderr).toBe(0);
    const { rows } = parseCsv(await readFile(out, 'utf8'));
    expect(rows.map((r) => [r.strategy, r.round, r.labels])).toEqual([
      ['modal-entropy', '0', '0'],
      ['modal-entropy', '1', '15'],
      ['modal-entropy', '2', '30'],
    ]);
    // No model before any label: nothing predicted.
    expect([Number(rows[0]!.accuracy), Number(rows[0]!.macroF1)]).toEqual([0, 0]);
    expect(Number(rows[2]!.accuracy)).toBeGreaterThan(0.8);

    // One labeled item = one class: no model, every eval item predicted as that class (kgal's rule). The eval
    // split has 20 items per class: accuracy 1/3, macro-F1 = (2·20 / (2·20 + 40)) / 3 = 1/6.
    const oneItem = await writeCampaign({ budget: 2, batch: 1, initial: 0, seeds: [3] });
    expect(runScript([oneItem]).status).toBe(0);
    const oneRows = parseCsv(await readFile(join(oneItem, 'modal-rounds.csv'), 'utf8')).rows.filter((r) => r.labels === '1');
    expect(oneRows.map((r) => [r.strategy, Number(r.accuracy), Number(r.macroF1)])).toEqual([
      ['modal-entropy', expect.closeTo(1 / 3, 12), expect.closeTo(1 / 6, 12)],
      ['modal-random', expect.closeTo(1 / 3, 12), expect.closeTo(1 / 6, 12)],
    ]);
  }, 600_000);

  it('exits with status 2 and one clear line on a bad directory', async () => {
    const missing = runScript([join(await tempDir(), 'nope')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/campaign\.json not found/);

    const dir = await writeCampaign({ budget: 30, batch: 10, initial: 6, seeds: [1] });
    await writeFile(join(dir, 'embeddings.f32'), Buffer.alloc(12));
    const truncated = runScript([dir]);
    expect(truncated.status).toBe(2);
    expect(truncated.stderr).toMatch(/embeddings\.f32: 3 float32 values, expected rows x dim = 180 x 8/);

    const other = await writeCampaign({ budget: 30, batch: 10, initial: 6, seeds: [1] });
    const campaign = JSON.parse(await readFile(join(other, 'campaign.json'), 'utf8')) as { repeats: Array<{ initial: string[] }> };
    campaign.repeats[0]!.initial = ['not-a-pool-id'];
    await writeFile(join(other, 'campaign.json'), JSON.stringify(campaign));
    const badId = runScript([other]);
    expect(badId.status).toBe(2);
    expect(badId.stderr).toMatch(/repeats\[0\]\.initial holds ids not in the pool, e\.g\. 'not-a-pool-id'/);
  }, 600_000);
});
