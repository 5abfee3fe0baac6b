import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryPool } from '../src/selector/query-pool.js';
import type { CampaignFile } from '../src/simulation/campaign-file.js';
import { float32FromLittleEndian } from '../src/simulation/embedding-cache.js';
import { KnowledgeCoverageMeter } from '../src/simulation/knowledge-coverage.js';
import { labelSchedule } from '../src/simulation/label-schedule.js';
import { readLabeledFile, type LabeledExample } from '../src/simulation/labeled-dataset.js';
import { prepareDataset, type PreparedDataset } from '../src/simulation/prepared-dataset.js';
import { parseRoundsCsv, parseSignalsCsv } from '../src/simulation/rounds-csv.js';
import { runSimulation, type SimulationResult } from '../src/simulation/run-simulation.js';
import { writeSimulationReport } from '../src/simulation/simulation-report.js';
import { restoreSnapshot } from '../src/simulation/store-snapshot.js';
import { stratifiedSplit } from '../src/simulation/stratified-split.js';
import { fakeEmbedder } from './support/fake-embedder.js';
import { sharedData, tempDir, tempFile } from './support/fixtures.js';

const STRATEGIES = ['random', 'entropy', 'margin', 'bald', 'coverage', 'kg-guided', 'auto'] as const;
const PLAN = { budget: 60, batch: 10, initial: 10, repeats: 2, seed: 1 };

async function firstLines(file: string, n: number): Promise<string[]> {
  return (await readFile(file, 'utf8')).split('\n').filter((l) => l.trim() !== '').slice(0, n);
}

/** Every `stride`-th line (WebNLG files are sorted by category: a stride gives every category). */
async function everyNth(file: string, stride: number): Promise<string[]> {
  return (await readFile(file, 'utf8')).split('\n').filter((l, i) => l.trim() !== '' && i % stride === 0);
}

describe('simulation engine on an AG News slice (fake embedder)', () => {
  let prepared: PreparedDataset;
  let result: SimulationResult;
  let outDir: string;
  let embedder: ReturnType<typeof fakeEmbedder>;

  beforeAll(async () => {
    const examples = await readLabeledFile(await tempFile('ag_news_slice.jsonl', (await firstLines(sharedData('ag_news', 'ag_news_test.jsonl'), 300)).join('\n')));
    const split = stratifiedSplit(examples, { fraction: 0.25, seed: 1 });
    embedder = fakeEmbedder();
    prepared = await prepareDataset({ dataset: 'ag_news_slice', pool: split.pool, eval: split.eval, embedder });
    outDir = await tempDir('kgal-sim-');
    result = await runSimulation(prepared, { ...PLAN, strategies: STRATEGIES, evalFraction: 0.25 }, outDir);
  });

  it('computes embeddings once for every strategy and repeat', () => {
    expect(embedder.calls).toBe(1);
    expect(prepared.poolEmbeddings.rows).toBe(225);
    expect(prepared.evalEmbeddings.rows).toBe(75);
  });

  it('follows the schedule in every run and never buys an item twice', () => {
    const schedule = labelSchedule(PLAN);
    expect(schedule).toEqual([10, 20, 30, 40, 50, 60]);
    const poolIds = new Set(prepared.pool.map((e) => e.id));
    const evalIds = new Set(prepared.eval.map((e) => e.id));
    for (const strategy of STRATEGIES) {
      for (let repeat = 0; repeat < PLAN.repeats; repeat += 1) {
        const rows = result.rows.filter((r) => r.strategy === strategy && r.repeat === repeat);
        expect(rows.map((r) => r.labels), `${strategy}/${repeat}`).toEqual(schedule);
        expect(rows.map((r) => r.round)).toEqual([0, 1, 2, 3, 4, 5]);
        const picks = result.picks.get(`${strategy}/${repeat}`)!;
        expect(picks[0]).toEqual(result.campaign.repeats[repeat]!.initial);
        const bought = picks.flat();
        expect(new Set(bought).size).toBe(bought.length);
        expect(bought.every((id) => poolIds.has(id) && !evalIds.has(id))).toBe(true);
        for (const row of rows) {
          expect(row.accuracy).toBeGreaterThanOrEqual(0);
          expect(row.accuracy).toBeLessThanOrEqual(1);
          expect(row.seed).toBe(PLAN.seed + repeat);
          expect(row.centralityCoverage).toBeGreaterThan(0);
          expect(row.goldEntityCoverage).toBeUndefined(); // AG News has no gold KG
        }
      }
    }
  });

  it('uses stratified initial sets: the same per repeat for every strategy, different between repeats', () => {
    const [first, second] = result.campaign.repeats;
    expect(first!.initial).toHaveLength(10);
    expect(first!.initial).not.toEqual(second!.initial);
    const labels = new Map(prepared.pool.map((e) => [e.id, e.label]));
    expect(new Set(first!.initial.map((id) => labels.get(id))).size).toBe(4);
    expect(result.campaign.repeats.map((r) => r.seed)).toEqual([1, 2]);
  });

  it('learns: accuracy at the budget beats the initial round on average', () => {
    const at = (round: number): number => {
      const rows = result.rows.filter((r) => r.round === round);
      return rows.reduce((a, r) => a + r.accuracy, 0) / rows.length;
    };
    expect(at(5)).toBeGreaterThan(at(0));
  });

  it('coverage covers more of the centrality mass than random (its own objective); kg-guided at least what margin covers (it only adds knowledge to margin\'s batch)', () => {
    const finalCoverage = (strategy: string): number => {
      const finals = result.rows.filter((r) => r.strategy === strategy && r.round === 5);
      return finals.reduce((a, r) => a + r.centralityCoverage!, 0) / finals.length;
    };
    expect(finalCoverage('coverage')).toBeGreaterThan(finalCoverage('random'));
    // Equal when the entity evidence earned no shortlist (then kg-guided's batch is margin's, in another order).
    expect(finalCoverage('kg-guided')).toBeGreaterThanOrEqual(finalCoverage('margin') - 1e-12);
  });

  it('given room (a shortlist of 4 × the batch), kg-guided fills more centrality gaps than margin\'s batch', async () => {
    const store = await restoreSnapshot(prepared.snapshot);
    try {
      const initial = result.campaign.repeats[0]!.initial;
      const labelOf = new Map(prepared.pool.map((e) => [e.id, e.label]));
      await store.setLabels(initial.map((id) => ({ id, label: labelOf.get(id)!, annotator: 'oracle' })));
      // Centrality of the entities a batch covers for the first time (coverage before the pick = 0).
      const newMass = (picks: Array<{ entities: Array<{ key: string; centrality: number; coverageBefore: number }> }>): number => {
        const fresh = new Map<string, number>();
        for (const pick of picks) for (const e of pick.entities) if (e.coverageBefore === 0) fresh.set(e.key, e.centrality);
        return [...fresh.values()].reduce((a, b) => a + b, 0);
      };
      const margin = await queryPool(store, { batchSize: 10, strategy: 'margin', record: false });
      const kgGuided = await queryPool(store, { batchSize: 10, strategy: 'kg-guided', shortlist: 4, record: false });
      expect(kgGuided.coldStart).toBe(false);
      expect(newMass(kgGuided.picks)).toBeGreaterThan(newMass(margin.picks));
      // ... and every pick is among the 40 most uncertain candidates.
      expect(margin.picks).toHaveLength(10);
      const top40 = new Set((await queryPool(store, { batchSize: 40, strategy: 'margin', record: false })).picks.map((p) => p.id));
      for (const pick of kgGuided.picks) expect(top40.has(pick.id), pick.id).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('is deterministic: the same plan picks the same items', async () => {
    const again = await runSimulation(prepared, { ...PLAN, repeats: 1, strategies: ['kg-guided', 'random', 'auto'] }, await tempDir('kgal-sim-'));
    for (const run of ['kg-guided/0', 'random/0', 'auto/0']) expect(again.picks.get(run)).toEqual(result.picks.get(run));
    expect(result.picks.get('random/0')).not.toEqual(result.picks.get('random/1'));
  });

  it('writes the campaign contract for the modAL script: ids, labels, initial sets, float32 embeddings', async () => {
    const campaign = JSON.parse(await readFile(join(outDir, 'campaign.json'), 'utf8')) as CampaignFile;
    expect(campaign).toMatchObject({ dataset: 'ag_news_slice', budget: 60, batch: 10, initial: 10, evalFraction: 0.25 });
    expect(campaign.pool.ids).toEqual(prepared.pool.map((e) => e.id));
    expect(campaign.pool.labels).toEqual(prepared.pool.map((e) => e.label));
    expect(campaign.eval.ids).toEqual(prepared.eval.map((e) => e.id));
    expect(campaign.repeats).toEqual(result.campaign.repeats);
    expect(campaign.embeddings).toMatchObject({ file: 'embeddings.f32', dim: 64, rows: 300 });
    const vectors = float32FromLittleEndian(await readFile(join(outDir, 'embeddings.f32')));
    expect(vectors.length).toBe(300 * 64);
    expect(vectors.subarray(0, 64)).toEqual(prepared.poolEmbeddings.data.subarray(0, 64));
    expect(vectors.subarray(225 * 64, 226 * 64)).toEqual(prepared.evalEmbeddings.data.subarray(0, 64));
  });

  it('rounds.csv holds every row; the report summarises kgal and modAL rows alike', async () => {
    const csvRows = parseRoundsCsv(await readFile(join(outDir, 'rounds.csv'), 'utf8'));
    expect(csvRows).toHaveLength(STRATEGIES.length * PLAN.repeats * 6);
    expect(csvRows[7]).toEqual(result.rows[7]);
    // A peer's rows (no coverage columns) next to kgal's:
    const modal = result.rows
      .filter((r) => r.strategy === 'entropy')
      .map((r) => `modal-entropy,${r.repeat},${r.seed},${r.round},${r.labels},${r.accuracy},${r.macroF1},,,,,`);
    await writeFile(join(outDir, 'modal-rounds.csv'), `strategy,repeat,seed,round,labels,accuracy,macroF1,centralityCoverage,entityCoverage,goldEntityCoverage,goldTripleCoverage,millis\n${modal.join('\n')}\n`);
    const report = await writeSimulationReport(outDir, { charts: false });
    expect(report.roundsFiles).toEqual(['modal-rounds.csv', 'rounds.csv']);
    const names = report.summary.strategies.map((s) => s.strategy);
    expect(names).toEqual(expect.arrayContaining([...STRATEGIES, 'modal-entropy']));
    const summary = JSON.parse(await readFile(join(outDir, 'summary.json'), 'utf8')) as typeof report.summary;
    const kg = summary.strategies.find((s) => s.strategy === 'kg-guided')!;
    for (const field of ['aulc', 'finalAccuracy', 'finalMacroF1', 'labelsToMatchRandom', 'centralityCoverage', 'entityCoverage'] as const) {
      expect(kg[field], field).toHaveProperty('mean');
      expect(kg[field], field).toHaveProperty('std');
    }
    expect(kg.stopping.maxBudget!.labels.mean).toBe(60);
    const modalEntropy = summary.strategies.find((s) => s.strategy === 'modal-entropy')!;
    const kgalEntropy = summary.strategies.find((s) => s.strategy === 'entropy')!;
    expect(modalEntropy.aulc.mean).toBeCloseTo(kgalEntropy.aulc.mean, 12);
    expect(modalEntropy.centralityCoverage).toBeUndefined();
    const markdown = await readFile(join(outDir, 'summary.md'), 'utf8');
    expect(markdown).toContain('| kg-guided |');
    expect(markdown).toContain('| modal-entropy |');
    expect(await readdir(outDir)).toEqual(expect.arrayContaining(['summary.json', 'summary.md', 'round-signals.csv', 'campaign.json', 'embeddings.f32']));
    // kg-guided's room for knowledge is traced per round (not for the initial set), and only for kg-guided.
    const signals = parseSignalsCsv(await readFile(join(outDir, 'round-signals.csv'), 'utf8'));
    const kgRounds = signals.filter((s) => s.strategy === 'kg-guided' && s.round > 0);
    expect(kgRounds).toHaveLength(PLAN.repeats * 5);
    for (const s of kgRounds) {
      expect(s.knowledgeEvidence).toBeGreaterThanOrEqual(0);
      expect(s.knowledgeShortlist).toBeGreaterThanOrEqual(PLAN.batch);
    }
    expect(signals.filter((s) => s.strategy !== 'kg-guided' && s.knowledgeShortlist !== undefined)).toEqual([]);
  });

  it('restores the store snapshot exactly, with the graph analysis reused (not recomputed per round)', async () => {
    const store = await restoreSnapshot(prepared.snapshot);
    try {
      const stats = await store.stats();
      expect(stats).toMatchObject({ items: 225, labeledItems: 0, embeddedItems: 225, relations: 0 });
      expect(stats.mentions).toBe(prepared.snapshot.items.reduce((a, i) => a + i.mentions.length, 0));
      const query = await queryPool(store, { batchSize: 5, strategy: 'coverage', record: false });
      expect(query.graphSource).toBe('stored');
      expect((await store.stats()).rounds).toBe(0);
      expect((await store.listItems()).every((i) => Object.keys(i.meta).length === 0)).toBe(true);
    } finally {
      await store.close();
    }
  });
});

describe('fair evaluation on a WebNLG slice: gold fields never reach selection', () => {
  const strategies = ['kg-guided', 'coverage', 'entropy', 'auto'] as const;
  const plan = { budget: 40, batch: 10, initial: 10, repeats: 1, seed: 3, strategies };
  let poolLines: string[];
  let evalExamples: LabeledExample[];

  beforeAll(async () => {
    poolLines = await everyNth(sharedData('webnlg', 'webnlg_train.jsonl'), 50);
    evalExamples = await readLabeledFile(await tempFile('dev.jsonl', (await everyNth(sharedData('webnlg', 'webnlg_dev.jsonl'), 40)).join('\n')));
  });

  async function simulateLines(lines: string[], kgFile?: string): Promise<{ result: SimulationResult; prepared: PreparedDataset }> {
    const pool = await readLabeledFile(await tempFile('webnlg_slice.jsonl', lines.join('\n')));
    const prepared = await prepareDataset({ dataset: 'webnlg_slice', pool, eval: evalExamples, embedder: fakeEmbedder(), ...(kgFile ? { kgFile } : {}) });
    return { result: await runSimulation(prepared, plan, await tempDir('kgal-sim-')), prepared };
  }

  it('selection is identical with gold fields present, shuffled between rows, or absent', async () => {
    const rows = poolLines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.length).toBeGreaterThan(200);
    expect(new Set(rows.map((r) => r.label)).size).toBe(16);
    const leaky = ['triples', 'entities', 'alt_texts', 'category', 'size', 'shape_type'];
    // Shuffled: each row gets another row's gold (a rotation), so anything reading them would change its picks.
    const shuffled = rows.map((r, i) => {
      const donor = rows[(i + 17) % rows.length]!;
      return { ...r, ...Object.fromEntries(leaky.map((f) => [f, donor[f]])) };
    });
    const stripped = rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !leaky.includes(k))));

    const present = await simulateLines(poolLines);
    const rotated = await simulateLines(shuffled.map((r) => JSON.stringify(r)));
    const absent = await simulateLines(stripped.map((r) => JSON.stringify(r)));
    for (const strategy of strategies) {
      const picks = present.result.picks.get(`${strategy}/0`)!;
      expect(picks.flat()).toHaveLength(40);
      expect(rotated.result.picks.get(`${strategy}/0`), strategy).toEqual(picks);
      expect(absent.result.picks.get(`${strategy}/0`), strategy).toEqual(picks);
    }
    // The store selection reads has ids and texts only: no label, no metadata at all.
    expect(present.prepared.snapshot.items.every((i) => Object.keys(i.meta).length === 0)).toBe(true);
    // Gold is measured where present, shifted where shuffled, missing where absent.
    const goldOf = (r: SimulationResult): Array<number | undefined> => r.rows.map((row) => row.goldEntityCoverage);
    expect(goldOf(present.result).every((v) => v !== undefined && v > 0)).toBe(true);
    expect(goldOf(rotated.result)).not.toEqual(goldOf(present.result));
    expect(goldOf(absent.result).every((v) => v === undefined)).toBe(true);
  });

  it('imports an external KG through the ingest path (--kg), which links more entities', async () => {
    const withoutKg = await simulateLines(poolLines);
    const withKg = await simulateLines(poolLines, sharedData('webnlg', 'kg_triples_train_dev.tsv'));
    expect(withoutKg.prepared.snapshot.relations).toHaveLength(0);
    expect(withKg.prepared.snapshot.relations.length).toBeGreaterThan(3000);
    // Mentions of the KG's entities: the linker maps variants to them ("U.S." -> United States), so there
    // are more with the KG (the total may be smaller: variants merge and noise inside KG names goes).
    const kgKeys = new Set(withKg.prepared.snapshot.relations.flatMap((r) => [r.subject.key, r.object.key]));
    const kgMentions = (p: PreparedDataset): number => p.snapshot.items.reduce((a, i) => a + i.mentions.filter((m) => kgKeys.has(m.key)).length, 0);
    expect(kgMentions(withKg.prepared)).toBeGreaterThan(kgMentions(withoutKg.prepared) * 1.1);
    // Graph-free strategies pick the same items either way; the KG changes what kg-guided sees.
    expect(withKg.result.picks.get('entropy/0')).toEqual(withoutKg.result.picks.get('entropy/0'));
    expect(withKg.result.picks.get('kg-guided/0')).not.toEqual(withoutKg.result.picks.get('kg-guided/0'));
  });
});

describe('knowledge coverage meter', () => {
  it('shares of coverable centrality mass, entities, gold entities and gold triples (carried, and with both ends covered)', () => {
    const meter = new KnowledgeCoverageMeter({
      entitiesByItem: new Map([
        ['a', ['x', 'y']],
        ['b', ['y', 'z']],
        ['c', []],
      ]),
      // w is in the graph (e.g. a KG-only entity) but no item mentions it: not coverable.
      centrality: new Map([
        ['x', 0.5],
        ['y', 0.2],
        ['z', 0.1],
        ['w', 0.2],
      ]),
      goldByItem: new Map([
        ['a', { entities: ['E1', 'E2'], triples: ['E1\tp\tE2'] }],
        ['b', { entities: ['E2', 'E3'], triples: ['E2\tq\tE3', 'E2\tr\tE3'] }],
        // d's triple links E1 and E3: covered at both ends by a and e together, though neither carries it.
        ['d', { entities: ['E1', 'E3'], triples: ['E1\ts\tE3'] }],
        ['e', { entities: ['E3'], triples: [] }],
      ]),
    });
    expect(meter.measure([])).toEqual({ centralityCoverage: 0, entityCoverage: 0, goldEntityCoverage: 0, goldTripleCoverage: 0, goldTripleEndpointCoverage: 0 });
    const a = meter.measure(['a']);
    expect(a.centralityCoverage).toBeCloseTo(0.7 / 0.8, 12);
    expect(a.entityCoverage).toBeCloseTo(2 / 3, 12);
    expect(a.goldEntityCoverage).toBeCloseTo(2 / 3, 12);
    expect(a.goldTripleCoverage).toBeCloseTo(1 / 4, 12);
    expect(a.goldTripleEndpointCoverage).toBeCloseTo(1 / 4, 12); // E1-p-E2 only
    const ae = meter.measure(['a', 'e']);
    expect(ae.goldTripleCoverage).toBeCloseTo(1 / 4, 12);
    expect(ae.goldTripleEndpointCoverage).toBeCloseTo(1, 12); // E1, E2, E3 covered: every triple's ends
    expect(meter.measure(['a', 'b', 'c', 'd'])).toEqual({ centralityCoverage: 1, entityCoverage: 1, goldEntityCoverage: 1, goldTripleCoverage: 1, goldTripleEndpointCoverage: 1 });
  });
});
