/**
 * The anchor of `auto`'s bandit: a safe arm (kgal's default, kg-guided) that draws a fixed share of every
 * batch, so the bandit's exploration costs at most the rest; and the evidence that moves the anchor to
 * another arm. It is a conservative bandit in the sense of Wu, Shariff, Lattimore & Szepesvári (2016,
 * "Conservative Bandits"): a known-good baseline keeps most of the plays until the data say, with
 * confidence, that another arm is better.
 *
 * Why (docs/bandit.md, "Can a campaign tell good arms from bad while it runs?"): in a 1,000-label campaign
 * no reward a campaign can compute ranks the arms the way their learning curves do, so libact's EXP4.P
 * wanders near uniform and spends half of Banking77's labels on its two weak arms (random and coreset are
 * 9–20 pt AULC below margin there). The anchor caps that cost; the EXP4.P weights still learn from every
 * draw, and the draws' importance weights use the probabilities actually drawn with.
 *
 * Behaviour distribution over arms: p'_k = share·[k = anchor] + (1 − share)·p_k, with p EXP4.P's own.
 *
 * Evidence against the anchor, per arm k, over the draws since the anchor last moved: the importance-weighted
 * difference in credit, d = r·(a_k[j] − a_anchor[j]) / q_j. Under "the reward does not depend on which arm
 * drew" its expectation is 0 (Σ_j q_j·a[j]/q_j = 1 for every arm), so the sum S_k is a martingale; the anchor
 * moves to the arm with the largest self-normalised lead z_k = S_k / sqrt(Σ d²) once that exceeds `switchZ`.
 * Arms advising the same item as the anchor gain nothing either way.
 *
 * Pure: plain JSON in, new values out.
 */

/** How the anchor is set up (AUTO_DEFAULTS in src/selector/strategies/auto.ts holds kgal's values). */
export interface AnchorSettings {
  /** The arm that starts as the anchor. */
  readonly arm: string;
  /** Its fixed share of every draw, in [0, 1). 0 is libact's plain ALBL. */
  readonly share: number;
  /** The self-normalised lead an arm needs to take over the anchor (a z-score; 4 ≈ one-sided 3e-5 under the null). */
  readonly switchZ: number;
}

/** A move of the anchor, kept in the state so a report can say when and why `auto` changed course. */
export interface AnchorMove {
  readonly round: number;
  readonly from: string;
  readonly to: string;
  readonly z: number;
}

export interface AnchorState {
  /** Index of the anchor arm. */
  readonly arm: number;
  readonly share: number;
  readonly switchZ: number;
  /** S_k: Σ d per arm since the anchor last moved (0 for the anchor itself). */
  readonly lead: number[];
  /** Σ d² per arm since the anchor last moved. */
  readonly leadSquares: number[];
  readonly moves: AnchorMove[];
}

/** Refuses settings no anchor state can be made from; returns the anchor arm's index. */
export function checkAnchorSettings(arms: ReadonlyArray<string>, settings: AnchorSettings): number {
  const arm = arms.indexOf(settings.arm);
  if (arm < 0) throw new RangeError(`bandit anchor: "${settings.arm}" is not one of the arms (${arms.join(', ')})`);
  if (!(settings.share >= 0 && settings.share < 1)) throw new RangeError(`bandit anchor: share must be in [0, 1), got ${settings.share}`);
  if (!(settings.switchZ > 0) || !Number.isFinite(settings.switchZ)) {
    throw new RangeError(`bandit anchor: switchZ must be finite and > 0, got ${settings.switchZ}`);
  }
  return arm;
}

export function createAnchorState(arms: ReadonlyArray<string>, settings: AnchorSettings): AnchorState {
  const arm = checkAnchorSettings(arms, settings);
  return { arm, share: settings.share, switchZ: settings.switchZ, lead: arms.map(() => 0), leadSquares: arms.map(() => 0), moves: [] };
}

/** p'_k = share·[k = anchor] + (1 − share)·p_k: the arm distribution the draws are made with. */
export function anchoredProbabilities(p: ReadonlyArray<number>, anchor: AnchorState): number[] {
  return p.map((pk, k) => (k === anchor.arm ? anchor.share : 0) + (1 - anchor.share) * pk);
}

/** Adds one rewarded draw's evidence: d_k = r·(a_k[j] − a_anchor[j]) / q_j for every arm k. */
export function recordAnchorEvidence(
  anchor: AnchorState,
  draw: { readonly probability: number; readonly armAdvice: ReadonlyArray<number> },
  reward: number,
): AnchorState {
  const anchorAdvice = draw.armAdvice[anchor.arm]!;
  const lead = [...anchor.lead];
  const leadSquares = [...anchor.leadSquares];
  draw.armAdvice.forEach((advice, k) => {
    const d = (reward * (advice - anchorAdvice)) / draw.probability;
    lead[k] = lead[k]! + d;
    leadSquares[k] = leadSquares[k]! + d * d;
  });
  return { ...anchor, lead, leadSquares };
}

/** z_k = S_k / sqrt(Σ d²) per arm (0 where there is no evidence yet, and for the anchor). */
export function anchorLeads(anchor: AnchorState): number[] {
  return anchor.lead.map((s, k) => (k === anchor.arm || !(anchor.leadSquares[k]! > 0) ? 0 : s / Math.sqrt(anchor.leadSquares[k]!)));
}

/**
 * Moves the anchor to the arm with the largest lead if that lead exceeds `switchZ`, and restarts the
 * evidence (it was measured against the old anchor). Called once per applied batch, never mid-batch.
 */
export function settleAnchor(anchor: AnchorState, arms: ReadonlyArray<string>, round: number): AnchorState {
  const z = anchorLeads(anchor);
  let best = -1;
  for (let k = 0; k < z.length; k++) if (z[k]! > anchor.switchZ && (best < 0 || z[k]! > z[best]!)) best = k;
  if (best < 0) return anchor;
  return {
    ...anchor,
    arm: best,
    lead: anchor.lead.map(() => 0),
    leadSquares: anchor.leadSquares.map(() => 0),
    moves: [...anchor.moves, { round, from: arms[anchor.arm]!, to: arms[best]!, z: z[best]! }],
  };
}
