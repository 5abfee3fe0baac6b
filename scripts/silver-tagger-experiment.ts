/**
 * Experiment (issue 14, "learning from the graph"): silver labels from a KG's names found in texts train a
 * light token tagger on MiniLM's token states; measured on WebNLG dev text only, alone and added to the
 * span rules. Nothing is saved: the weights live in this process only.
 *
 *   npm run build && node dist/scripts/silver-tagger-experiment.js [--train-texts 3000] [--dev-texts 1667]
 *
 * Silver labels: the train KG's names (canonical-key token sequences) matched in train texts, B/I/O per
 * word (one-word names only where capitalised, as the gazetteer). Features per word: the token state of its
 * first word piece (all-MiniLM-L6-v2, the same forward pass that makes the sentence embedding; the model
 * is uncased) plus four case features (capitalised, all capitals, digit, sentence start) the uncased model
 * cannot see. Tagger: multinomial logistic regression (src/model/logistic-regression.ts).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { env, pipeline, type Tensor } from '@xenova/transformers';
import { packageRoot } from '../src/config/package-paths.js';
import { canonicalKey } from '../src/entities/canonical-key.js';
import type { EntityMention } from '../src/entities/entity-extractor.js';
import { emptyTally, goldEntities, precision, recall, tallyText } from '../src/entities/extraction-score.js';
import { SpanExtractor } from '../src/entities/span-extractor.js';
import { parseKgTerm } from '../src/kg/triple.js';
import { predictProba, trainLogisticRegression } from '../src/model/logistic-regression.js';

const data = join(packageRoot(), '..', 'shared', 'data', 'webnlg');
const { values: flags } = parseArgs({
  options: { 'train-texts': { type: 'string', default: '3000' }, 'dev-texts': { type: 'string', default: '1667' } },
});

interface Entry {
  text: string;
  entities: string[];
  triples: Array<[string, string, string]>;
}
const read = (file: string): Entry[] =>
  readFileSync(join(data, file), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Entry);

interface Word {
  /** Lower-case, accents stripped (as the uncased tokenizer gives it). */
  text: string;
  /** Index of its first word piece in the sequence. */
  piece: number;
  /** The word as written (for names and case features). */
  original: string;
}

interface Pipe {
  tokenizer: ((texts: string[], o: { padding: boolean; truncation: boolean }) => { input_ids: Tensor; attention_mask: Tensor }) & {
    model: { vocab: string[] };
  };
  model: (inputs: unknown) => Promise<{ last_hidden_state: Tensor }>;
}

env.localModelPath = process.env.KGAL_MODEL_DIR ?? join(homedir(), '.cache', 'kgal', 'models');
env.allowLocalModels = true;
env.allowRemoteModels = false;
const fe = (await pipeline('feature-extraction', 'Xenova/all-MiniLM-L6-v2', { quantized: false })) as unknown as Pipe;
const DIM = 384;
const CASE_FEATURES = 4;

/** Original text folded like the uncased tokenizer, with each folded char's index in the original. */
function fold(text: string): { folded: string; at: number[] } {
  let folded = '';
  const at: number[] = [];
  [...text].forEach((c, i) => {
    const f = c.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    for (const ch of f) {
      folded += ch;
      at.push(i);
    }
  });
  return { folded, at };
}

/** Words (merged word pieces) of one text with their token-state rows, plus the states. */
async function encode(texts: readonly string[]): Promise<Array<{ words: Word[]; states: Float32Array; width: number }>> {
  const inputs = fe.tokenizer([...texts], { padding: true, truncation: true });
  const { last_hidden_state } = await fe.model(inputs);
  const [rows, width, dim] = last_hidden_state.dims as [number, number, number];
  const ids = inputs.input_ids.data as BigInt64Array;
  const all = last_hidden_state.data as Float32Array;
  const vocab = fe.tokenizer.model.vocab;
  const out: Array<{ words: Word[]; states: Float32Array; width: number }> = [];
  for (let r = 0; r < rows; r += 1) {
    const chars = [...texts[r]!];
    const { folded, at } = fold(texts[r]!);
    const words: Word[] = [];
    let cursor = 0;
    for (let c = 0; c < width; c += 1) {
      const piece = vocab[Number(ids[r * width + c]!)] ?? '';
      if (piece === '[CLS]' || piece === '[SEP]' || piece === '[PAD]') continue;
      if (piece.startsWith('##') && words.length > 0) {
        words[words.length - 1]!.text += piece.slice(2);
        continue;
      }
      words.push({ text: piece, piece: c, original: '' });
    }
    for (const word of words) {
      const found = folded.indexOf(word.text, cursor);
      if (found < 0) continue;
      word.original = chars.slice(at[found]!, at[found + word.text.length - 1]! + 1).join('');
      cursor = found + word.text.length;
    }
    out.push({ words, states: all.subarray(r * width * dim, (r + 1) * width * dim), width });
  }
  return out;
}

const isAlnum = (w: Word): boolean => /[\p{L}\p{N}]/u.test(w.text);
const capitalised = (w: Word): boolean => /^\p{Lu}/u.test(w.original);

/** Silver B/I/O (0/1/2) per alnum word from the KG names. */
function silver(words: readonly Word[], names: ReadonlySet<string>, maxLen: number): Int32Array {
  const alnum = words.filter(isAlnum);
  const labels = new Int32Array(alnum.length);
  let i = 0;
  while (i < alnum.length) {
    let end = -1;
    for (let j = Math.min(alnum.length, i + maxLen); j > i; j -= 1) {
      const key = alnum.slice(i, j).map((w) => w.text).join(' ');
      if (names.has(key) && (j - i > 1 || capitalised(alnum[i]!))) {
        end = j;
        break;
      }
    }
    if (end < 0) {
      i += 1;
      continue;
    }
    labels[i] = 1;
    for (let k = i + 1; k < end; k += 1) labels[k] = 2;
    i = end;
  }
  return labels;
}

function features(doc: { words: Word[]; states: Float32Array }, dim: number): Float32Array[] {
  const alnum = doc.words.filter(isAlnum);
  return alnum.map((w, k) => {
    const row = new Float32Array(dim + CASE_FEATURES);
    row.set(doc.states.subarray(w.piece * dim, (w.piece + 1) * dim));
    const prev = k === 0 ? undefined : doc.words[doc.words.indexOf(w) - 1];
    row[dim] = capitalised(w) ? 1 : 0;
    row[dim + 1] = /^\p{Lu}{2,}$/u.test(w.original) ? 1 : 0;
    row[dim + 2] = /\d/.test(w.text) ? 1 : 0;
    row[dim + 3] = k === 0 || prev?.text === '.' ? 1 : 0;
    return row;
  });
}

async function encodeAll(texts: readonly string[]): Promise<Array<{ words: Word[]; states: Float32Array; width: number }>> {
  const out: Array<{ words: Word[]; states: Float32Array; width: number }> = [];
  for (let s = 0; s < texts.length; s += 32) {
    out.push(...(await encode(texts.slice(s, s + 32))));
    if ((s / 32) % 20 === 0) process.stderr.write(`encoded ${Math.min(s + 32, texts.length)}/${texts.length}\n`);
  }
  return out;
}

const train = read('webnlg_train.jsonl');
const dev = read('webnlg_dev.jsonl').slice(0, Number(flags['dev-texts']));
const names = new Set<string>();
let maxLen = 1;
for (const e of train) {
  for (const [s, , o] of e.triples) {
    for (const term of [s, o]) {
      const key = canonicalKey(parseKgTerm(term).name);
      if (key === '' || /^[\d\s]+$/.test(key)) continue;
      names.add(key);
      maxLen = Math.max(maxLen, key.split(' ').length);
    }
  }
}
const step = Math.max(1, Math.floor(train.length / Number(flags['train-texts'])));
const trainTexts = train.filter((_, i) => i % step === 0).map((e) => e.text);

const t0 = performance.now();
const trainDocs = await encodeAll(trainTexts);
const rows: Float32Array[] = [];
const labels: number[] = [];
for (const doc of trainDocs) {
  const y = silver(doc.words, names, maxLen);
  features(doc, DIM).forEach((row, k) => {
    rows.push(row);
    labels.push(y[k]!);
  });
}
const D = DIM + CASE_FEATURES;
const X = { rows: rows.length, cols: D, data: new Float32Array(rows.length * D) };
rows.forEach((row, r) => X.data.set(row, r * D));
const model = trainLogisticRegression(X, Int32Array.from(labels), { classes: 3, C: 1, maxIterations: 300 });
const t1 = performance.now();
process.stderr.write(`trained on ${rows.length} words of ${trainTexts.length} texts (${labels.filter((l) => l > 0).length} silver name words) in ${((t1 - t0) / 1000).toFixed(0)} s\n`);

const devDocs = await encodeAll(dev.map((e) => e.text));
const spans = new SpanExtractor();
/** Per dev text: alnum words (folded) and each word's probability of being in a name (B or I). */
const nameProb: Array<{ words: string[]; p: number[] }> = [];
/** The tagger's spans per dev text, each with the least name probability over its words. */
const tagged: Array<Array<EntityMention & { least: number }>> = devDocs.map((doc) => {
  const f = features(doc, DIM);
  const Xd = { rows: f.length, cols: D, data: new Float32Array(f.length * D) };
  f.forEach((row, r) => Xd.data.set(row, r * D));
  const p = predictProba(model, Xd);
  const alnum = doc.words.filter(isAlnum);
  nameProb.push({ words: alnum.map((w) => w.text), p: alnum.map((_, k) => p.data[k * 3 + 1]! + p.data[k * 3 + 2]!) });
  const found: Array<EntityMention & { least: number }> = [];
  let current: Word[] = [];
  const probOf = new Map(alnum.map((w, k) => [w, p.data[k * 3 + 1]! + p.data[k * 3 + 2]!]));
  const flush = (): void => {
    if (current.length > 0) {
      const name = current.map((w) => w.original || w.text).join(' ');
      found.push({ key: canonicalKey(name), name, type: 'topic', count: 1, least: Math.min(...current.map((w) => probOf.get(w) ?? 0)) });
    }
    current = [];
  };
  alnum.forEach((w, k) => {
    const best = [0, 1, 2].reduce((a, c) => (p.data[k * 3 + c]! > p.data[k * 3 + a]! ? c : a), 0);
    if (best === 1) {
      flush();
      current = [w];
    } else if (best === 2 && current.length > 0) current.push(w);
    else flush();
  });
  flush();
  return found;
});

const report = (label: string, mentionsOf: (i: number) => EntityMention[]): void => {
  const tally = emptyTally();
  dev.forEach((e, i) => tallyText(tally, mentionsOf(i), goldEntities(e.entities)));
  process.stdout.write(`| ${label} | ${(100 * recall(tally)).toFixed(1)} % | ${(100 * precision(tally)).toFixed(1)} % | ${(tally.found / tally.texts).toFixed(2)} |\n`);
};
process.stdout.write(`WebNLG dev, ${dev.length} texts, text only; tagger trained on ${trainTexts.length} train texts with silver labels from the train KG\n\n`);
process.stdout.write('| extractor | recall | precision | entities / text |\n|---|---:|---:|---:|\n');
report('spans-v3 (rules)', (i) => spans.extract(dev[i]!.text));
report('silver tagger alone', (i) => tagged[i]!);
report('spans-v3 + silver tagger (union)', (i) => {
  const rules = spans.extract(dev[i]!.text);
  const keys = new Set(rules.map((m) => m.key));
  return [...rules, ...tagged[i]!.filter((m) => !keys.has(m.key))];
});

/** Highest name probability over the words of a name's key where it occurs in the text (0 if not found). */
function spanProb(i: number, key: string): number {
  const { words, p } = nameProb[i]!;
  const tokens = key.split(' ');
  let best = 0;
  for (let s = 0; s + tokens.length <= words.length; s += 1) {
    if (tokens.every((t, k) => words[s + k] === t)) best = Math.max(best, ...p.slice(s, s + tokens.length));
  }
  return best;
}
for (const threshold of [0.2, 0.5]) {
  report(`spans-v3 kept where the tagger gives a word ≥ ${threshold}`, (i) => spans.extract(dev[i]!.text).filter((m) => { const q = spanProb(i, m.key); return q === 0 || q >= threshold; }));
}
for (const threshold of [0.8, 0.95]) {
  report(`spans-v3 + tagger spans with every word ≥ ${threshold}`, (i) => {
    const rules = spans.extract(dev[i]!.text);
    const keys = new Set(rules.map((m) => m.key));
    return [...rules, ...tagged[i]!.filter((m) => !keys.has(m.key) && m.least >= threshold)];
  });
}
