/**
 * kgal's side of the classifier sanity check on real embeddings (docs/model-classifier.md): trains kgal's
 * logistic regression on raw float32 embeddings (N × dims, little-endian, row-major, no header) with labels
 * from a JSON file, and prints the test accuracy. Same arguments and the same seeded split as
 * scripts/reference/compare-logreg-embeddings.py; with --sklearn it also runs that script (through
 * scripts/reference/sklearn-logreg.sh, which makes the pinned venv) and prints both numbers, the share of
 * test predictions they agree on and the largest probability difference.
 *
 *   npm run build && node dist/scripts/compare-logreg.js --embeddings emb.f32 --dims 384 --labels labels.json \
 *       [--seed 1 --test-fraction 0.2 | --train-idx a.json --test-idx b.json] [--train-limit N] [--C 1] [--sklearn]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../src/config/package-paths.js';
import { predictProba, trainLogisticRegression } from '../src/model/logistic-regression.js';
import type { Matrix } from '../src/model/matrix.js';

const { values } = parseArgs({
  options: {
    embeddings: { type: 'string' },
    dims: { type: 'string', default: '384' },
    labels: { type: 'string' },
    'train-idx': { type: 'string' },
    'test-idx': { type: 'string' },
    seed: { type: 'string', default: '1' },
    'test-fraction': { type: 'string', default: '0.2' },
    'train-limit': { type: 'string' },
    C: { type: 'string', default: '1' },
    tol: { type: 'string', default: '1e-6' },
    'max-iter': { type: 'string', default: '1000' },
    sklearn: { type: 'boolean', default: false },
  },
});

if (values.embeddings === undefined || values.labels === undefined) {
  throw new Error('usage: compare-logreg --embeddings FILE.f32 --dims 384 --labels labels.json [--seed S] [--sklearn] ...');
}
if (endianness() !== 'LE') throw new Error('the .f32 format is little-endian; this host is big-endian');

/** MurmurHash3's 32-bit finaliser; the split key is defined identically in compare-logreg-embeddings.py. */
function fmix32(input: number): number {
  let h = input >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}
const splitKey = (seed: number, i: number): number => fmix32((Math.imul(seed, 0x9e3779b1) + Math.imul(i, 0x85ebca77)) >>> 0);
const byKey = (seed: number) => (a: number, b: number): number => splitKey(seed, a) - splitKey(seed, b) || a - b;

const dims = Number(values.dims);
const seed = Number(values.seed);
if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) throw new Error(`--seed must be an integer in [0, 2^32), got ${values.seed}`);
const testFraction = Number(values['test-fraction']);

const bytes = readFileSync(values.embeddings);
if (bytes.length % (4 * dims) !== 0) throw new Error(`${values.embeddings}: ${bytes.length} bytes is not a multiple of 4 × ${dims}`);
const buffer = new ArrayBuffer(bytes.length);
new Uint8Array(buffer).set(bytes);
const all = new Float32Array(buffer);
const n = all.length / dims;

const parsed: unknown = JSON.parse(readFileSync(values.labels, 'utf8'));
const raw: unknown = Array.isArray(parsed) ? parsed : (parsed as { labels?: unknown }).labels;
if (!Array.isArray(raw)) throw new Error(`${values.labels}: expected a JSON array of labels or {"labels": [...]}`);
if (raw.length !== n) throw new Error(`${raw.length} labels for ${n} embeddings`);
const allNumbers = raw.every((v) => typeof v === 'number');
if (!allNumbers && !raw.every((v) => typeof v === 'string')) throw new Error('labels must be all strings or all numbers');
// Sorted like Python's sorted(): numbers numerically, strings by code unit (= code point outside astral planes).
const classes = [...new Set(raw as Array<string | number>)].sort((a, b) =>
  allNumbers ? (a as number) - (b as number) : a < b ? -1 : a > b ? 1 : 0,
);
const classIndex = new Map(classes.map((c, k) => [c, k]));
const y = Int32Array.from(raw as Array<string | number>, (v) => classIndex.get(v)!);

let train: number[];
let test: number[];
let split: string;
if ((values['train-idx'] === undefined) !== (values['test-idx'] === undefined)) {
  throw new Error('give both --train-idx and --test-idx, or neither (seeded split)');
}
if (values['train-idx'] !== undefined && values['test-idx'] !== undefined) {
  train = (JSON.parse(readFileSync(values['train-idx'], 'utf8')) as number[]).map(Number);
  test = (JSON.parse(readFileSync(values['test-idx'], 'utf8')) as number[]).map(Number);
  split = `files ${values['train-idx']} / ${values['test-idx']}`;
} else {
  train = [];
  test = [];
  for (let k = 0; k < classes.length; k++) {
    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (y[i] === k) rows.push(i);
    rows.sort(byKey(seed));
    const nTest = Math.floor(testFraction * rows.length + 0.5);
    test.push(...rows.slice(0, nTest));
    train.push(...rows.slice(nTest));
  }
  train.sort((a, b) => a - b);
  test.sort((a, b) => a - b);
  split = `seeded stratified (seed ${seed}, test fraction ${testFraction})`;
}
if (values['train-limit'] !== undefined) {
  train = train.sort(byKey(seed)).slice(0, Number(values['train-limit'])).sort((a, b) => a - b);
}

function rowsOf(indices: number[]): Matrix<Float32Array> {
  const data = new Float32Array(indices.length * dims);
  indices.forEach((i, r) => data.set(all.subarray(i * dims, (i + 1) * dims), r * dims));
  return { rows: indices.length, cols: dims, data };
}

const C = Number(values.C);
const t0 = performance.now();
const model = trainLogisticRegression(rowsOf(train), Int32Array.from(train, (i) => y[i]!), {
  classes: classes.length,
  C,
  tolerance: Number(values.tol),
  maxIterations: Number(values['max-iter']),
});
const fitSeconds = (performance.now() - t0) / 1000;
const P = predictProba(model, rowsOf(test));
const K = classes.length;
const predictions = test.map((_, r) => {
  let best = 0;
  for (let k = 1; k < K; k++) if (P.data[r * K + k]! > P.data[r * K + best]!) best = k;
  return best;
});
const accuracy = predictions.reduce((s, p, r) => s + (p === y[test[r]!] ? 1 : 0), 0) / test.length;
console.log(
  `kgal:    accuracy ${accuracy.toFixed(4)} on ${test.length} test rows (${train.length} train, ${K} classes, C=${C}, ` +
    `${model.iterations} iterations${model.converged ? '' : ' NOT CONVERGED'}, fit ${fitSeconds.toFixed(2)}s; split ${split})`,
);

if (values.sklearn) {
  const root = packageRoot();
  const passThrough = process.argv.slice(2).filter((a) => a !== '--sklearn');
  const out = execFileSync(
    'bash',
    [join(root, 'scripts/reference/sklearn-logreg.sh'), '--python', join(root, 'scripts/reference/compare-logreg-embeddings.py'), ...passThrough, '--json'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 30 },
  );
  const sk = JSON.parse(out) as {
    implementation: string;
    accuracy: number;
    n_iter: number;
    fit_seconds: number;
    test_indices: number[];
    predictions: number[];
    probabilities: number[][];
  };
  if (sk.test_indices.length !== test.length || sk.test_indices.some((i, r) => i !== test[r])) {
    throw new Error('scikit-learn used a different test split');
  }
  let agree = 0;
  let maxDiff = 0;
  sk.predictions.forEach((p, r) => {
    if (p === predictions[r]) agree++;
    sk.probabilities[r]!.forEach((q, k) => (maxDiff = Math.max(maxDiff, Math.abs(q - P.data[r * K + k]!))));
  });
  console.log(
    `sklearn: accuracy ${sk.accuracy.toFixed(4)} (${sk.implementation}, n_iter=${sk.n_iter}, fit ${sk.fit_seconds.toFixed(2)}s)`,
  );
  console.log(`agreement: ${((100 * agree) / test.length).toFixed(2)}% of test predictions, max |Δp| = ${maxDiff.toExponential(2)}`);
}
