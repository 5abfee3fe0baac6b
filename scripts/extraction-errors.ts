/**
 * Error analysis of the default extractor (text only) on the WebNLG train slice the benchmark uses
 * (every 13th train entry): recall and precision on the slice, dev and both sets' alt_texts, then the most
 * frequent false positives and misses and per-text dumps.
 *
 *   node dist/scripts/extraction-errors.js [--split slice|dev] [--show 40] [--texts 30]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../src/config/package-paths.js';
import { emptyTally, goldEntities, precision, recall, scoreKey, tallyText, type Tally } from '../src/entities/extraction-score.js';
import { SpanExtractor } from '../src/entities/span-extractor.js';

const data = join(packageRoot(), '..', 'shared', 'data', 'webnlg');
const { values: flags } = parseArgs({ options: { split: { type: 'string', default: 'slice' }, show: { type: 'string', default: '60' }, texts: { type: 'string', default: '30' } } });
interface Entry { text: string; entities: string[]; alt_texts?: string[] }
const read = (f: string): Entry[] => readFileSync(join(data, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Entry);
const ex = new SpanExtractor();
const train = read('webnlg_train.jsonl');
const step = Math.floor(train.length / 1000);
const slice = train.filter((_, i) => i % step === 0);
const dev = read('webnlg_dev.jsonl');
// Summary on both (dev only as a check, never for rule design); the listing is of --split. The entries'
// alt_texts (other crowd-written texts of the same triples, never read while writing the rules) are a check
// on text the rules have not seen.
const paraphrases = (set: Entry[]): Entry[] => set.flatMap((e) => (e.alt_texts ?? []).map((text) => ({ text, entities: e.entities })));
// The benchmark's own tally (bench-extraction.ts), so these lines agree with it.
const summary = (t: Tally): string =>
  `recall ${(100 * recall(t)).toFixed(1)} precision ${(100 * precision(t)).toFixed(1)} (gold ${t.gold}, found ${t.found}, hit ${t.correct})`;
for (const [name, set] of [['train slice', slice], ['dev', dev], ['train slice alt_texts', paraphrases(slice)], ['dev alt_texts', paraphrases(dev)]] as const) {
  const tally = emptyTally();
  for (const e of set) tallyText(tally, ex.extract(e.text), goldEntities(e.entities));
  console.log(`${name} (${set.length} texts): ${summary(tally)}`);
}
const entries = flags.split === 'dev' ? dev : slice;
const fp = new Map<string, number>();
const fn = new Map<string, number>();
const dumps: string[] = [];
const tally = emptyTally();
for (const e of entries) {
  const g = goldEntities(e.entities);
  const m = ex.extract(e.text);
  tallyText(tally, m, g);
  const keys = new Map(m.map((x) => [scoreKey(x.name), `${x.name}[${x.type}]`]));
  const fps: string[] = [], fns: string[] = [];
  for (const [k, label] of keys) if (!g.has(k)) { fps.push(label); fp.set(label.replace(/\[.*/, ''), (fp.get(label.replace(/\[.*/, '')) ?? 0) + 1); }
  for (const k of g.keys()) if (!keys.has(k)) { fns.push(k); fn.set(k, (fn.get(k) ?? 0) + 1); }
  if (fps.length + fns.length > 0) dumps.push(`${e.text}\n   FP: ${fps.join(' | ')}\n   FN: ${fns.join(' | ')}`);
}
console.log(summary(tally));
const top = (m: Map<string, number>): string => [...m].sort((a, b) => b[1] - a[1]).slice(0, Number(flags.show)).map(([k, n]) => `${n} ${k}`).join('; ');
console.log(`FP total ${[...fp.values()].reduce((a, b) => a + b, 0)}: ${top(fp)}\n`);
console.log(`FN total ${[...fn.values()].reduce((a, b) => a + b, 0)}: ${top(fn)}\n`);
for (let i = 0; i < dumps.length; i += Math.max(1, Math.floor(dumps.length / Number(flags.texts)))) console.log(dumps[i]);
