import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../src/model/seeded-random.js';
import {
  applyExp4pRound,
  armProbabilities,
  armReport,
  chooseQuery,
  createExp4pState,
  defaultPmin,
  drawAt,
  drawBatch,
  importanceWeightedAccuracy,
  queryDistribution,
  queryProbability,
  rewardItems,
  updateExp4p,
  type ArmAdvice,
  type Exp4pRound,
  type Exp4pState,
} from '../src/strategies/exp4p.js';
import { fixture } from './support/fixtures.js';

/** |a − b| ≤ max(1e-12, 1e-9·|b|): 1e-9 relative, 1e-12 absolute near 0. */
function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= Math.max(1e-12, 1e-9 * Math.abs(b));
}

function relErr(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string): number {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    if (!close(a, b)) expect.fail(`${label}[${i}]: kgal ${a}, libact ${b} (|Δ| = ${Math.abs(a - b)})`);
    worst = Math.max(worst, b === 0 ? Math.abs(a) : relErr(a, b));
  }
  return worst;
}

function sum(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s;
}

const PRESETS = ['kg-guided', 'least-confidence', 'margin', 'entropy', 'qbc', 'kl', 'bald', 'density', 'coverage', 'random'];

describe('exp4p: parameters and the arm distribution', () => {
  it('uses libact’s pmin = sqrt(ln N / (K T)) with N = K = number of arms', () => {
    expect(defaultPmin(4, 40)).toBeCloseTo(Math.sqrt(Math.log(4) / 4 / 40), 15);
    const s = createExp4pState({ arms: PRESETS, budget: 500 });
    expect(s.pmin).toBe(Math.sqrt(Math.log(10) / 10 / 500));
    expect(s.delta).toBe(0.1);
    expect(s.weights).toEqual(new Array(10).fill(1));
    expect(s.pminRequested).toBeUndefined();
    // One arm: ln 1 = 0, so pmin = 0 and p = [1].
    expect(armProbabilities(createExp4pState({ arms: ['kg-guided'], budget: 10 }))).toEqual([1]);
  });

  it('clamps pmin to 1/K when the budget is too small for libact’s formula (T < K ln K)', () => {
    const s = createExp4pState({ arms: PRESETS, budget: 10 }); // K ln K = 23 > 10
    expect(s.pminRequested).toBeCloseTo(Math.sqrt(Math.log(10) / 100), 15);
    expect(s.pmin).toBe(0.1);
    for (const p of armProbabilities(s)) expect(p).toBeCloseTo(0.1, 15);
    expect(() => createExp4pState({ arms: PRESETS, budget: 100, pmin: 0.2 })).toThrow(RangeError);
    expect(() => createExp4pState({ arms: ['a', 'a'], budget: 100 })).toThrow(RangeError);
    expect(() => createExp4pState({ arms: [], budget: 100 })).toThrow(RangeError);
    expect(() => createExp4pState({ arms: ['a'], budget: 0 })).toThrow(RangeError);
  });

  it('keeps p a distribution with every p_k ≥ pmin, and q a distribution over the candidates', () => {
    let state = createExp4pState({ arms: PRESETS, budget: 60 });
    const rng = createRandom(7);
    const M = 25;
    for (let t = 0; t < 60; t++) {
      const advice: ArmAdvice[] = PRESETS.map((name, k) =>
        name === 'random' ? { kind: 'uniform' } : { kind: 'pick', index: (t * (k + 3)) % M },
      );
      const round: Exp4pRound = { candidateCount: M, advice };
      const p = armProbabilities(state);
      expect(sum(p)).toBeCloseTo(1, 12);
      for (const pk of p) expect(pk).toBeGreaterThanOrEqual(state.pmin - 1e-15);
      const q = queryDistribution(state, round);
      expect(sum(q)).toBeCloseTo(1, 12);
      const draw = chooseQuery(state, round, rng);
      expect(draw.probability).toBeCloseTo(q[draw.index]!, 15);
      expect(queryProbability(state, round, draw.index)).toBe(draw.probability);
      // Reward 1 whenever kg-guided (arm 0) recommended the item, else 0.
      state = applyExp4pRound(state, draw, draw.armAdvice[0] === 1 ? 1 : 0);
    }
    expect(state.rounds).toBe(60);
    const p = armProbabilities(state);
    expect(sum(p)).toBeCloseTo(1, 12);
    for (const pk of p) expect(pk).toBeGreaterThanOrEqual(state.pmin - 1e-15);
  });

  it('moves probability toward a consistently rewarded arm', () => {
    const arms = ['kg-guided', 'margin', 'density', 'random'];
    let state = createExp4pState({ arms, budget: 200 });
    const rng = createRandom('reward-kg');
    const M = 40;
    const start = armProbabilities(state)[0]!;
    for (let t = 0; t < 200; t++) {
      // Distinct picks, so credit is unambiguous.
      const advice: ArmAdvice[] = [
        { kind: 'pick', index: t % M },
        { kind: 'pick', index: (t + 10) % M },
        { kind: 'pick', index: (t + 20) % M },
        { kind: 'uniform' },
      ];
      const draw = chooseQuery(state, { candidateCount: M, advice }, rng);
      state = applyExp4pRound(state, draw, draw.index === t % M ? 0.8 : 0.05);
    }
    const p = armProbabilities(state);
    expect(p[0]!).toBeGreaterThan(start + 0.2);
    expect(p[0]!).toBeGreaterThan(Math.max(p[1]!, p[2]!, p[3]!));
    const report = armReport(state);
    expect(report.map((r) => r.arm)).toEqual(arms);
    expect(sum(report.map((r) => r.probability))).toBeCloseTo(1, 12);
  });

  it('is deterministic for a seed and JSON round-trips', () => {
    const run = (seed: number): { state: Exp4pState; picks: string[] } => {
      let state = createExp4pState({ arms: ['a', 'b', 'random'], budget: 30 });
      const picks: string[] = [];
      const rng = createRandom(seed);
      const ids = Array.from({ length: 20 }, (_, i) => `item-${i}`);
      for (let b = 0; b < 5; b++) {
        const candidateIds = ids.filter((id) => !picks.includes(id));
        const n = candidateIds.length;
        const out = drawBatch(
          state,
          { candidateIds, advice: [[0, 1, 2, 3], [n - 1, n - 2, n - 3], 'uniform'], batchSize: 3 },
          rng,
        );
        picks.push(...out.draws.map((d) => d.itemId));
        state = JSON.parse(JSON.stringify(out.state)) as Exp4pState;
        const items = rewardItems(state);
        state = updateExp4p(state, importanceWeightedAccuracy(items.map((it, i) => ({ weight: it.weight, correct: i % 2 === 0 })), 20, 30));
      }
      return { state, picks };
    };
    const a = run(42);
    const b = run(42);
    expect(b).toEqual(a);
    expect(new Set(a.picks).size).toBe(15);
    expect(a.state.rounds).toBe(15);
    expect(a.state.queried).toHaveLength(15);
    expect(run(43).picks).not.toEqual(a.picks);
  });
});

describe('exp4p: batch mode', () => {
  it('draws distinct items, advises each arm’s best untaken pick, and applies one update per item', () => {
    const state0 = createExp4pState({ arms: ['x', 'y', 'random'], budget: 20 });
    const candidateIds = ['a', 'b', 'c', 'd', 'e', 'f'];
    const { state, draws } = drawBatch(
      state0,
      { candidateIds, advice: [[0, 1, 2], [0, 3, 4], 'uniform'], batchSize: 4 },
      createRandom(1),
    );
    expect(draws).toHaveLength(4);
    expect(new Set(draws.map((d) => d.itemId)).size).toBe(4);
    expect(draws.map((d) => d.slot)).toEqual([0, 1, 2, 3]);
    expect(state.pending).toEqual(draws);
    // Slot 0: both x and y advise item 0; the uniform arm spreads 1/6.
    const p = armProbabilities(state0);
    const q0 = drawAt(state0, { candidateCount: 6, advice: [{ kind: 'pick', index: 0 }, { kind: 'pick', index: 0 }, { kind: 'uniform' }] }, 0);
    expect(q0.probability).toBeCloseTo(p[0]! + p[1]! + p[2]! / 6, 15);
    // Each later slot's uniform advice is over the items not yet taken.
    draws.forEach((d, s) => {
      if (d.armAdvice[2]! > 0) expect(d.armAdvice[2]).toBeCloseTo(1 / (6 - s), 15);
    });
    // Pending items are excluded from a second batch before the update.
    const again = drawBatch(state, { candidateIds, advice: [[0, 1, 2], [0, 3, 4], 'uniform'], batchSize: 10 }, createRandom(2));
    expect(again.draws).toHaveLength(2);
    for (const d of again.draws) expect(draws.map((x) => x.itemId)).not.toContain(d.itemId);

    // Update: all four rounds with the same reward, in order; equals four single-round updates.
    const reward = 0.3;
    const updated = updateExp4p(state, reward);
    let manual = state0;
    for (const d of draws) manual = applyExp4pRound(manual, d, reward);
    expectAllClose(updated.weights, manual.weights, 'batch weights');
    expect(updated.rounds).toBe(4);
    expect(updated.pending).toEqual([]);
    expect(updated.queried).toEqual(draws.map((d) => ({ itemId: d.itemId, weight: 1 / d.probability })));

    // Only labeled items are applied when a label set is given.
    const labeled = new Set([draws[0]!.itemId, draws[2]!.itemId]);
    expect(rewardItems(state, labeled).map((q) => q.itemId)).toEqual([draws[0]!.itemId, draws[2]!.itemId]);
    const partial = updateExp4p(state, reward, labeled);
    expect(partial.rounds).toBe(2);
    expect(partial.queried.map((q) => q.itemId)).toEqual([draws[0]!.itemId, draws[2]!.itemId]);
  });
});

describe('exp4p: importance-weighted accuracy', () => {
  it('is Σ W·[correct] / n / T (libact calc_reward_fn)', () => {
    const v = importanceWeightedAccuracy(
      [
        { weight: 4, correct: true },
        { weight: 2.5, correct: false },
        { weight: 10, correct: true },
      ],
      40,
      25,
    );
    expect(v).toBeCloseTo(14 / 40 / 25, 15);
    expect(importanceWeightedAccuracy([], 10, 5)).toBe(0);
    expect(() => importanceWeightedAccuracy([{ weight: 0, correct: true }], 10, 5)).toThrow(RangeError);
  });
});

// -------------------------------------------------------------------------------------------------------------
// libact reference (tests/fixtures/libact-exp4p.json, scripts/reference/libact-exp4p.sh)

interface FixtureRound {
  picks: number[];
  queryDistribution: number[];
  askIndex: number;
  reward: number;
  weightsAfter: number[];
  weightsBefore?: number[];
  rewardComputation?: number;
}
interface FixtureReward {
  entries: Array<{ id: number; weight: number; correct: boolean }>;
  poolSize: number;
  T: number;
  value: number;
}
interface FixtureScenario {
  name: string;
  kind: 'exp4p' | 'albl';
  arms: number;
  uniformSampler: boolean;
  candidates: number;
  T: number;
  delta: number;
  pminGiven: number | null;
  pmin: number;
  N: number;
  K: number;
  rounds: FixtureRound[];
  rewardComputations?: FixtureReward[];
  finalW?: number[];
  queriedHistory?: number[];
  /** ALBL: libact's unlabeled_entry_ids (candidate index → dataset entry id). */
  candidateIds?: number[];
}
const reference = JSON.parse(readFileSync(fixture('libact-exp4p.json'), 'utf8')) as {
  versions: Record<string, string>;
  scenarios: FixtureScenario[];
};

describe('exp4p: agreement with libact 0.1.6 (1e-9 relative)', () => {
  it('the fixture comes from libact 0.1.6', () => {
    expect(reference.versions.libact).toBe('0.1.6');
    expect(reference.scenarios.map((s) => s.kind)).toContain('albl');
  });

  for (const scenario of reference.scenarios) {
    it(`${scenario.name}: pmin, query distributions, weights${scenario.kind === 'albl' ? ', IW-ACC rewards' : ''}`, () => {
      const arms = Array.from({ length: scenario.arms }, (_, k) =>
        scenario.uniformSampler && k === scenario.arms - 1 ? 'random' : `strategy-${k}`,
      );
      let state = createExp4pState({
        arms,
        budget: scenario.T,
        delta: scenario.delta,
        ...(scenario.pminGiven === null ? {} : { pmin: scenario.pminGiven }),
      });
      expect(relErr(state.pmin, scenario.pmin)).toBeLessThanOrEqual(1e-15);
      let worst = 0;
      // ALBL's queried history with kgal's own weights (W = 1/q), keyed by libact entry id.
      const ids = scenario.candidateIds;
      const history: Array<{ id: number; weight: number }> = [];
      scenario.rounds.forEach((r, t) => {
        const advice: ArmAdvice[] = r.picks.map((index) => ({ kind: 'pick', index }));
        if (scenario.uniformSampler) advice.push({ kind: 'uniform' });
        const round: Exp4pRound = { candidateCount: scenario.candidates, advice };
        if (r.weightsBefore) worst = Math.max(worst, expectAllClose(state.weights, r.weightsBefore, `${scenario.name} round ${t} w before`));
        const q = queryDistribution(state, round);
        worst = Math.max(worst, expectAllClose(q, r.queryDistribution, `${scenario.name} round ${t} q`));
        const draw = drawAt(state, round, r.askIndex);
        let reward = r.reward;
        if (scenario.kind === 'albl') {
          history.push({ id: ids![r.askIndex]!, weight: 1 / draw.probability });
          const ref = scenario.rewardComputations![r.rewardComputation!]!;
          expect(ref.entries.map((e) => e.id)).toEqual(history.map((h) => h.id));
          worst = Math.max(worst, expectAllClose(history.map((h) => h.weight), ref.entries.map((e) => e.weight), `${scenario.name} round ${t} W`));
          reward = importanceWeightedAccuracy(
            history.map((h, i) => ({ weight: h.weight, correct: ref.entries[i]!.correct })),
            ref.poolSize,
            ref.T,
          );
          worst = Math.max(worst, expectAllClose([reward], [ref.value], `${scenario.name} round ${t} reward`));
        }
        state = applyExp4pRound(state, draw, reward);
        worst = Math.max(worst, expectAllClose(state.weights, r.weightsAfter, `${scenario.name} round ${t} w`));
      });
      if (scenario.kind === 'albl') {
        expect(history.map((h) => h.id)).toEqual(scenario.queriedHistory);
        worst = Math.max(worst, expectAllClose(history.map((h) => h.weight), scenario.finalW!, `${scenario.name} W`));
      }
      expect(worst).toBeLessThanOrEqual(1e-9);
      console.info(`exp4p vs libact ${scenario.name}: ${scenario.rounds.length} rounds, worst relative difference ${worst.toExponential(2)}`);
    });
  }
});

describe('exp4p: draws awaiting a label (a team of annotators)', () => {
  it('applies labeled draws, keeps the awaited ones pending, drops the rest; drawBatch records drawnAt', () => {
    const start = createExp4pState({ arms: ['a', 'b', 'uniform'], budget: 100 });
    const candidateIds = ['x0', 'x1', 'x2', 'x3', 'x4', 'x5'];
    const { state, draws } = drawBatch(start, { candidateIds, advice: [[0, 1, 2], [5, 4, 3], 'uniform'], batchSize: 3, now: 1234 }, createRandom(3));
    expect(draws.every((d) => d.drawnAt === 1234)).toBe(true);
    const [labeled, awaited, abandoned] = draws.map((d) => d.itemId);
    const next = updateExp4p(state, 0.5, new Set([labeled!]), (d) => d.itemId === awaited);
    expect(next.rounds).toBe(1);
    expect(next.queried.map((q) => q.itemId)).toEqual([labeled]);
    expect(next.pending.map((d) => d.itemId)).toEqual([awaited]);
    expect(next.pending.some((d) => d.itemId === abandoned)).toBe(false);
    // Without `awaiting`: libact's behaviour, every unlabeled draw is dropped.
    expect(updateExp4p(state, 0.5, new Set([labeled!])).pending).toEqual([]);
    // The kept draw is applied once its label comes.
    const later = updateExp4p(next, 0.5, new Set([awaited!]), () => true);
    expect(later.rounds).toBe(2);
    expect(later.pending).toEqual([]);
  });
});
