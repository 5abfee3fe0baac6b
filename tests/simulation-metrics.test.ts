import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { labelSchedule } from '../src/simulation/label-schedule.js';
import { goldOf, readLabeledFile, selectionRow } from '../src/simulation/labeled-dataset.js';
import { accuracy, cohensKappa, labelsToReach, macroF1, meanStd, normalisedAulc } from '../src/simulation/metrics.js';
import type { RoundRow } from '../src/simulation/round-row.js';
import { parseRoundsCsv, roundsToCsv } from '../src/simulation/rounds-csv.js';
import { stoppingPoints } from '../src/simulation/stopping-criteria.js';
import { proportionalAllocation, stratifiedSample, stratifiedSplit } from '../src/simulation/stratified-split.js';
import { KG_GUIDED_PARAGRAPH, renderSummaryMarkdown } from '../src/simulation/summary-markdown.js';
import { summarizeRounds } from '../src/simulation/summary.js';
import { sharedData, tempFile } from './support/fixtures.js';

const row = (strategy: string, repeat: number, round: number, labels: number, acc: number, extra: Partial<RoundRow> = {}): RoundRow => ({
  strategy,
  repeat,
  seed: 1 + repeat,
  round,
  labels,
  accuracy: acc,
  macroF1: acc - 0.05,
  ...extra,
});

describe('simulation metrics', () => {
  it('accuracy and macro-F1 on a hand example (scikit-learn conventions)', () => {
    const truth = ['a', 'a', 'b', 'b', 'c'];
    const predicted = ['a', 'b', 'b', 'b', 'a'];
    expect(accuracy(truth, predicted)).toBeCloseTo(0.6, 12);
    // F1(a) = 2·1/(2·1+1+1) = 0.5, F1(b) = 2·2/(2·2+1+0) = 0.8, F1(c) = 0 (never predicted): mean 1.3/3.
    expect(macroF1(truth, predicted)).toBeCloseTo(1.3 / 3, 12);
    // A class only predicted (never true) counts too, as in f1_score(average='macro').
    expect(macroF1(['a', 'a'], ['a', 'b'])).toBeCloseTo((2 / 3 + 0) / 2, 12);
    // No model: undefined predictions are wrong and no class.
    expect(accuracy(['a', 'b'], [undefined, 'b'])).toBe(0.5);
    expect(macroF1(['a', 'b'], [undefined, 'b'])).toBeCloseTo(0.5, 12);
    expect(() => accuracy(['a'], [])).toThrow(RangeError);
  });

  it('normalised AULC is the trapezoid area over the labels span', () => {
    // 10·(0.5+0.7)/2 + 20·(0.7+0.9)/2 = 6 + 16 = 22, over 30 labels.
    expect(normalisedAulc([0, 10, 30], [0.5, 0.7, 0.9])).toBeCloseTo(22 / 30, 12);
    expect(normalisedAulc([20, 70], [0.6, 0.6])).toBeCloseTo(0.6, 12);
    expect(normalisedAulc([5], [0.4])).toBe(0.4);
    expect(() => normalisedAulc([10, 5], [0.1, 0.2])).toThrow(RangeError);
  });

  it('labels to reach, kappa, mean ± sample std', () => {
    expect(labelsToReach([10, 20, 30], [0.5, 0.7, 0.69], 0.7)).toBe(20);
    expect(labelsToReach([10, 20], [0.5, 0.6], 0.7)).toBeUndefined();
    expect(cohensKappa(['a', 'b', 'a', 'b'], ['a', 'b', 'a', 'b'])).toBe(1);
    // observed 0.5, expected 0.5·0.5+0.5·0.5 = 0.5: kappa 0.
    expect(cohensKappa(['a', 'a', 'b', 'b'], ['a', 'b', 'a', 'b'])).toBeCloseTo(0, 12);
    const stats = meanStd([1, 2, 3, 4]);
    expect(stats.mean).toBe(2.5);
    expect(stats.std).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(meanStd([7]).std).toBe(0);
  });
});

describe('splits, initial sets and the label schedule', () => {
  it('proportional allocation uses largest remainders and never exceeds a class', () => {
    const sizes = new Map([
      ['a', 50],
      ['b', 30],
      ['c', 20],
    ]);
    expect(Object.fromEntries(proportionalAllocation(sizes, 10))).toEqual({ a: 5, b: 3, c: 2 });
    // 7 · (0.5, 0.3, 0.2) = 3.5, 2.1, 1.4: floors 3, 2, 1 and the one left over to a (largest fraction).
    expect(Object.fromEntries(proportionalAllocation(sizes, 7))).toEqual({ a: 4, b: 2, c: 1 });
    expect(() => proportionalAllocation(sizes, 101)).toThrow(RangeError);
  });

  it('stratified split of an AG News slice keeps class proportions and is seeded', async () => {
    const lines = (await readFile(sharedData('ag_news', 'ag_news_test.jsonl'), 'utf8')).split('\n').slice(0, 400).join('\n');
    const examples = await readLabeledFile(await tempFile('ag.jsonl', lines));
    expect(examples).toHaveLength(400);
    const { pool, eval: evaluation } = stratifiedSplit(examples, { fraction: 0.25, seed: 1 });
    expect(evaluation).toHaveLength(100);
    expect(pool).toHaveLength(300);
    expect(new Set([...pool, ...evaluation].map((e) => e.id)).size).toBe(400);
    const count = (list: typeof examples, label: string): number => list.filter((e) => e.label === label).length;
    // Slice: Sports 123, World 103, Sci/Tech 102, Business 72 -> a quarter each, within rounding.
    for (const label of ['Sports', 'World', 'Sci/Tech', 'Business']) {
      expect(Math.abs(count(evaluation, label) - count(examples, label) / 4)).toBeLessThanOrEqual(1);
    }
    const again = stratifiedSplit(examples, { fraction: 0.25, seed: 1 });
    expect(again.eval.map((e) => e.id)).toEqual(evaluation.map((e) => e.id));
    const other = stratifiedSplit(examples, { fraction: 0.25, seed: 2 });
    expect(other.eval.map((e) => e.id)).not.toEqual(evaluation.map((e) => e.id));
    const initial = stratifiedSample(pool.map((e) => e.label), 20, 'initial:1');
    expect(initial).toHaveLength(20);
    expect(new Set(initial).size).toBe(20);
  });

  it('schedule: round 0 = initial, +batch per round, the last round cut to the budget', () => {
    expect(labelSchedule({ initial: 20, batch: 50, budget: 1000 })).toEqual([20, ...Array.from({ length: 19 }, (_, i) => 70 + 50 * i), 1000]);
    expect(labelSchedule({ initial: 0, batch: 10, budget: 30 })).toEqual([0, 10, 20, 30]);
    expect(labelSchedule({ initial: 5, batch: 10, budget: 5 })).toEqual([5]);
    expect(() => labelSchedule({ initial: 20, batch: 0, budget: 100 })).toThrow(RangeError);
    expect(() => labelSchedule({ initial: 20, batch: 10, budget: 10 })).toThrow(RangeError);
  });
});

describe('gold fields stay out of selection', () => {
  it('a WebNLG row: gold entities and triples kept aside, only id and text for the store', () => {
    const meta = {
      category: 'Airport',
      triples: [['Aarhus_Airport', 'cityServed', '"Aarhus, Denmark"']],
      entities: ['Aarhus_Airport', '"Aarhus, Denmark"'],
      alt_texts: ['Aarhus Airport serves the city of Aarhus, Denmark.'],
    };
    expect(goldOf(meta)).toEqual({ entities: ['Aarhus_Airport', '"Aarhus, Denmark"'], triples: ['Aarhus_Airport\tcityServed\t"Aarhus, Denmark"'] });
    expect(goldOf({ title: 'x' })).toBeUndefined();
    expect(selectionRow({ id: 'x', text: 't', label: 'Airport', gold: goldOf(meta) } as never)).toEqual({ id: 'x', text: 't' });
  });

  it('rejects a pool row without a label, naming the line', async () => {
    const file = await tempFile('p.jsonl', '{"id":"a","text":"x","label":"k"}\n{"id":"b","text":"y"}\n');
    await expect(readLabeledFile(file)).rejects.toThrow(/p\.jsonl:2: field "label"/);
  });
});

describe('summary, stopping criteria, CSV', () => {
  const rows: RoundRow[] = [
    // random: final accuracy 0.7 (repeat 0) and 0.8 (repeat 1) at 30 labels
    row('random', 0, 0, 10, 0.5),
    row('random', 0, 1, 20, 0.6),
    row('random', 0, 2, 30, 0.7),
    row('random', 1, 0, 10, 0.5),
    row('random', 1, 1, 20, 0.65),
    row('random', 1, 2, 30, 0.8),
    // x: reaches 0.7 at 20 in repeat 0; never reaches 0.8 in repeat 1
    row('x', 0, 0, 10, 0.6, { centralityCoverage: 0.1, entityCoverage: 0.2 }),
    row('x', 0, 1, 20, 0.7, { centralityCoverage: 0.2, entityCoverage: 0.3 }),
    row('x', 0, 2, 30, 0.8, { centralityCoverage: 0.3, entityCoverage: 0.4 }),
    row('x', 1, 0, 10, 0.7, { centralityCoverage: 0.1, entityCoverage: 0.2 }),
    row('x', 1, 1, 20, 0.75, { centralityCoverage: 0.2, entityCoverage: 0.3 }),
    row('x', 1, 2, 30, 0.78, { centralityCoverage: 0.5, entityCoverage: 0.6 }),
  ];

  it('labelsToMatchRandom per repeat (same seed) and on the mean curves', () => {
    const summary = summarizeRounds(rows);
    expect(summary.baseline).toBe('random');
    expect(summary.baselineFinalAccuracy!.mean).toBeCloseTo(0.75, 12);
    const x = summary.strategies.find((s) => s.strategy === 'x')!;
    expect(x.repeats).toBe(2);
    expect(x.labelsToMatchRandom).toMatchObject({ mean: 20, n: 1, reached: 1 });
    expect(x.speedup.mean).toBeCloseTo(1.5, 12);
    // Mean curves: random ends at 0.75; x's mean curve is 0.65, 0.725, 0.79 -> reaches it at 30.
    expect(x.meanCurve).toEqual({ labelsToMatchRandom: 30, speedup: 1 });
    expect(x.finalAccuracy.mean).toBeCloseTo(0.79, 12);
    expect(x.aulc.mean).toBeCloseTo((normalisedAulc([10, 20, 30], [0.6, 0.7, 0.8]) + normalisedAulc([10, 20, 30], [0.7, 0.75, 0.78])) / 2, 12);
    expect(x.centralityCoverage!.mean).toBeCloseTo(0.4, 12);
    expect(x.goldEntityCoverage).toBeUndefined();
    const random = summary.strategies.find((s) => s.strategy === 'random')!;
    expect(random.labelsToMatchRandom).toMatchObject({ mean: 30, reached: 2 });
    expect(random.centralityCoverage).toBeUndefined();
    expect(random.stopping.maxBudget).toMatchObject({ fired: 2, labels: { mean: 30 } });
    const markdown = renderSummaryMarkdown(summary);
    expect(markdown).toContain('| 79.0 ± 1.4 | 74.0 ± 1.4 | 20 ± 0 (1/2) | 1.50× ± 0.00 | 30 (1.00×) | 40.0 ± 14.1 |');
    expect(markdown).toContain('20 ± 0 (1/2)');
    // The paragraph on the default appears only when kg-guided is in the report.
    expect(markdown).not.toContain(KG_GUIDED_PARAGRAPH);
    expect(renderSummaryMarkdown(summarizeRounds(rows.map((r) => ({ ...r, strategy: r.strategy === 'x' ? 'kg-guided' : r.strategy }))))).toContain(KG_GUIDED_PARAGRAPH);
  });

  it('modal-random is the baseline when kgal random is absent', () => {
    const peer = rows.map((r) => ({ ...r, strategy: r.strategy === 'random' ? 'modal-random' : r.strategy }));
    expect(summarizeRounds(peer).baseline).toBe('modal-random');
  });

  it('stopping: coverage saturation, uncertainty plateau, stable predictions fire after k rounds', () => {
    const coverage = [0.1, 0.3, 0.301, 0.302, 0.303, 0.5];
    const run = coverage.map((c, i) => row('kg-guided', 0, i, 10 + 10 * i, 0.5 + i / 100, { centralityCoverage: c }));
    const signals = [0.5, 0.4, 0.398, 0.3, 0.299, 0.298].map((u, i) => ({
      strategy: 'kg-guided',
      repeat: 0,
      round: i,
      labels: 10 + 10 * i,
      poolUncertainty: u,
      ...(i > 0 ? { predictionKappa: [0, 0.5, 0.995, 0.999, 0.999, 0.999][i]! } : {}),
    }));
    const stops = stoppingPoints(run, signals);
    expect(stops.coverageSaturation).toEqual({ round: 4, labels: 50, accuracy: 0.54 });
    expect(stops.uncertaintyPlateau).toBeUndefined(); // |Δ| < 0.005 only twice in a row at the end... and once before
    expect(stops.stablePredictions).toEqual({ round: 4, labels: 50, accuracy: 0.54 });
    expect(stops.maxBudget).toEqual({ round: 5, labels: 60, accuracy: 0.55 });
    expect(stoppingPoints(run, signals, { coverageSaturation: { minGain: 0.005, rounds: 3 }, uncertaintyPlateau: { epsilon: 0.005, rounds: 2 }, stablePredictions: { kappa: 0.99, rounds: 3 } }).uncertaintyPlateau).toMatchObject({ round: 5 });
  });

  it('rounds.csv round-trips, absent coverage as empty cells', () => {
    const csv = roundsToCsv(rows.slice(5, 8));
    expect(csv.split('\n')[0]).toBe('strategy,repeat,seed,round,labels,accuracy,macroF1,centralityCoverage,entityCoverage,goldEntityCoverage,goldTripleCoverage,goldTripleEndpointCoverage,millis');
    expect(csv.split('\n')[1]).toBe('random,1,2,2,30,0.8,0.75,,,,,,');
    expect(parseRoundsCsv(csv)).toEqual(rows.slice(5, 8));
    expect(() => parseRoundsCsv('strategy,repeat\nx,1\n', 'bad.csv')).toThrow(/bad\.csv: row 2: column "seed"/);
  });
});
