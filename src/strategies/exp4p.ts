/**
 * EXP4.P over query strategies: the learner behind the `auto` strategy. It follows libact's
 * ActiveLearningByLearning (ALBL; Hsu & Lin 2015, "Active Learning by Learning", AAAI), i.e. the `Exp4P` class
 * and `ActiveLearningByLearning.calc_reward_fn` of `libact/query_strategies/active_learning_by_learning.py`
 * (libact 0.1.6, the current PyPI release), and is checked against libact's own numbers
 * (tests/fixtures/libact-exp4p.json, scripts/reference/libact-exp4p.sh). docs/bandit.md has the formulas, the
 * batch mapping and what differs from libact.
 *
 * In libact's ALBL the **arms are the query strategies** (kgal: the presets; libact's optional uniform sampler
 * is kgal's `random` preset) and the N experts are the identity (expert k always advises arm k), so N = K =
 * number of arms. Each round:
 *
 *   p_k   = (1 − K·pmin)·w_k / Σw + pmin                       arm (preset) probabilities, each ≥ pmin, Σ = 1
 *   q_j   = Σ_k p_k · a_k[j]                                   query distribution over the candidate items,
 *                                                              a_k = arm k's advice (one-hot on its pick;
 *                                                              uniform for the uniform sampler)
 *   draw j ~ q, label it, retrain, reward r = IW-ACC (see importanceWeightedAccuracy)
 *   w_k  ← w_k · exp( pmin/2 · ( r·a_k[j]/q_j + (1/p_k)·sqrt( ln(N/δ) / (K·T) ) ) )
 *
 * with pmin = sqrt(ln N / (K·T)) by default, T = the query budget (number of labels), δ = 0.1.
 *
 * Everything here is pure: the state is plain JSON (weights, parameters, round counter, the draws awaiting a
 * reward, the importance weights of the items queried so far) and every function returns a new state.
 * Randomness comes in as an argument (`SeededRandom` from src/model/seeded-random.ts or any `() => number`
 * in [0, 1)), so a seed reproduces the draws.
 *
 * Batch mode (kgal queries batches, libact one item at a time): one EXP4.P round per queried item, with
 * delayed feedback. `drawBatch` makes B rounds from the same weights (slot s excludes the items of slots
 * < s: each arm advises its best item not yet taken, the uniform arm spreads over the items left); once the
 * batch is labeled and the model retrained, one reward r (the IW-ACC over all queried items, this batch
 * included) is computed and `updateExp4p` applies the B pending rounds in order, each with r. With B = 1 this
 * is exactly libact's ALBL loop.
 */
import type { SeededRandom } from '../model/seeded-random.js';
import { anchoredProbabilities, createAnchorState, recordAnchorEvidence, settleAnchor, type AnchorSettings, type AnchorState } from './bandit-anchor.js';

/** libact 0.1.6's default δ (`ActiveLearningByLearning(delta=0.1)`, `Exp4P(delta=0.1)`). */
export const DEFAULT_EXP4P_DELTA = 0.1;

/** Weights are rescaled (all divided by the largest; p is unchanged) once one exceeds this, so they never overflow. */
const RESCALE_ABOVE = 1e100;

/** A source of uniform numbers in [0, 1): a seeded generator or a plain function. */
export type RandomSource = Pick<SeededRandom, 'next'> | (() => number);

/** One arm's advice for a round, as a probability vector over the round's candidates (libact's `query[k]`). */
export type ArmAdvice =
  /** One-hot on a candidate index: the arm's (preset's) pick. libact: `query[k][make_query()] = 1`. */
  | { readonly kind: 'pick'; readonly index: number }
  /** Uniform over the round's available candidates: libact's `uniform_sampler` row, kgal's `random` preset. */
  | { readonly kind: 'uniform' }
  /** Any distribution over the candidates (general EXP4.P advice; must be ≥ 0, sum to 1, be 0 on excluded ones). */
  | { readonly kind: 'distribution'; readonly probabilities: ArrayLike<number> };

/** One EXP4.P round's input: the candidates (indices 0..candidateCount−1) and every arm's advice, in arm order. */
export interface Exp4pRound {
  readonly candidateCount: number;
  readonly advice: ReadonlyArray<ArmAdvice>;
  /** Candidate indices that cannot be drawn this round (in a batch: the items already drawn). Default none. */
  readonly excluded?: ReadonlySet<number>;
}

/** The outcome of one round's draw: all the update needs later, as plain JSON. */
export interface Exp4pDraw {
  /** The drawn candidate index. */
  readonly index: number;
  /** q_j: the probability the round's query distribution gave the drawn item (its importance weight is 1/q_j). */
  readonly probability: number;
  /** The arm whose advice the draw followed (two-stage sampling: arm ~ p, then item ~ that arm's advice). */
  readonly arm: number;
  /** p: the arm probabilities at the draw. */
  readonly armProbabilities: number[];
  /** a_k[j]: each arm's advice on the drawn item (1/0 for picks, 1/available for the uniform arm). */
  readonly armAdvice: number[];
}

/** A draw inside a batch: the item's id and its slot (0-based position in the batch). */
export interface BatchDraw extends Exp4pDraw {
  readonly itemId: string;
  readonly slot: number;
  /** When it was drawn (epoch ms), when the caller said (`drawBatch`'s `now`). */
  readonly drawnAt?: number;
}

/** An item queried by the bandit, with libact's importance weight W = 1/q (the `W`, `queried_hist_` lists). */
export interface QueriedItem {
  readonly itemId: string;
  readonly weight: number;
}

/** The serialisable learner state. */
export interface Exp4pState {
  readonly kind: 'exp4p';
  readonly version: 1;
  /** Arm names (kgal presets), in the order of `weights` and of every advice list. */
  readonly arms: string[];
  /** w: one weight per arm, all 1 at the start (libact's `Exp4P.w`); only their ratios matter. */
  readonly weights: number[];
  /** T: the query budget (number of items to be labeled over the campaign). */
  readonly budget: number;
  readonly delta: number;
  readonly pmin: number;
  /** The pmin libact's formula asked for when it exceeded 1/K and was clamped to 1/K (see docs/bandit.md); else absent. */
  readonly pminRequested?: number;
  /** Rounds whose update has been applied. */
  readonly rounds: number;
  /** Draws made but not yet rewarded (the current batch). */
  readonly pending: BatchDraw[];
  /** Items queried and rewarded so far with their importance weights, in query order. */
  readonly queried: QueriedItem[];
  /** kgal's conservative layer (src/strategies/bandit-anchor.ts): absent in libact's plain ALBL. */
  readonly anchor?: AnchorState;
}

export interface Exp4pOptions {
  /** Arm (preset) names; distinct, at least one. */
  readonly arms: ReadonlyArray<string>;
  /** T: the query budget in items (a positive integer). */
  readonly budget: number;
  /** δ > 0; default 0.1 as in libact 0.1.6. */
  readonly delta?: number;
  /** 0 ≤ pmin ≤ 1/K; default `defaultPmin(K, T)` (clamped to 1/K). */
  readonly pmin?: number;
  /** An anchor arm with a fixed share of every draw (bandit-anchor.ts); none: libact's ALBL. */
  readonly anchor?: AnchorSettings;
}

/** libact's default: pmin = sqrt(ln N / (K·T)) with N = K = number of arms (`Exp4P.__init__`). */
export function defaultPmin(arms: number, budget: number): number {
  checkPositiveInteger(arms, 'arms');
  checkPositiveInteger(budget, 'budget');
  return Math.sqrt(Math.log(arms) / arms / budget);
}

export function createExp4pState(options: Exp4pOptions): Exp4pState {
  const arms = [...options.arms];
  if (arms.length === 0) throw new RangeError('exp4p: need at least one arm');
  if (new Set(arms).size !== arms.length) throw new RangeError(`exp4p: arm names must be distinct, got ${arms.join(', ')}`);
  checkPositiveInteger(options.budget, 'budget');
  const delta = options.delta ?? DEFAULT_EXP4P_DELTA;
  if (!(delta > 0) || !Number.isFinite(delta)) throw new RangeError(`exp4p: delta must be finite and > 0, got ${delta}`);
  const K = arms.length;
  let pmin: number;
  let pminRequested: number | undefined;
  if (options.pmin === undefined) {
    pmin = defaultPmin(K, options.budget);
    // libact would go on with 1 − K·pmin < 0 (negative probabilities; numpy's choice() then raises).
    if (K * pmin > 1) {
      pminRequested = pmin;
      pmin = 1 / K;
    }
  } else {
    pmin = options.pmin;
    if (!(pmin >= 0) || K * pmin > 1) throw new RangeError(`exp4p: pmin must be in [0, 1/${K}], got ${pmin}`);
  }
  return {
    kind: 'exp4p',
    version: 1,
    arms,
    weights: arms.map(() => 1),
    budget: options.budget,
    delta,
    pmin,
    ...(pminRequested === undefined ? {} : { pminRequested }),
    rounds: 0,
    pending: [],
    queried: [],
    ...(options.anchor ? { anchor: createAnchorState(arms, options.anchor) } : {}),
  };
}

/**
 * The arm distribution the draws are made with: libact's p_k = (1 − K·pmin)·w_k / Σw + pmin
 * (`p = (1 - self.K * self.pmin) * self.w / W + self.pmin`), mixed with the anchor when the state has one.
 */
export function armProbabilities(state: Exp4pState): number[] {
  const K = state.weights.length;
  let W = 0;
  for (const w of state.weights) W += w;
  const scale = 1 - K * state.pmin;
  const p = state.weights.map((w) => (scale * w) / W + state.pmin);
  return state.anchor ? anchoredProbabilities(p, state.anchor) : p;
}

/** The arms with their probabilities and weights, for reports and the API. */
export function armReport(state: Exp4pState): Array<{ arm: string; probability: number; weight: number }> {
  const p = armProbabilities(state);
  return state.arms.map((arm, k) => ({ arm, probability: p[k]!, weight: state.weights[k]! }));
}

/** a_k[index] for every arm k: the advice column of one candidate. */
export function adviceColumn(round: Exp4pRound, index: number): number[] {
  const available = availableCount(round);
  return round.advice.map((a) => adviceAt(a, index, available, round.excluded));
}

/** q_j = Σ_k p_k · a_k[j] for one candidate (libact: `np.dot(p, query)[j]`). */
export function queryProbability(state: Exp4pState, round: Exp4pRound, index: number): number {
  checkRound(state, round);
  return dot(armProbabilities(state), adviceColumn(round, index));
}

/** The whole query distribution q over the round's candidates (libact's yielded `query_vector`). */
export function queryDistribution(state: Exp4pState, round: Exp4pRound): Float64Array {
  checkRound(state, round);
  const p = armProbabilities(state);
  const available = availableCount(round);
  const q = new Float64Array(round.candidateCount);
  round.advice.forEach((a, k) => {
    const pk = p[k]!;
    if (a.kind === 'pick') q[a.index] = q[a.index]! + pk;
    else if (a.kind === 'uniform') {
      const v = pk * (1 / available);
      for (let j = 0; j < q.length; j++) if (!round.excluded?.has(j)) q[j] = q[j]! + v;
    } else for (let j = 0; j < q.length; j++) q[j] = q[j]! + pk * a.probabilities[j]!;
  });
  return q;
}

/** The draw record for a given candidate (used to replay a known draw; `chooseQuery` draws one). */
export function drawAt(state: Exp4pState, round: Exp4pRound, index: number, arm = -1): Exp4pDraw {
  checkRound(state, round);
  if (!Number.isInteger(index) || index < 0 || index >= round.candidateCount || round.excluded?.has(index)) {
    throw new RangeError(`exp4p: candidate ${index} is not drawable in this round`);
  }
  const p = armProbabilities(state);
  const armAdvice = adviceColumn(round, index);
  const probability = dot(p, armAdvice);
  if (!(probability > 0)) throw new RangeError(`exp4p: candidate ${index} has query probability ${probability}`);
  return { index, probability, arm, armProbabilities: p, armAdvice };
}

/**
 * Draws one candidate from q. Two stages, which is the same distribution as drawing from q directly (q is the
 * p-mixture of the advice vectors): an arm k ~ p, then an item ~ a_k. One uniform number for the arm, one more
 * for uniform or distribution advice (uniform: rejection over excluded candidates, so possibly a few more).
 */
export function chooseQuery(state: Exp4pState, round: Exp4pRound, rng: RandomSource): Exp4pDraw {
  checkRound(state, round);
  const next = typeof rng === 'function' ? rng : () => rng.next();
  const p = armProbabilities(state);
  const arm = sampleIndex(p, next());
  const advice = round.advice[arm]!;
  let index: number;
  if (advice.kind === 'pick') index = advice.index;
  else if (advice.kind === 'uniform') {
    if (availableCount(round) <= 0) throw new RangeError('exp4p: no candidate left to draw');
    do index = Math.min(round.candidateCount - 1, Math.floor(next() * round.candidateCount));
    while (round.excluded?.has(index));
  } else index = sampleIndex(advice.probabilities, next());
  return drawAt(state, round, index, arm);
}

/**
 * One EXP4.P update (libact's generator after `yield`): rhat_k = r·a_k[j]/q_j, vhat_k = 1/p_k,
 * w_k ← w_k·exp(pmin/2·(rhat_k + vhat_k·sqrt(ln(N/δ)/(K·T)))). The p and a used are the draw's own.
 */
export function applyExp4pRound(state: Exp4pState, draw: Exp4pDraw, reward: number): Exp4pState {
  const rounds = state.rounds + 1;
  const anchor = state.anchor && settleAnchor(recordAnchorEvidence(state.anchor, draw, reward), state.arms, rounds);
  return { ...state, weights: updatedWeights(state, state.weights, draw, reward), rounds, ...(anchor ? { anchor } : {}) };
}

/**
 * Batch draw: B = min(batchSize, available) EXP4.P rounds from the current weights. Slot s: each arm advises
 * the first item of its ranking that is not yet taken (by slots < s or by pending draws), the uniform arm
 * spreads over the items not taken; an arm whose ranking is used up advises uniformly. Returns the draws and
 * the state with them pending.
 */
export function drawBatch(
  state: Exp4pState,
  request: {
    /** The current candidates (unlabeled items); candidate index = position here. */
    readonly candidateIds: ReadonlyArray<string>;
    /** Per arm, in `state.arms` order: its ranking (candidate indices, best first), or 'uniform'. */
    readonly advice: ReadonlyArray<ReadonlyArray<number> | 'uniform'>;
    readonly batchSize: number;
    /** Recorded on each draw as `drawnAt` (epoch ms), so a later update can tell draws still in flight. */
    readonly now?: number;
  },
  rng: RandomSource,
): { state: Exp4pState; draws: BatchDraw[] } {
  const { candidateIds, advice, batchSize, now } = request;
  if (advice.length !== state.arms.length) {
    throw new RangeError(`exp4p: advice for ${advice.length} arms, the state has ${state.arms.length}`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 0) throw new RangeError(`exp4p: batchSize must be an integer ≥ 0, got ${batchSize}`);
  const pendingIds = new Set(state.pending.map((d) => d.itemId));
  const taken = new Set<number>();
  candidateIds.forEach((id, j) => {
    if (pendingIds.has(id)) taken.add(j);
  });
  const cursors = advice.map(() => 0);
  const draws: BatchDraw[] = [];
  const size = Math.min(batchSize, candidateIds.length - taken.size);
  for (let slot = 0; slot < size; slot++) {
    const roundAdvice: ArmAdvice[] = advice.map((a, k) => {
      if (a === 'uniform') return { kind: 'uniform' };
      let c = cursors[k]!;
      while (c < a.length && taken.has(a[c]!)) c++;
      cursors[k] = c;
      return c < a.length ? { kind: 'pick', index: a[c]! } : { kind: 'uniform' };
    });
    const draw = chooseQuery(state, { candidateCount: candidateIds.length, advice: roundAdvice, excluded: taken }, rng);
    taken.add(draw.index);
    draws.push({ ...draw, itemId: candidateIds[draw.index]!, slot, ...(now !== undefined ? { drawnAt: now } : {}) });
  }
  return { state: { ...state, pending: [...state.pending, ...draws] }, draws };
}

/**
 * The items the next reward is computed on: all queried items plus the pending ones (only those in `labeled`
 * when given), each with W = 1/q. Feed them to `importanceWeightedAccuracy` with the retrained model's
 * correctness on each.
 */
export function rewardItems(state: Exp4pState, labeled?: ReadonlySet<string>): QueriedItem[] {
  const fresh = state.pending
    .filter((d) => labeled === undefined || labeled.has(d.itemId))
    .map((d) => ({ itemId: d.itemId, weight: 1 / d.probability }));
  return [...state.queried, ...fresh];
}

/**
 * Applies the pending draws (in draw order, each with the same `reward`) and moves their items into the
 * queried history. With `labeled`, only draws whose item got a label are applied; the others are dropped (they
 * never became queries), except those `awaiting` says may still get one (an item out with an annotator):
 * they stay pending and are applied at a later update, so a team's interleaved queries do not throw away
 * each other's draws. Without `awaiting` this is libact's behaviour.
 */
export function updateExp4p(
  state: Exp4pState,
  reward: number,
  labeled?: ReadonlySet<string>,
  awaiting?: (draw: BatchDraw) => boolean,
): Exp4pState {
  const applied = state.pending.filter((d) => labeled === undefined || labeled.has(d.itemId));
  const kept = labeled === undefined || awaiting === undefined ? [] : state.pending.filter((d) => !labeled.has(d.itemId) && awaiting(d));
  let weights = state.weights;
  let anchor = state.anchor;
  for (const draw of applied) {
    weights = updatedWeights(state, weights, draw, reward);
    if (anchor) anchor = recordAnchorEvidence(anchor, draw, reward);
  }
  // The anchor moves between batches, never inside one: every draw of a batch shares its reward.
  if (anchor) anchor = settleAnchor(anchor, state.arms, state.rounds + applied.length);
  return {
    ...state,
    weights,
    ...(anchor ? { anchor } : {}),
    rounds: state.rounds + applied.length,
    pending: kept,
    queried: [...state.queried, ...applied.map((d) => ({ itemId: d.itemId, weight: 1 / d.probability }))],
  };
}

/**
 * libact's reward, importance-weighted accuracy (`ActiveLearningByLearning.calc_reward_fn`):
 * IW-ACC = Σ_i W_i·[f(x_i) = y_i] / n / T over every queried item i (W_i = 1/q_i at its draw), with f the
 * model retrained on all labels so far, n the pool size (labeled + unlabeled) and T the budget.
 */
export function importanceWeightedAccuracy(
  queried: ReadonlyArray<{ readonly weight: number; readonly correct: boolean }>,
  poolSize: number,
  budget: number,
): number {
  checkPositiveInteger(poolSize, 'poolSize');
  checkPositiveInteger(budget, 'budget');
  let reward = 0;
  for (const { weight, correct } of queried) {
    if (!(weight > 0) || !Number.isFinite(weight)) throw new RangeError(`exp4p: importance weight must be finite and > 0, got ${weight}`);
    if (correct) reward += weight;
  }
  return reward / poolSize / budget;
}

// ---------------------------------------------------------------------------------------------------------

function updatedWeights(state: Exp4pState, weights: ReadonlyArray<number>, draw: Exp4pDraw, reward: number): number[] {
  if (!Number.isFinite(reward)) throw new RangeError(`exp4p: reward must be finite, got ${reward}`);
  const N = weights.length;
  if (draw.armProbabilities.length !== N || draw.armAdvice.length !== N) {
    throw new RangeError(`exp4p: the draw has ${draw.armProbabilities.length} arms, the state ${N}`);
  }
  const K = N; // libact's ALBL: arms = query strategies, identity experts
  const bonus = Math.sqrt(Math.log(N / state.delta) / K / state.budget);
  const q = draw.probability;
  let out = weights.map((w, k) => {
    const rhat = (reward * draw.armAdvice[k]!) / q;
    const vhat = 1 / draw.armProbabilities[k]!;
    return w * Math.exp((state.pmin / 2) * (rhat + vhat * bonus));
  });
  const max = Math.max(...out);
  if (!Number.isFinite(max)) throw new RangeError('exp4p: weights overflowed');
  if (max > RESCALE_ABOVE) out = out.map((w) => w / max);
  return out;
}

function adviceAt(a: ArmAdvice, index: number, available: number, excluded: ReadonlySet<number> | undefined): number {
  if (a.kind === 'pick') return a.index === index ? 1 : 0;
  if (a.kind === 'uniform') return excluded?.has(index) ? 0 : 1 / available;
  return a.probabilities[index]!;
}

function availableCount(round: Exp4pRound): number {
  let excluded = 0;
  if (round.excluded) for (const j of round.excluded) if (Number.isInteger(j) && j >= 0 && j < round.candidateCount) excluded++;
  return round.candidateCount - excluded;
}

function checkRound(state: Exp4pState, round: Exp4pRound): void {
  const M = round.candidateCount;
  if (!Number.isInteger(M) || M < 1) throw new RangeError(`exp4p: candidateCount must be a positive integer, got ${M}`);
  if (round.advice.length !== state.arms.length) {
    throw new RangeError(`exp4p: advice for ${round.advice.length} arms, the state has ${state.arms.length}`);
  }
  round.advice.forEach((a, k) => {
    if (a.kind === 'pick') {
      if (!Number.isInteger(a.index) || a.index < 0 || a.index >= M) {
        throw new RangeError(`exp4p: arm ${state.arms[k]} picks candidate ${a.index}, outside 0..${M - 1}`);
      }
      if (round.excluded?.has(a.index)) throw new RangeError(`exp4p: arm ${state.arms[k]} picks excluded candidate ${a.index}`);
    } else if (a.kind === 'distribution') {
      if (a.probabilities.length !== M) {
        throw new RangeError(`exp4p: arm ${state.arms[k]} advises ${a.probabilities.length} probabilities for ${M} candidates`);
      }
      let sum = 0;
      for (let j = 0; j < M; j++) {
        const v = a.probabilities[j]!;
        if (!(v >= 0) || !Number.isFinite(v) || (v > 0 && round.excluded?.has(j))) {
          throw new RangeError(`exp4p: arm ${state.arms[k]} advises ${v} on candidate ${j}`);
        }
        sum += v;
      }
      if (Math.abs(sum - 1) > 1e-9) throw new RangeError(`exp4p: arm ${state.arms[k]}'s advice sums to ${sum}, not 1`);
    }
  });
}

function sampleIndex(probabilities: ArrayLike<number>, u: number): number {
  let total = 0;
  for (let i = 0; i < probabilities.length; i++) total += probabilities[i]!;
  const target = u * total;
  let acc = 0;
  let last = -1;
  for (let i = 0; i < probabilities.length; i++) {
    const v = probabilities[i]!;
    if (v <= 0) continue;
    acc += v;
    last = i;
    if (target < acc) return i;
  }
  if (last < 0) throw new RangeError('exp4p: nothing to sample from');
  return last; // u·total ≥ the accumulated sum by rounding only
}

function dot(a: ReadonlyArray<number>, b: ReadonlyArray<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function checkPositiveInteger(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`exp4p: ${what} must be a positive integer, got ${value}`);
}
