import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMatrix, matrixFromRows, type Matrix } from '../src/model/matrix.js';
import {
  consensusEntropy,
  klMaxDisagreement,
  meanProbabilities,
  mutualInformation,
  voteEntropy,
  type Committee,
} from '../src/strategies/disagreement.js';
import {
  informationDensity,
  meanCosineSimilarity,
  modalInformationDensity,
} from '../src/strategies/density.js';
import { entropy, leastConfidence, margin, normalizedEntropy } from '../src/strategies/uncertainty.js';
import { fixture } from './support/fixtures.js';

const LN2 = Math.log(2);
const LN3 = Math.log(3);

/** |a − b| ≤ max(1e-12, 1e-9·|b|): 1e-9 relative, 1e-12 absolute near 0. */
function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= Math.max(1e-12, 1e-9 * Math.abs(b));
}

function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    if (!close(a, b)) expect.fail(`${label}[${i}]: kgal ${a}, reference ${b} (|Δ| = ${Math.abs(a - b)})`);
  }
}

/** Top k indices, largest first (smallest for 'min'), values compared at 12 significant digits, ties by index. */
function stableTop(values: ArrayLike<number>, k: number, direction: 'max' | 'min'): number[] {
  const keys = Array.from(values, (v) => Number(v.toPrecision(12)));
  const sign = direction === 'max' ? -1 : 1;
  return keys
    .map((_, i) => i)
    .sort((a, b) => sign * (keys[a]! - keys[b]!) || a - b)
    .slice(0, k);
}

/** Deterministic [0, 1) generator (mulberry32). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** N×C rows on the simplex: normalised Exp(1)^power draws (power > 1 makes peaky rows), some exact zeros. */
function randomProbabilities(random: () => number, rows: number, cols: number, power = 1): Matrix<Float64Array> {
  const m = createMatrix(rows, cols);
  for (let i = 0; i < rows; i++) {
    let sum = 0;
    for (let j = 0; j < cols; j++) {
      const v = random() < 0.1 ? 0 : (-Math.log(1 - random())) ** power;
      m.data[i * cols + j] = v;
      sum += v;
    }
    if (sum === 0) m.data[i * cols] = sum = 1;
    for (let j = 0; j < cols; j++) m.data[i * cols + j]! /= sum;
  }
  return m;
}

describe('uncertainty scores on hand-checked rows', () => {
  const p = matrixFromRows([
    [1, 0, 0],
    [1 / 3, 1 / 3, 1 / 3],
    [0.5, 0.5, 0],
    [0.7, 0.2, 0.1],
    [0.2, 0.5, 0.3],
  ]);
  const h4 = -(0.7 * Math.log(0.7) + 0.2 * Math.log(0.2) + 0.1 * Math.log(0.1));

  it('least confidence is 1 − max p', () => {
    expectAllClose(leastConfidence(p), [0, 2 / 3, 0.5, 0.3, 0.5], 'lc');
  });

  it('margin is p1 − p2 (0 for tied top classes)', () => {
    expectAllClose(margin(p), [1, 0, 0, 0.5, 0.2], 'margin');
  });

  it('entropy in nats: one-hot 0, uniform ln C, 0 ln 0 = 0', () => {
    expectAllClose(entropy(p), [0, LN3, LN2, h4, -(0.2 * Math.log(0.2) + 0.5 * Math.log(0.5) + 0.3 * Math.log(0.3))], 'entropy');
    expectAllClose(normalizedEntropy(p).subarray(0, 4), [0, 1, LN2 / LN3, h4 / LN3], 'normalized');
  });

  it('two classes', () => {
    const q = matrixFromRows([
      [0.9, 0.1],
      [0.5, 0.5],
      [0, 1],
    ]);
    expectAllClose(leastConfidence(q), [0.1, 0.5, 0], 'lc');
    expectAllClose(margin(q), [0.8, 0, 1], 'margin');
    expectAllClose(entropy(q), [-(0.9 * Math.log(0.9) + 0.1 * Math.log(0.1)), LN2, 0], 'entropy');
    expectAllClose(normalizedEntropy(q), [entropy(q)[0]! / LN2, 1, 0], 'normalized');
  });

  it('one class: margin 0 (modAL), entropy and normalised entropy 0', () => {
    const one = matrixFromRows([[1], [0.6]]);
    expectAllClose(leastConfidence(one), [0, 0.4], 'lc');
    expectAllClose(margin(one), [0, 0], 'margin');
    expectAllClose(entropy(one), [0, 0], 'entropy');
    expectAllClose(normalizedEntropy(one), [0, 0], 'normalized');
  });

  it('rows not summing to 1: entropy normalises (scipy), least confidence and margin use raw values (modAL)', () => {
    const raw = matrixFromRows([
      [2, 2],
      [0.3, 0.1],
    ]);
    expectAllClose(entropy(raw), [LN2, -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25))], 'entropy');
    expectAllClose(leastConfidence(raw), [-1, 0.7], 'lc');
    expectAllClose(margin(raw), [0, 0.2], 'margin');
  });

  it('an all-zero row: least confidence 1 and margin 0, entropy refuses it (scipy would give NaN)', () => {
    const zero = matrixFromRows([[0, 0, 0]]);
    expectAllClose(leastConfidence(zero), [1], 'lc');
    expectAllClose(margin(zero), [0], 'margin');
    expect(() => entropy(zero)).toThrow(/row 0 sums to 0/);
  });

  it('rejects NaN, ±Infinity, negatives and zero columns; accepts N = 0', () => {
    for (const bad of [Number.NaN, Infinity, -Infinity, -0.1]) {
      const m = matrixFromRows([
        [0.5, 0.5],
        [0.5, bad],
      ]);
      for (const score of [leastConfidence, margin, entropy, normalizedEntropy]) {
        expect(() => score(m)).toThrow(/row 1, column 1/);
      }
    }
    expect(() => leastConfidence(createMatrix(3, 0))).toThrow(RangeError);
    expect(entropy(createMatrix(0, 4))).toEqual(new Float64Array(0));
  });

  it('Float32 input scores like the same values in Float64', () => {
    const p64 = randomProbabilities(rng(7), 20, 5);
    const p32 = { rows: 20, cols: 5, data: Float32Array.from(p64.data) };
    const back = { rows: 20, cols: 5, data: Float64Array.from(p32.data) };
    for (const score of [leastConfidence, margin, entropy, normalizedEntropy]) {
      expect(score(p32)).toEqual(score(back));
    }
  });
});

describe('committee scores on hand-checked committees', () => {
  it('two members, opposite one-hot votes: every score is ln 2', () => {
    const c: Committee = [matrixFromRows([[1, 0]]), matrixFromRows([[0, 1]])];
    expectAllClose(meanProbabilities(c).data, [0.5, 0.5], 'mean');
    expectAllClose(voteEntropy(c), [LN2], 'vote');
    expectAllClose(consensusEntropy(c), [LN2], 'consensus');
    expectAllClose(klMaxDisagreement(c), [LN2], 'kl');
    expectAllClose(mutualInformation(c), [LN2], 'mi');
  });

  it('identical members: no disagreement, consensus entropy = member entropy', () => {
    const row = [0.6, 0.3, 0.1];
    const c: Committee = [matrixFromRows([row]), matrixFromRows([row]), matrixFromRows([row])];
    expectAllClose(voteEntropy(c), [0], 'vote');
    expectAllClose(klMaxDisagreement(c), [0], 'kl');
    expectAllClose(mutualInformation(c), [0], 'mi');
    expectAllClose(consensusEntropy(c), entropy(matrixFromRows([row])), 'consensus');
  });

  it('K = C one-hot members on different classes reach the maxima ln K', () => {
    const c: Committee = [matrixFromRows([[1, 0, 0]]), matrixFromRows([[0, 1, 0]]), matrixFromRows([[0, 0, 1]])];
    expectAllClose(voteEntropy(c), [LN3], 'vote');
    expectAllClose(klMaxDisagreement(c), [LN3], 'kl');
    expectAllClose(mutualInformation(c), [LN3], 'mi');
  });

  it('votes: argmax with ties to the first maximum, fractions over K members', () => {
    // members vote 0 (tie 0.5/0.5 goes to class 0), 0, 1
    const c: Committee = [matrixFromRows([[0.5, 0.5, 0]]), matrixFromRows([[0.9, 0.1, 0]]), matrixFromRows([[0.2, 0.7, 0.1]])];
    expectAllClose(voteEntropy(c), [-((2 / 3) * Math.log(2 / 3) + (1 / 3) * Math.log(1 / 3))], 'vote');
    const mean = [(0.5 + 0.9 + 0.2) / 3, (0.5 + 0.1 + 0.7) / 3, 0.1 / 3];
    const h = (r: number[]): number => r.reduce((s, x) => (x > 0 ? s - x * Math.log(x) : s), 0);
    const kl = (r: number[]): number => r.reduce((s, x, j) => (x > 0 ? s + x * Math.log(x / mean[j]!) : s), 0);
    expectAllClose(consensusEntropy(c), [h(mean)], 'consensus');
    expectAllClose(klMaxDisagreement(c), [Math.max(kl([0.5, 0.5, 0]), kl([0.9, 0.1, 0]), kl([0.2, 0.7, 0.1]))], 'kl');
    expectAllClose(mutualInformation(c), [h(mean) - (h([0.5, 0.5, 0]) + h([0.9, 0.1, 0]) + h([0.2, 0.7, 0.1])) / 3], 'mi');
  });

  it('rejects an empty committee, mismatched members and invalid values', () => {
    expect(() => voteEntropy([])).toThrow(/at least one member/);
    expect(() => consensusEntropy([createMatrix(2, 3), createMatrix(2, 4)])).toThrow(/member 1 is 2×4/);
    expect(() => klMaxDisagreement([matrixFromRows([[0.5, 0.5]]), matrixFromRows([[Number.NaN, 1]])])).toThrow(
      /committee member 1: row 0, column 0/,
    );
  });
});

describe('score properties on random matrices', () => {
  const random = rng(2024);
  for (const [cols, k, power] of [
    [2, 5, 1],
    [4, 3, 3],
    [7, 5, 0.3],
    [10, 2, 6],
  ] as const) {
    it(`finite and in range: C=${cols}, K=${k}, power ${power}`, () => {
      const n = 300;
      const eps = 1e-12;
      const p = randomProbabilities(random, n, cols, power);
      const committee = Array.from({ length: k }, () => randomProbabilities(random, n, cols, power));
      const lnC = Math.log(cols);
      const lnK = Math.log(k);
      const ranges: Array<[string, Float64Array, number]> = [
        ['leastConfidence', leastConfidence(p), 1 - 1 / cols],
        ['margin', margin(p), 1],
        ['entropy', entropy(p), lnC],
        ['normalizedEntropy', normalizedEntropy(p), 1],
        ['voteEntropy', voteEntropy(committee), Math.log(Math.min(k, cols))],
        ['consensusEntropy', consensusEntropy(committee), lnC],
        ['klMaxDisagreement', klMaxDisagreement(committee), lnK],
        ['mutualInformation', mutualInformation(committee), Math.min(lnC, lnK)],
      ];
      for (const [name, values, max] of ranges) {
        expect(values.length, name).toBe(n);
        for (const v of values) {
          if (!(Number.isFinite(v) && v >= -eps && v <= max + eps)) expect.fail(`${name}: ${v} outside [0, ${max}]`);
        }
      }
      const ce = consensusEntropy(committee);
      const mi = mutualInformation(committee);
      mi.forEach((v, i) => expect(v).toBeLessThanOrEqual(ce[i]! + eps));
    });
  }
});

interface SampledTop {
  indices: number[];
  values: number[];
}
interface UncertaintyCase {
  name: string;
  proba: number[][];
  modal: { classifier_uncertainty: number[]; classifier_margin: number[]; classifier_entropy: number[] };
  sampling: { uncertainty_sampling: SampledTop; margin_sampling: SampledTop; entropy_sampling: SampledTop };
  stableTop: { classifier_uncertainty: number[]; classifier_margin: number[]; classifier_entropy: number[] };
}
interface CommitteeCase {
  name: string;
  members: number[][][];
  modal: { consensus_proba: number[][]; vote_entropy: number[]; consensus_entropy: number[]; KL_max_disagreement: number[] };
  scipy: { mutual_information: number[] };
  sampling: { vote_entropy_sampling: SampledTop; consensus_entropy_sampling: SampledTop; max_disagreement_sampling: SampledTop };
  stableTop: { vote_entropy: number[]; consensus_entropy: number[]; KL_max_disagreement: number[]; mutual_information: number[] };
}
interface DensityCase {
  name: string;
  embeddings: number[][];
  modal: { information_density_cosine: number[] };
  sklearn: { mean_cosine_similarity: number[] };
}
interface ModalFixture {
  command: string;
  versions: Record<string, string>;
  topK: number;
  uncertainty: UncertaintyCase[];
  committee: CommitteeCase[];
  density: DensityCase[];
}

const modal = JSON.parse(readFileSync(fixture('modal-scores.json'), 'utf8')) as ModalFixture;

/**
 * kgal's top k (ties by index) is the fixture's stable order; the values at kgal's picks are the values at
 * modAL's `*_sampling` picks (an unordered set, ties broken by argpartition); where the k-th and (k+1)-th
 * values differ, the two sets are equal.
 */
function expectSameTop(scores: Float64Array, stable: number[], sampled: SampledTop, direction: 'max' | 'min', label: string): void {
  const k = stable.length;
  const ours = stableTop(scores, k, direction);
  expect(ours, `${label}: top ${k}`).toEqual(stable);
  const sortNum = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
  expectAllClose(sortNum(ours.map((i) => scores[i]!)), sortNum(sampled.values), `${label}: values at modAL's picks`);
  const ranked = stableTop(scores, scores.length, direction);
  const kth = scores[ranked[k - 1]!]!;
  const next = ranked[k] === undefined ? undefined : scores[ranked[k]!]!;
  if (next === undefined || !close(kth, next)) expect(sortNum(ours), `${label}: modAL's set`).toEqual(sortNum(sampled.indices));
}

describe(`modAL cross-check (${modal.versions['modAL-python'] ?? '?'}; ${modal.command})`, () => {
  it('the fixture holds the cases it is meant to', () => {
    expect(modal.uncertainty.map((c) => c.name)).toEqual(['c4', 'c2', 'c7', 'c4-unnormalised', 'c1']);
    expect(modal.committee.map((c) => c.name)).toEqual(['k5-c4', 'k5-c2', 'k5-c7', 'k2-c4']);
    expect(modal.density).toHaveLength(1);
  });

  for (const c of modal.uncertainty) {
    it(`uncertainty ${c.name}: classifier_uncertainty, classifier_margin, classifier_entropy and their sampling`, () => {
      const p = matrixFromRows(c.proba);
      const lc = leastConfidence(p);
      const mg = margin(p);
      const en = entropy(p);
      expectAllClose(lc, c.modal.classifier_uncertainty, `${c.name} leastConfidence`);
      expectAllClose(mg, c.modal.classifier_margin, `${c.name} margin`);
      expectAllClose(en, c.modal.classifier_entropy, `${c.name} entropy`);
      expectSameTop(lc, c.stableTop.classifier_uncertainty, c.sampling.uncertainty_sampling, 'max', `${c.name} uncertainty_sampling`);
      expectSameTop(mg, c.stableTop.classifier_margin, c.sampling.margin_sampling, 'min', `${c.name} margin_sampling`);
      expectSameTop(en, c.stableTop.classifier_entropy, c.sampling.entropy_sampling, 'max', `${c.name} entropy_sampling`);
    });
  }

  for (const c of modal.committee) {
    it(`committee ${c.name}: vote_entropy, consensus_entropy, KL_max_disagreement, BALD and their sampling`, () => {
      const committee: Committee = c.members.map((m) => matrixFromRows(m));
      expectAllClose(meanProbabilities(committee).data, c.modal.consensus_proba.flat(), `${c.name} meanProbabilities`);
      const ve = voteEntropy(committee);
      const ce = consensusEntropy(committee);
      const kl = klMaxDisagreement(committee);
      const mi = mutualInformation(committee);
      expectAllClose(ve, c.modal.vote_entropy, `${c.name} voteEntropy`);
      expectAllClose(ce, c.modal.consensus_entropy, `${c.name} consensusEntropy`);
      expectAllClose(kl, c.modal.KL_max_disagreement, `${c.name} klMaxDisagreement`);
      expectAllClose(mi, c.scipy.mutual_information, `${c.name} mutualInformation (scipy formula)`);
      expectSameTop(ve, c.stableTop.vote_entropy, c.sampling.vote_entropy_sampling, 'max', `${c.name} vote_entropy_sampling`);
      expectSameTop(ce, c.stableTop.consensus_entropy, c.sampling.consensus_entropy_sampling, 'max', `${c.name} consensus_entropy_sampling`);
      expectSameTop(kl, c.stableTop.KL_max_disagreement, c.sampling.max_disagreement_sampling, 'max', `${c.name} max_disagreement_sampling`);
      expect(stableTop(mi, c.stableTop.mutual_information.length, 'max'), `${c.name} BALD top`).toEqual(c.stableTop.mutual_information);
    });
  }

  for (const c of modal.density) {
    it(`density ${c.name}: information_density(metric='cosine') and sklearn's mean cosine similarity`, () => {
      const x = matrixFromRows(c.embeddings);
      expectAllClose(modalInformationDensity(x), c.modal.information_density_cosine, `${c.name} modalInformationDensity`);
      expectAllClose(meanCosineSimilarity(x), c.sklearn.mean_cosine_similarity, `${c.name} meanCosineSimilarity`);
    });
  }
});

describe('density on embeddings', () => {
  /** The all-pairs definition the O(N·D) identity replaces. */
  function pairwiseMeanCosine(x: Matrix): Float64Array {
    const norms = Array.from({ length: x.rows }, (_, i) => {
      let s = 0;
      for (let j = 0; j < x.cols; j++) s += x.data[i * x.cols + j]! ** 2;
      return Math.sqrt(s);
    });
    const out = new Float64Array(x.rows);
    for (let a = 0; a < x.rows; a++) {
      let sum = 0;
      for (let b = 0; b < x.rows; b++) {
        if (norms[a] === 0 || norms[b] === 0) continue;
        let dot = 0;
        for (let j = 0; j < x.cols; j++) dot += x.data[a * x.cols + j]! * x.data[b * x.cols + j]!;
        sum += dot / (norms[a]! * norms[b]!);
      }
      out[a] = sum / x.rows;
    }
    return out;
  }

  function randomEmbeddings(random: () => number, rows: number, cols: number, shift = 0): Matrix<Float64Array> {
    const m = createMatrix(rows, cols);
    for (let i = 0; i < m.data.length; i++) m.data[i] = random() * 2 - 1 + (i % cols === 0 ? shift : 0);
    return m;
  }

  it('two orthogonal unit vectors', () => {
    const x = matrixFromRows([
      [1, 0],
      [0, 1],
    ]);
    expectAllClose(meanCosineSimilarity(x), [0.5, 0.5], 'meanCos');
    expectAllClose(modalInformationDensity(x), [0.75, 0.75], 'modal');
  });

  it('the O(N·D) identity equals the all-pairs mean (unnormalised rows, a zero row, opposite rows)', () => {
    const x = randomEmbeddings(rng(11), 60, 16, 0.4);
    for (let j = 0; j < 16; j++) {
      x.data[5 * 16 + j] = 0;
      x.data[6 * 16 + j] = -3 * x.data[7 * 16 + j]!;
    }
    expectAllClose(meanCosineSimilarity(x), pairwiseMeanCosine(x), 'meanCos');
  });

  it('informationDensity = max(0, mean cos)^β', () => {
    const x = matrixFromRows([
      [1, 0],
      [0.6, 0.8],
      [-1, -0.1],
    ]);
    const mean = meanCosineSimilarity(x);
    expect(mean[2]!).toBeLessThan(0);
    expectAllClose(informationDensity(x), Array.from(mean, (v) => Math.max(0, v)), 'beta 1');
    expectAllClose(informationDensity(x, { beta: 2 }), Array.from(mean, (v) => Math.max(0, v) ** 2), 'beta 2');
    expectAllClose(informationDensity(x, { beta: 0 }), [1, 1, 1], 'beta 0');
    expect(() => informationDensity(x, { beta: -1 })).toThrow(/beta/);
    expect(() => meanCosineSimilarity(matrixFromRows([[1, Number.NaN]]))).toThrow(/row 0, column 1/);
  });

  it("modAL's density is at least 1/(2 − mean cos) (Jensen: 1/(2 − c) is convex), within its range [1/3, 1]", () => {
    const x = randomEmbeddings(rng(5), 80, 12, 0.2);
    x.data.fill(0, 3 * 12, 4 * 12); // a zero row
    const modalDensity = modalInformationDensity(x);
    const mean = meanCosineSimilarity(x);
    modalDensity.forEach((v, i) => {
      expect(v).toBeGreaterThanOrEqual(1 / (2 - mean[i]!) - 1e-12);
      expect(v).toBeGreaterThanOrEqual(1 / 3 - 1e-12);
      expect(v).toBeLessThanOrEqual(1 + 1e-12);
    });
  });

  it('modalInformationDensity refuses pools above maxItems', () => {
    expect(() => modalInformationDensity(createMatrix(11, 2), { maxItems: 10 })).toThrow(/above maxItems=10/);
  });

  it('scales: 20k × 384 Float32 unit vectors in O(N·D), spot rows equal to their all-pairs means', () => {
    const rows = 20_000;
    const cols = 384;
    const random = rng(99);
    const data = new Float32Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      let ss = 0;
      for (let j = 0; j < cols; j++) {
        const v = random() * 2 - 1 + (j < 8 ? 0.5 : 0);
        data[i * cols + j] = v;
        ss += v * v;
      }
      const inv = 1 / Math.sqrt(ss);
      for (let j = 0; j < cols; j++) data[i * cols + j]! *= inv;
    }
    const x = { rows, cols, data };
    const mean = meanCosineSimilarity(x);
    for (const i of [0, 1234, rows - 1]) {
      let sum = 0;
      let nI = 0;
      for (let j = 0; j < cols; j++) nI += data[i * cols + j]! ** 2;
      for (let b = 0; b < rows; b++) {
        let dot = 0;
        let nB = 0;
        for (let j = 0; j < cols; j++) {
          dot += data[i * cols + j]! * data[b * cols + j]!;
          nB += data[b * cols + j]! ** 2;
        }
        sum += dot / Math.sqrt(nI * nB);
      }
      expect(close(mean[i]!, sum / rows), `row ${i}: ${mean[i]} vs ${sum / rows}`).toBe(true);
    }
  });
});
