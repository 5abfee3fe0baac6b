/**
 * The main job on the embedded default, for a first run: ingest a pool (default: the bundled example news
 * pool and its small knowledge graph) into the embedded store, embed it with the local transformer (built
 * offline first when it is missing and the hub is unreachable: src/embeddings/ensure-model.ts), and select
 * the next batch to label, each pick with the gaps it fills.
 *
 *   npm run demo                              # examples/news-pool.jsonl + examples/kg.tsv
 *   npm run demo -- my-pool.jsonl [--kg triples.tsv]
 */
import { join } from 'node:path';
import { buildProgram, describeFailure } from '../src/cli/program.js';
import { packageRoot } from '../src/config/package-paths.js';
import { ensureModel } from '../src/embeddings/ensure-model.js';
import { ModelUnavailableError } from '../src/embeddings/text-embedder.js';

const args = process.argv.slice(2);
const ingestArgs =
  args.length > 0 ? args : [join(packageRoot(), 'examples', 'news-pool.jsonl'), '--kg', join(packageRoot(), 'examples', 'kg.tsv')];

async function kgal(...argv: string[]): Promise<void> {
  process.stdout.write(`\n$ kgal ${argv.map((a) => (a.includes(' ') ? JSON.stringify(a) : a)).join(' ')}\n`);
  await buildProgram().parseAsync(argv, { from: 'user' });
}

try {
  await kgal('ingest', ...ingestArgs);
  const model = await ensureModel({ onProgress: (line) => process.stdout.write(`  model: ${line}\n`) });
  if (model.status === 'unavailable') {
    process.stdout.write(`(no embeddings: ${model.reason})\nselecting by knowledge-graph coverage only\n`);
  } else {
    try {
      await kgal('embed');
    } catch (error) {
      if (!(error instanceof ModelUnavailableError)) throw error;
      process.stdout.write(`(no embeddings: ${error.message})\nselecting by knowledge-graph coverage only\n`);
    }
  }
  await kgal('graph', 'refresh');
  await kgal('query', '--batch', '5');
} catch (error) {
  const { message, exitCode } = describeFailure(error);
  process.stderr.write(message + '\n');
  process.exitCode = exitCode;
}
