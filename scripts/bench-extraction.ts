/**
 * Entity extraction quality, measured: recall of gold entities and precision against them on WebNLG
 * (gold = the subjects and objects of each text's triples), text only and with a realistic knowledge graph,
 * plus speed and a sample of AG News extractions to read by eye.
 *
 *   npm run bench:extraction -- [--dev webnlg_dev.jsonl] [--train webnlg_train.jsonl] [--slice 1000]
 *                               [--ag-news ag_news_test.jsonl] [--sample 20] [--only dev|slice]
 *
 * Test sets:
 * - WebNLG **dev** (`text` of each entry, 1,667 texts): the test set. Its KG is built from the **train**
 *   entries' triples only, so facts seen only in dev are not in it; the ceiling line says how many dev gold
 *   entities that KG names at all (no linker can find more through it).
 * - a WebNLG **train slice** (every 13th entry, ~1,000 texts): a second check that the rules are general.
 *   Its KG is built from the other train entries.
 * Gold and extracted names are compared by canonical key (src/entities/extraction-score.ts); numbers and
 * dates are not in the gold. Speed is texts per CPU-second of this single-threaded process (so per core,
 * and not skewed by other work on the machine), measured after a warm-up, on the same texts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../src/config/package-paths.js';
import { CompromiseExtractor } from '../src/entities/compromise-extractor.js';
import type { EntityExtractor } from '../src/entities/entity-extractor.js';
import { emptyTally, goldEntities, precision, recall, scoreKey, tallyText, type GoldKind, type Tally } from '../src/entities/extraction-score.js';
import { Gazetteer } from '../src/entities/gazetteer.js';
import { GazetteerExtractor } from '../src/entities/gazetteer-extractor.js';
import { KgLinker } from '../src/entities/kg-linker.js';
import { toRelations } from '../src/ingest/ingest-pool.js';
import { SpanExtractor } from '../src/entities/span-extractor.js';
import { parseKgTerm } from '../src/kg/triple.js';

const data = join(packageRoot(), '..', 'shared', 'data');
const { values: flags } = parseArgs({
  options: {
    dev: { type: 'string', default: join(data, 'webnlg', 'webnlg_dev.jsonl') },
    train: { type: 'string', default: join(data, 'webnlg', 'webnlg_train.jsonl') },
    slice: { type: 'string', default: '1000' },
    'ag-news': { type: 'string', default: join(data, 'ag_news', 'ag_news_test.jsonl') },
    sample: { type: 'string', default: '20' },
    only: { type: 'string' },
  },
});

interface Entry {
  text: string;
  entities: string[];
  triples: Array<[string, string, string]>;
}

interface TestSet {
  name: string;
  texts: string[];
  gold: Array<Map<string, GoldKind>>;
  /** The triples of the KG given to the KG-aware extractors (never the test texts' own). */
  kgTriples: Array<[string, string, string]>;
}

/** One way of extracting, built once per test set from that set's KG. */
interface Contender {
  name: string;
  usesKg: boolean;
  make(kg: KgNames): EntityExtractor;
}

interface KgNames {
  gazetteer: Gazetteer;
  linker: KgLinker;
  triples: ReadonlyArray<[string, string, string]>;
}

const CONTENDERS: Contender[] = [
  { name: 'compromise-v1 (people, places, organisations)', usesKg: false, make: () => new CompromiseExtractor({ properNounRuns: false }) },
  { name: 'compromise-v2 (+ proper-noun runs)', usesKg: false, make: () => new CompromiseExtractor() },
  { name: 'spans-v4 (span rules)', usesKg: false, make: () => new SpanExtractor() },
  { name: 'compromise-v2 + KG gazetteer', usesKg: true, make: (kg) => new CompromiseExtractor({ gazetteer: kg.gazetteer }) },
  { name: 'spans-v4 + KG linker', usesKg: true, make: (kg) => new SpanExtractor({ linker: kg.linker }) },
  { name: 'gazetteer alone (KG names)', usesKg: true, make: (kg) => new GazetteerExtractor(kg.gazetteer) },
];

function readEntries(file: string): Entry[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Entry);
}

function kgNames(triples: ReadonlyArray<[string, string, string]>): KgNames {
  const names = new Set<string>();
  for (const [subject, , object] of triples) {
    names.add(parseKgTerm(subject).name);
    names.add(parseKgTerm(object).name);
  }
  return { gazetteer: Gazetteer.fromNames(names), linker: KgLinker.fromRelations(toRelations(triples.map(([subject, predicate, object], line) => ({ subject, predicate, object, line })))), triples };
}

function testSets(): TestSet[] {
  const train = readEntries(flags.train);
  const sets: TestSet[] = [];
  if (flags.only !== 'slice') {
    const dev = readEntries(flags.dev);
    sets.push({
      name: `WebNLG dev (${dev.length} texts; KG = train triples)`,
      texts: dev.map((e) => e.text),
      gold: dev.map((e) => goldEntities(e.entities)),
      kgTriples: train.flatMap((e) => e.triples),
    });
  }
  if (flags.only !== 'dev') {
    const step = Math.max(1, Math.floor(train.length / Number(flags.slice)));
    const inSlice = (i: number): boolean => i % step === 0;
    const slice = train.filter((_, i) => inSlice(i));
    sets.push({
      name: `WebNLG train slice (every ${step}th entry, ${slice.length} texts; KG = the other train entries' triples)`,
      texts: slice.map((e) => e.text),
      gold: slice.map((e) => goldEntities(e.entities)),
      kgTriples: train.filter((_, i) => !inSlice(i)).flatMap((e) => e.triples),
    });
  }
  return sets;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

function run(extractor: EntityExtractor, set: TestSet): { tally: Tally; textsPerSecond: number } {
  for (const text of set.texts.slice(0, 200)) extractor.extract(text); // warm-up (JIT, lazy tables)
  const tally = emptyTally();
  // CPU time of this (single-threaded) process: texts per second of one core, whatever else the machine runs.
  const started = process.cpuUsage();
  const extracted = set.texts.map((text) => extractor.extract(text));
  const used = process.cpuUsage(started);
  const seconds = (used.user + used.system) / 1e6;
  extracted.forEach((mentions, i) => tallyText(tally, mentions, set.gold[i]!));
  return { tally, textsPerSecond: set.texts.length / seconds };
}

/** How many gold entities the KG names at all: the most any linker can find through it. */
function kgCeiling(set: TestSet, kg: KgNames): string {
  const kgKeys = new Set<string>();
  for (const [subject, , object] of kg.triples) {
    kgKeys.add(scoreKey(parseKgTerm(subject).name));
    kgKeys.add(scoreKey(parseKgTerm(object).name));
  }
  let inKg = 0;
  let total = 0;
  const distinct = new Set<string>();
  const distinctInKg = new Set<string>();
  for (const gold of set.gold) {
    for (const key of gold.keys()) {
      total += 1;
      distinct.add(key);
      if (kgKeys.has(key)) {
        inKg += 1;
        distinctInKg.add(key);
      }
    }
  }
  return (
    `KG ceiling: the KG (${kg.gazetteer.size} names) holds ${inKg} of the ${total} gold entity mentions (${pct(inKg / total)}); ` +
    `${distinctInKg.size} of ${distinct.size} distinct gold entities (${pct(distinctInKg.size / distinct.size)})`
  );
}

function report(set: TestSet): string[] {
  const kg = kgNames(set.kgTriples);
  const lines = [`## ${set.name}`, '', kgCeiling(set, kg), ''];
  lines.push('| extractor | KG | recall | precision | entities / text | texts/s (1 core) |', '|---|---|---:|---:|---:|---:|');
  const tallies: Array<[string, Tally]> = [];
  for (const contender of CONTENDERS) {
    const { tally, textsPerSecond } = run(contender.make(kg), set);
    tallies.push([contender.name, tally]);
    lines.push(
      `| ${contender.name} | ${contender.usesKg ? 'train' : '-'} | ${pct(recall(tally))} | ${pct(precision(tally))} | ` +
        `${(tally.found / tally.texts).toFixed(2)} | ${Math.round(textsPerSecond)} |`,
    );
  }
  lines.push('', 'Per type: recall by gold kind (KG resource / literal string), precision by extracted type (share of that type\'s entities that are gold, and how many per text).', '');
  lines.push('| extractor | recall: resources | recall: literals | precision by type |', '|---|---:|---:|---|');
  for (const [name, tally] of tallies) {
    const byType = Object.keys(tally.foundByType)
      .sort()
      .map((type) => `${type} ${pct((tally.correctByType[type] ?? 0) / tally.foundByType[type]!)} (${(tally.foundByType[type]! / tally.texts).toFixed(2)})`)
      .join(', ');
    lines.push(
      `| ${name} | ${pct(tally.hitsByKind.resource / tally.goldByKind.resource)} | ${pct(tally.hitsByKind.literal / Math.max(1, tally.goldByKind.literal))} | ${byType} |`,
    );
  }
  return [...lines, ''];
}

function agNewsSample(): string[] {
  const count = Number(flags.sample);
  if (count <= 0) return [];
  const rows = readFileSync(flags['ag-news'], 'utf8')
    .split('\n')
    .filter((line) => line.length > 0);
  const step = Math.max(1, Math.floor(rows.length / count));
  const extractor = new SpanExtractor();
  const lines = [`## AG News: ${count} texts (every ${step}th row), default extractor, for reading by eye`, ''];
  for (let i = 0, shown = 0; i < rows.length && shown < count; i += step, shown += 1) {
    const text = (JSON.parse(rows[i]!) as { text: string }).text;
    const mentions = extractor.extract(text).map((m) => `${m.name} [${m.type}]`);
    lines.push(`- ${text.length > 160 ? `${text.slice(0, 160)}…` : text}`, `  → ${mentions.join('; ') || '(none)'}`);
  }
  return lines;
}

const out: string[] = [];
for (const set of testSets()) out.push(...report(set));
out.push(...agNewsSample());
process.stdout.write(out.join('\n') + '\n');
