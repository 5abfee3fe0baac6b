import { describe, expect, it } from 'vitest';
import { appendRound, labelsKeyOf, predictionKappa, snapshotOf, stopSetRows, type CampaignState, type RoundSnapshot } from '../src/campaign/campaign-rounds.js';
import { evaluateStopSignal, type CampaignRound } from '../src/campaign/stop-signal.js';
import { DEFAULT_STOPPING_RULES, firstMet, trailingStreak } from '../src/campaign/stopping-rules.js';
import { cohensKappa } from '../src/simulation/metrics.js';
import type { RoundRow } from '../src/simulation/round-row.js';
import { stoppingPoints } from '../src/simulation/stopping-criteria.js';

const round = (n: number, labeled: number, coverage: number, meanUncertainty: number | null, kappa: number | null): CampaignRound => ({
  round: n,
  at: `2026-01-01T00:00:0${n}.000Z`,
  labeled,
  coverage,
  meanUncertainty,
  kappa,
});

const snapshot = (key: string, labeled: number, coverage: number, predictions: Record<string, string> | null, meanUncertainty: number | null = null): RoundSnapshot => ({
  at: '2026-01-01T00:00:00.000Z',
  labelsKey: key,
  labeled,
  coverage,
  meanUncertainty,
  predictions,
});

describe('campaign rounds (pure)', () => {
  it('a round is appended only when the labeled set changes; kappa compares the stop-set predictions both rounds have', () => {
    let state: CampaignState | undefined;
    state = appendRound(state, snapshot('k1', 0, 0, null));
    expect(state.rounds).toEqual([{ round: 1, at: expect.any(String), labeled: 0, coverage: 0, meanUncertainty: null, kappa: null }]);
    expect(appendRound(state, snapshot('k1', 0, 0, null))).toBe(state); // same labeled set: nothing new

    state = appendRound(state, snapshot('k2', 10, 0.2, { a: 'x', b: 'y', c: 'x', d: 'y' }, 0.4));
    expect(state.rounds[1]).toMatchObject({ round: 2, labeled: 10, coverage: 0.2, meanUncertainty: 0.4, kappa: null }); // no model before
    state = appendRound(state, snapshot('k3', 20, 0.25, { a: 'x', b: 'y', c: 'y', d: 'y', e: 'x' }, 0.3));
    // e is new to the stop set: compared on a..d only.
    expect(state.rounds[2]!.kappa).toBeCloseTo(cohensKappa(['x', 'y', 'x', 'y'], ['x', 'y', 'y', 'y']), 12);
    expect(state.predictions).toEqual({ a: 'x', b: 'y', c: 'y', d: 'y', e: 'x' });
    expect(predictionKappa({ a: 'x' }, { b: 'x' })).toBeNull();
  });

  it('the labeled set key changes with a label or a relabel, not with unlabeled items', () => {
    const items = [{ id: 'a', meta: {}, label: 'x' }, { id: 'b', meta: {} }];
    const key = labelsKeyOf(items).key;
    expect(labelsKeyOf([...items, { id: 'c', meta: {} }])).toEqual({ key, labeled: 1 });
    expect(labelsKeyOf([{ id: 'a', meta: {}, label: 'y' }, { id: 'b', meta: {} }]).key).not.toBe(key);
    expect(labelsKeyOf([items[0]!, { id: 'b', meta: {}, label: 'x' }]).labeled).toBe(2);
  });

  it('the stop set is chosen by id hash: the same whatever else is in the pool, capped, and stable as the pool grows', () => {
    const ids = Array.from({ length: 3000 }, (_, i) => `item-${String(i).padStart(5, '0')}`);
    const set = stopSetRows(ids, 1000).map((r) => ids[r]!);
    expect(set).toHaveLength(1000);
    expect(new Set(set).size).toBe(1000);
    expect(stopSetRows(ids.slice(0, 500), 1000)).toHaveLength(500); // a small pool: all of it
    // 300 more items: most of the stop set stays (only ids hashing lower can enter).
    const grown = [...ids, ...Array.from({ length: 300 }, (_, i) => `new-${i}`)];
    const after = new Set(stopSetRows(grown, 1000).map((r) => grown[r]!));
    const kept = set.filter((id) => after.has(id)).length;
    expect(kept).toBeGreaterThan(850);
    expect(kept).toBeLessThan(1000);
  });

  it('a snapshot measures coverage, mean uncertainty over the unlabeled pool, and predictions on the stop set', () => {
    const P = { rows: 3, cols: 2, data: Float64Array.from([0.9, 0.1, 0.3, 0.7, 0.6, 0.4]) };
    const source = {
      graph: { items: [{ id: 'a', meta: {}, label: 'pos' }, { id: 'b', meta: {} }, { id: 'c', meta: {} }], coverage: { summary: () => ({ massShare: 0.42 }) as never } },
      pool: { ids: ['a', 'b', 'c'], labels: ['pos', undefined, undefined] },
      model: { status: 'trained' as const, classNames: ['pos', 'neg'] },
      probabilities: { classifier: P },
    };
    const snap = snapshotOf(source, 'now');
    expect(snap).toMatchObject({ labeled: 1, coverage: 0.42, predictions: { a: 'pos', b: 'neg', c: 'pos' } });
    expect(snap.meanUncertainty).toBeCloseTo(((1 - 0.7) + (1 - 0.6)) / 2, 12);
    expect(snapshotOf({ ...source, model: { status: 'untrained' } }, 'now')).toMatchObject({ meanUncertainty: null, predictions: null });
  });
});

describe('stop signal on live rounds (pure)', () => {
  it('no rounds, one round: keep labeling, no rule met', () => {
    const none = evaluateStopSignal([]);
    expect(none.stop).toBe(false);
    expect(none.sentence).toMatch(/^no rounds yet/);
    expect(none.rules.map((r) => [r.rule, r.met])).toEqual([
      ['coverageSaturation', false],
      ['uncertaintyPlateau', false],
      ['stablePredictions', false],
    ]);
    expect(evaluateStopSignal([round(1, 5, 0.1, null, null)]).sentence).toMatch(/one round so far/);
  });

  it('coverage still growing: keep labeling, with the gain per round in the sentence', () => {
    const rounds = [round(1, 10, 0.1, 0.5, null), round(2, 20, 0.13, 0.45, 0.8), round(3, 30, 0.16, 0.4, 0.9), round(4, 40, 0.18, 0.38, 0.95)];
    const signal = evaluateStopSignal(rounds);
    expect(signal.stop).toBe(false);
    expect(signal.sentence).toBe('keep labeling: coverage grew 2.7 pts per round over the last 3 rounds and predictions still change (kappa 0.950 between the last two rounds)');
    const coverage = signal.rules.find((r) => r.rule === 'coverageSaturation')!;
    expect(coverage.met).toBe(false);
    expect(coverage.detail).toMatch(/coverage 18\.0 pts, \+2\.0 pts in the last round; gain below 1\.0 pts per round for 3 rounds: 0 of 3/);
  });

  it('stable predictions and saturated coverage for 3 rounds: stop, in one plain sentence', () => {
    const rounds = [
      round(1, 10, 0.3, 0.5, null),
      round(2, 20, 0.35, 0.4, 0.9),
      round(3, 30, 0.355, 0.35, 0.995),
      round(4, 40, 0.358, 0.3, 0.996),
      round(5, 50, 0.36, 0.28, 0.999),
    ];
    const signal = evaluateStopSignal(rounds);
    expect(signal.rules.map((r) => [r.rule, r.met])).toEqual([
      ['coverageSaturation', true],
      ['uncertaintyPlateau', false], // it still falls by ≥ 0.01 per round
      ['stablePredictions', true],
    ]);
    expect(signal.stop).toBe(true);
    expect(signal.sentence).toBe(
      'stop: predictions have been stable for 3 rounds and knowledge coverage has stopped growing (0.3 pts per round); further labels are unlikely to change the model',
    );
    // A stable model while coverage still grows: keep labeling for knowledge.
    const growing = rounds.map((r, i) => ({ ...r, coverage: 0.1 * i }));
    const keep = evaluateStopSignal(growing);
    expect(keep.stop).toBe(false);
    expect(keep.sentence).toBe('keep labeling for knowledge: predictions have been stable for 3 rounds, but coverage grew 10.0 pts per round over the last 3 rounds');
  });

  it('a round without a model breaks the stable-predictions streak', () => {
    const rounds = [round(1, 10, 0.3, 0.5, null), round(2, 20, 0.3, 0.5, 0.999), round(3, 30, 0.3, null, null), round(4, 40, 0.3, 0.5, 0.999)];
    expect(evaluateStopSignal(rounds).rules.find((r) => r.rule === 'stablePredictions')).toMatchObject({ met: false, detail: expect.stringMatching(/: 1 of 3$/) });
  });

  it('the live rules and the simulation stop points are one computation: a rule is met live from the round the simulation stops at', () => {
    const coverage = [0.1, 0.15, 0.155, 0.16, 0.165, 0.2, 0.201];
    const kappa = [undefined, 0.5, 0.995, 0.999, 0.999, 0.95, 0.999];
    const uncertainty = [0.5, 0.4, 0.395, 0.39, 0.389, 0.388, 0.387];
    const rows: RoundRow[] = coverage.map((c, i) => ({ strategy: 's', repeat: 0, seed: 1, round: i, labels: 10 * (i + 1), accuracy: 0.5, macroF1: 0.5, centralityCoverage: c }));
    const signals = rows.map((r, i) => ({ strategy: 's', repeat: 0, round: r.round, labels: r.labels, poolUncertainty: uncertainty[i]!, ...(kappa[i] !== undefined ? { predictionKappa: kappa[i] } : {}) }));
    const stops = stoppingPoints(rows, signals);
    const live = rows.map((_, i) =>
      evaluateStopSignal(coverage.slice(0, i + 1).map((c, j) => round(j + 1, rows[j]!.labels, c, uncertainty[j]!, kappa[j] ?? null))),
    );
    for (const rule of ['coverageSaturation', 'uncertaintyPlateau', 'stablePredictions'] as const) {
      const firstLive = live.findIndex((signal) => signal.rules.find((r) => r.rule === rule)!.met);
      expect(firstLive === -1 ? undefined : firstLive, rule).toBe(stops[rule]?.round);
    }
    expect(stops.stablePredictions?.round).toBe(4);
    const series = coverage.map((c) => ({ coverage: c }));
    expect(firstMet('coverageSaturation', series, DEFAULT_STOPPING_RULES)).toBe(4);
    expect(trailingStreak('coverageSaturation', series)).toBe(1); // +3.5 pts in round 5 broke it; round 6 (+0.1) starts again
  });
});
