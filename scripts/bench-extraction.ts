/**
 * Entity extraction quality against WebNLG's gold entities (the subjects and objects of each text's
 * triples): recall (gold entities found), precision against gold (extracted entities that are gold) and
 * speed, for compromise's typed entities alone (v1) and with runs of proper nouns (v2, the default).
 *
 *   npm run bench:extraction -- [--file ../shared/data/webnlg/webnlg_train.jsonl] [--limit N]
 *
 * Gold names are compared by canonical key after WebNLG's spelling is undone (underscores to spaces,
 * quotes and a trailing "(disambiguation)" dropped); purely numeric values (dates, heights) are left out
 * of the gold, since no named-entity extractor is meant to find them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../src/config/package-paths.js';
import { canonicalKey } from '../src/entities/canonical-key.js';
import { CompromiseExtractor } from '../src/entities/compromise-extractor.js';

const { values: flags } = parseArgs({
  options: {
    file: { type: 'string', default: join(packageRoot(), '..', 'shared', 'data', 'webnlg', 'webnlg_train.jsonl') },
    limit: { type: 'string' },
  },
});

const rows = readFileSync(flags.file, 'utf8')
  .split('\n')
  .filter((line) => line.length > 0)
  .slice(0, flags.limit ? Number(flags.limit) : undefined)
  .map((line) => JSON.parse(line) as { text: string; entities: string[] });
const goldKey = (name: string): string => canonicalKey(name.replace(/^"|"$/g, '').replace(/_/g, ' ').replace(/\s*\(.*\)$/, ''));
const gold = rows.map((r) => new Set(r.entities.map(goldKey).filter((k) => k !== '' && !/^[\d.,\s-]+$/.test(k))));

const lines = [
  `${rows.length} texts of ${flags.file.split('/').pop()}, ${(gold.reduce((n, g) => n + g.size, 0) / rows.length).toFixed(2)} gold entities per text (numbers left out)`,
  '',
  '| extractor | recall | precision vs gold | entities per text | texts/s |',
  '|---|---:|---:|---:|---:|',
];
for (const [name, extractor] of [
  ['compromise-v1 (people, places, organisations)', new CompromiseExtractor({ properNounRuns: false })],
  ['compromise-v2 (+ proper-noun runs, default)', new CompromiseExtractor()],
] as const) {
  let found = 0;
  let hits = 0;
  let precise = 0;
  let goldTotal = 0;
  const started = performance.now();
  rows.forEach((row, i) => {
    const keys = new Set(extractor.extract(row.text).map((m) => m.key));
    const g = gold[i]!;
    goldTotal += g.size;
    found += keys.size;
    for (const k of g) if (keys.has(k)) hits += 1;
    for (const k of keys) if (g.has(k)) precise += 1;
  });
  const seconds = (performance.now() - started) / 1000;
  lines.push(
    `| ${name} | ${((100 * hits) / goldTotal).toFixed(1)} % | ${((100 * precise) / found).toFixed(1)} % | ${(found / rows.length).toFixed(2)} | ${Math.round(rows.length / seconds)} |`,
  );
}
process.stdout.write(lines.join('\n') + '\n');
