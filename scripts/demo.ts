/**
 * The main job on the embedded default, for a first run: ingest a pool (default: the bundled example
 * news pool and its small knowledge graph) into the embedded store and print the graph's statistics.
 *
 *   npm run demo                              # examples/news-pool.jsonl + examples/kg.tsv
 *   npm run demo -- my-pool.jsonl [--kg triples.tsv]
 */
import { buildProgram, describeFailure } from '../src/cli/program.js';
import { packageRoot } from '../src/config/package-paths.js';
import { join } from 'node:path';

const args = process.argv.slice(2);
const ingestArgs =
  args.length > 0 ? args : [join(packageRoot(), 'examples', 'news-pool.jsonl'), '--kg', join(packageRoot(), 'examples', 'kg.tsv')];

try {
  await buildProgram().parseAsync(['ingest', ...ingestArgs], { from: 'user' });
} catch (error) {
  const { message, exitCode } = describeFailure(error);
  process.stderr.write(message + '\n');
  process.exitCode = exitCode;
}
