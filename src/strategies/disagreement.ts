/**
 * Committee disagreement scores, per item (row). A committee is K members' N×C probability matrices over the
 * same C classes in the same column order (kgal's bootstrap committee always predicts every class, so no
 * member has fewer columns: modAL instead pads a learner's unknown classes with 0). Vote, consensus and KL
 * scores match modAL 0.4.2.1 (`modAL/disagreement.py`); mutual information (BALD) is not in modAL and follows
 * Houlsby et al. 2011. All in nats. Values must be finite and ≥ 0 (RangeError otherwise); rows need not sum
 * to 1 (entropies and KL divide by the row sum, as `scipy.stats.entropy` does). docs/scores.md has the table.
 */
import { createMatrix, type Matrix } from '../model/matrix.js';
import { checkProbabilities, rowEntropy } from './uncertainty.js';

/** K members' N×C class probabilities, same N, same classes in the same column order. */
export type Committee = readonly Matrix[];

function checkCommittee(committee: Committee): { rows: number; cols: number } {
  const first = committee[0];
  if (first === undefined) throw new RangeError('committee: need at least one member');
  committee.forEach((member, k) => {
    if (member.rows !== first.rows || member.cols !== first.cols) {
      throw new RangeError(
        `committee: member ${k} is ${member.rows}×${member.cols}, member 0 is ${first.rows}×${first.cols}`,
      );
    }
    checkProbabilities(member, `committee member ${k}`);
  });
  return { rows: first.rows, cols: first.cols };
}

function meanUnchecked(committee: Committee, rows: number, cols: number): Matrix<Float64Array> {
  const out = createMatrix(rows, cols);
  const sum = out.data;
  for (const member of committee) {
    const data = member.data;
    for (let i = 0; i < sum.length; i++) sum[i]! += data[i]!;
  }
  const k = committee.length;
  for (let i = 0; i < sum.length; i++) sum[i]! /= k;
  return out;
}

/** The committee's consensus: the mean of the members' probabilities, N×C (modAL's `Committee.predict_proba`). */
export function meanProbabilities(committee: Committee): Matrix<Float64Array> {
  const { rows, cols } = checkCommittee(committee);
  return meanUnchecked(committee, rows, cols);
}

/**
 * Vote entropy: entropy of the vote fractions, each member voting for its argmax class (the first maximum
 * on ties, like sklearn's `predict`), in nats; higher = more disagreement; [0, ln min(K, C)].
 * modAL counts over the committee's known classes; classes without votes add 0, so the value is the same.
 */
export function voteEntropy(committee: Committee): Float64Array {
  const { rows, cols } = checkCommittee(committee);
  const k = committee.length;
  const out = new Float64Array(rows);
  const counts = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    counts.fill(0);
    const start = i * cols;
    for (const member of committee) {
      const data = member.data;
      let best = 0;
      for (let j = 1; j < cols; j++) if (data[start + j]! > data[start + best]!) best = j;
      counts[best]! += 1;
    }
    for (let j = 0; j < cols; j++) counts[j]! /= k; // modAL's p_vote = count / n_learners, then scipy's entropy
    out[i] = rowEntropy(counts, 0, cols, i);
  }
  return out;
}

/** Consensus entropy `H(mean_k p_k)`, in nats; higher = more uncertain; [0, ln C]. */
export function consensusEntropy(committee: Committee): Float64Array {
  const mean = meanProbabilities(committee);
  const out = new Float64Array(mean.rows);
  for (let i = 0; i < mean.rows; i++) out[i] = rowEntropy(mean.data, i * mean.cols, mean.cols, i);
  return out;
}

/**
 * KL max disagreement `max_k KL(p_k ‖ mean p)`, natural log (nats); higher = more disagreement; [0, ln K].
 * As `scipy.stats.entropy(p_k, q)`: both rows divided by their sums, 0·ln(0/q) = 0, and p > 0 with q = 0
 * would be +∞ (it cannot happen: q ≥ p_k / K, short of subnormal underflow). Tiny negatives from rounding
 * (identical members) are clamped to 0; modAL returns them as they are (|x| ~ 1e-16).
 */
export function klMaxDisagreement(committee: Committee): Float64Array {
  const { rows, cols } = checkCommittee(committee);
  const mean = meanUnchecked(committee, rows, cols).data;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const start = i * cols;
    let qSum = 0;
    for (let j = 0; j < cols; j++) qSum += mean[start + j]!;
    let max = -Infinity;
    for (const member of committee) {
      const data = member.data;
      let pSum = 0;
      for (let j = 0; j < cols; j++) pSum += data[start + j]!;
      if (!(pSum > 0)) throw new RangeError(`row ${i} of a committee member sums to ${pSum}: KL needs a positive row sum`);
      let kl = 0;
      for (let j = 0; j < cols; j++) {
        const x = data[start + j]! / pSum;
        if (x === 0) continue; // scipy.special.rel_entr(0, y ≥ 0) = 0
        const y = mean[start + j]! / qSum;
        kl += y > 0 ? x * Math.log(x / y) : Infinity;
      }
      if (kl > max) max = kl;
    }
    out[i] = Math.max(0, max);
  }
  return out;
}

/**
 * Mutual information (BALD, Houlsby et al. 2011) `H(mean_k p_k) − mean_k H(p_k)`, in nats; higher = more
 * disagreement; [0, min(ln C, ln K)]. Negatives from rounding are clamped to 0. Not in modAL.
 */
export function mutualInformation(committee: Committee): Float64Array {
  const { rows, cols } = checkCommittee(committee);
  const k = committee.length;
  const mean = meanUnchecked(committee, rows, cols).data;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const start = i * cols;
    let memberSum = 0;
    for (const member of committee) memberSum += rowEntropy(member.data, start, cols, i);
    out[i] = Math.max(0, rowEntropy(mean, start, cols, i) - memberSum / k);
  }
  return out;
}
