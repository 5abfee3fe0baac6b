/**
 * `auto`: libact's Active Learning by Learning (EXP4.P over the presets, src/strategies/exp4p.ts), anchored on
 * kgal's default (src/strategies/bandit-anchor.ts): kg-guided draws a fixed share of every batch until the
 * rewards show, with confidence, that another arm is better. Each round it rewards the previous batch
 * (importance-weighted accuracy of the retrained model on every queried item), then draws this batch from the
 * arms' advice. The bandit state lives in the store, updated in one atomic step through the context's state
 * port, so several API processes can share it.
 */
import { predict } from '../../model/logistic-regression.js';
import { rowOf, stackRows } from '../../model/matrix.js';
import { createRandom } from '../../model/seeded-random.js';
import { anchorLeads, checkAnchorSettings, createAnchorState, type AnchorSettings } from '../../strategies/bandit-anchor.js';
import {
  armReport,
  createExp4pState,
  drawBatch,
  importanceWeightedAccuracy,
  rewardItems,
  updateExp4p,
  type BatchDraw,
  type Exp4pState,
} from '../../strategies/exp4p.js';
import type { BatchPick } from '../select-batch.js';
import { NO_WEIGHTS, type RoundContext, type SelectionStrategy, type StrategyRun } from '../strategy.js';
import { coveragePicks } from './coverage-picks.js';

/** How long an unlabeled draw counts as still in flight (its lease may not be granted yet). */
const IN_FLIGHT_MS = 60_000;

export interface AutoOptions {
  /** The arm kept as a safe default and its share of every draw; null: libact's plain ALBL. */
  anchor: AnchorSettings | null;
}

export const AUTO_DEFAULTS: AutoOptions = {
  // Libact's plain ALBL (share 0) drew near uniformly over its arms for a whole 1,000-label campaign and ended
  // 5 pt AULC below margin on Banking77 (docs/bandit.md). A 0.9 share caps the draws of weak arms at about
  // a tenth; z = 4 keeps a wrong move improbable over a campaign's few dozen checks per arm.
  anchor: { arm: 'kg-guided', share: 0.9, switchZ: 4 },
};

/** The bandit over `arms` (strategy values; `random` is libact's uniform sampler). */
export function autoStrategy(arms: readonly SelectionStrategy[], options: Partial<AutoOptions> = {}): SelectionStrategy {
  const settings: AutoOptions = { ...AUTO_DEFAULTS, ...options };
  if (settings.anchor) checkAnchorSettings(arms.map((arm) => arm.name), settings.anchor); // a bad anchor fails here, not mid-campaign
  return {
    name: 'auto',
    needs: { committee: arms.some((arm) => arm.needs.committee) },
    choose: (context) => chooseAuto(arms, settings, context),
  };
}

async function chooseAuto(arms: readonly SelectionStrategy[], settings: AutoOptions, context: RoundContext): Promise<StrategyRun> {
  const armNames = arms.map((arm) => arm.name);
  // Every arm's advice first (the expensive part; it does not depend on the bandit's state).
  const runs = new Map<string, StrategyRun | undefined>();
  for (const arm of arms) runs.set(arm.name, arm.name === 'random' ? undefined : await arm.choose(context));
  const { pool } = context;
  let rowById: Map<string, number> | undefined;
  const rowOfItem = (id: string): number | undefined => (rowById ??= new Map(pool.ids.map((itemId, row) => [itemId, row]))).get(id);

  // Draws still out with an annotator wait for their label instead of being dropped, so a team's interleaved
  // queries keep each other's draws: leased items, and draws younger than a minute (another query's draw
  // whose lease is not granted yet). Older unlabeled, unleased draws are dropped (libact).
  const leased = await context.state.leasedIds();
  const now = Date.now();
  const awaiting = (draw: BatchDraw): boolean => leased.has(draw.itemId) || (draw.drawnAt !== undefined && now - draw.drawnAt < IN_FLIGHT_MS);
  let reward: number | undefined;
  let drawn: ReturnType<typeof drawBatch> | undefined;
  // One atomic store step; pure apart from noting its reward and draws, so a retried transaction can rerun it.
  const state = await context.state.update<Exp4pState>('auto', (current) => {
    // A state learned over other arms (an earlier kgal's ten presets) starts afresh: its weights mean nothing here.
    const sameArms = current !== undefined && current.arms.length === armNames.length && current.arms.every((arm, k) => arm === armNames[k]);
    let state = sameArms ? current : createExp4pState({ arms: armNames, budget: context.budget, ...(settings.anchor ? { anchor: settings.anchor } : {}) });
    // A state from before the anchor (an earlier kgal) keeps its learned weights and gains the anchor.
    if (settings.anchor && !state.anchor) state = { ...state, anchor: createAnchorState(armNames, settings.anchor) };
    reward = undefined;
    if (state.pending.length > 0) {
      const isLabeled = (id: string): boolean => {
        const row = rowOfItem(id);
        return row !== undefined && pool.labels[row] !== undefined;
      };
      const labeled = new Set(state.pending.filter((d) => isLabeled(d.itemId)).map((d) => d.itemId));
      const queried = rewardItems(state, labeled);
      reward = 0;
      if (context.model.status === 'trained' && queried.length > 0) {
        const model = context.model;
        const rows = queried.map((q) => rowOfItem(q.itemId)!);
        const predicted = predict(model.classifier, stackRows(rows.map((row) => rowOf(pool.embeddings, row)), pool.embeddings.cols));
        reward = importanceWeightedAccuracy(
          queried.map((q, k) => ({ weight: q.weight, correct: model.classNames[predicted[k]!] === pool.labels[rows[k]!] })),
          Math.max(context.poolSize, 1),
          state.budget,
        );
      }
      state = updateExp4p(state, reward, labeled, awaiting);
    }
    const advice = state.arms.map((arm) => {
      const armRun = runs.get(arm);
      return armRun ? armRun.picks.map((p) => p.candidate) : ('uniform' as const);
    });
    drawn = drawBatch(state, { candidateIds: context.candidateIds, advice, batchSize: context.batchSize, now }, createRandom(`${context.seed}:${state.rounds}`));
    return drawn.state;
  });
  const draws = drawn!.draws;

  // A draw an arm advised keeps that arm's explanation; a uniform draw reports the coverage it adds.
  const uniform = coveragePicks(
    context,
    draws.map((d) => d.index),
  );
  const picks: BatchPick[] = draws.map((draw, k) => {
    const fromArm = runs.get(state.arms[draw.arm]!)?.picks.find((p) => p.candidate === draw.index);
    return fromArm ? { ...fromArm, rank: k + 1 } : uniform[k]!;
  });
  const kgGuided = runs.get('kg-guided');
  return {
    picks,
    evaluations: 0,
    weights: kgGuided?.weights ?? { ...NO_WEIGHTS },
    coldStart: kgGuided?.coldStart ?? false,
    uncertaintySource: kgGuided?.uncertaintySource ?? 'none',
    // An arm that ran as a fallback (no model yet) says so: `auto:margin→cold-start`, never plain `auto:margin`.
    pickStrategies: draws.map((d) => {
      const arm = state.arms[d.arm] ?? 'random';
      const armRun = runs.get(arm);
      const at = armRun?.picks.findIndex((p) => p.candidate === d.index) ?? -1;
      const ranAs = at >= 0 ? armRun?.pickStrategies?.[at] : undefined;
      return ranAs && ranAs !== arm ? `auto:${arm}→${ranAs}` : `auto:${arm}`;
    }),
    bandit: { arms: armReport(state), ...(reward !== undefined ? { reward } : {}), ...(state.anchor ? { anchor: anchorReport(state) } : {}) },
  };
}

/** The anchor for reports: which arm, its share, each arm's lead against it (z) and the moves so far. */
function anchorReport(state: Exp4pState): NonNullable<NonNullable<StrategyRun['bandit']>['anchor']> {
  const anchor = state.anchor!;
  const z = anchorLeads(anchor);
  return {
    arm: state.arms[anchor.arm]!,
    share: anchor.share,
    switchZ: anchor.switchZ,
    leads: Object.fromEntries(state.arms.map((arm, k) => [arm, z[k]!]).filter(([, _z], k) => k !== anchor.arm)),
    moves: anchor.moves,
  };
}
