/**
 * Evaluation metrics of a simulation, pure functions over plain arrays. Conventions follow scikit-learn:
 * macro-F1 averages the per-class F1 over the classes present in the truth or the predictions, with F1 = 0
 * for a class that has no true or predicted item (zero_division=0).
 */

export function accuracy(truth: readonly string[], predicted: readonly (string | undefined)[]): number {
  checkLengths(truth, predicted);
  if (truth.length === 0) return 0;
  let correct = 0;
  for (let i = 0; i < truth.length; i += 1) if (truth[i] === predicted[i]) correct += 1;
  return correct / truth.length;
}

/** Macro-averaged F1 (an undefined prediction counts as wrong for its true class and as no class). */
export function macroF1(truth: readonly string[], predicted: readonly (string | undefined)[]): number {
  checkLengths(truth, predicted);
  const classes = new Set<string>(truth);
  for (const p of predicted) if (p !== undefined) classes.add(p);
  if (classes.size === 0) return 0;
  let sum = 0;
  for (const c of classes) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < truth.length; i += 1) {
      const isTrue = truth[i] === c;
      const isPredicted = predicted[i] === c;
      if (isTrue && isPredicted) tp += 1;
      else if (isPredicted) fp += 1;
      else if (isTrue) fn += 1;
    }
    sum += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  return sum / classes.size;
}

/**
 * Normalised area under the learning curve: the trapezoidal area under score-vs-labels divided by the
 * labels span, i.e. the curve's mean height between its first and last point (a value on the score's
 * own scale, comparable between strategies run on the same schedule). One point: that point's score.
 */
export function normalisedAulc(labels: readonly number[], scores: readonly number[]): number {
  checkLengths(labels, scores);
  if (labels.length === 0) return 0;
  if (labels.length === 1) return scores[0]!;
  let area = 0;
  for (let i = 1; i < labels.length; i += 1) {
    const width = labels[i]! - labels[i - 1]!;
    if (width < 0) throw new RangeError('labels must not decrease');
    area += (width * (scores[i]! + scores[i - 1]!)) / 2;
  }
  const span = labels[labels.length - 1]! - labels[0]!;
  return span > 0 ? area / span : scores[scores.length - 1]!;
}

/** The first label count at which the curve reaches `target` (score >= target), or undefined. */
export function labelsToReach(labels: readonly number[], scores: readonly number[], target: number): number | undefined {
  checkLengths(labels, scores);
  for (let i = 0; i < labels.length; i += 1) if (scores[i]! >= target) return labels[i];
  return undefined;
}

/** Cohen's kappa between two labelings of the same items (1 = identical; 1 when both are one constant class). */
export function cohensKappa(a: readonly string[], b: readonly string[]): number {
  checkLengths(a, b);
  const n = a.length;
  if (n === 0) return 1;
  const countsA = new Map<string, number>();
  const countsB = new Map<string, number>();
  let agree = 0;
  for (let i = 0; i < n; i += 1) {
    if (a[i] === b[i]) agree += 1;
    countsA.set(a[i]!, (countsA.get(a[i]!) ?? 0) + 1);
    countsB.set(b[i]!, (countsB.get(b[i]!) ?? 0) + 1);
  }
  const observed = agree / n;
  let expected = 0;
  for (const [label, count] of countsA) expected += (count / n) * ((countsB.get(label) ?? 0) / n);
  return expected >= 1 ? 1 : (observed - expected) / (1 - expected);
}

export interface MeanStd {
  mean: number;
  /** Sample standard deviation (n − 1); 0 for a single value. */
  std: number;
  /** How many values (repeats) it is over. */
  n: number;
}

export function meanStd(values: readonly number[]): MeanStd {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN, n: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance), n };
}

function checkLengths(a: ArrayLike<unknown>, b: ArrayLike<unknown>): void {
  if (a.length !== b.length) throw new RangeError(`length mismatch: ${a.length} vs ${b.length}`);
}
