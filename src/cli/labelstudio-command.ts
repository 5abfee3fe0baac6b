import { readFile, writeFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { allowedLabelsFromEnv } from '../api/serve-config.js';
import { storeConfigFromEnv } from '../config/store-config.js';
import { embedderConfigFromEnv } from '../embeddings/embedder-config.js';
import type { TextEmbedder } from '../embeddings/text-embedder.js';
import { TransformersEmbedder } from '../embeddings/transformers-embedder.js';
import { parseLabelConfig } from '../labelstudio/label-config.js';
import { DEFAULT_LABELSTUDIO_CONFIG } from '../labelstudio/labelstudio-config.js';
import { exportTasks, importLabelStudioExport } from '../labelstudio/sync-files.js';
import type { GraphStore } from '../store/graph-store.js';
import { openStore } from '../store/open-store.js';

interface SyncFlags {
  config: string;
  idField: string;
  neo4j?: string;
  dataDir?: string;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

async function withStore<T>(flags: SyncFlags, readOnly: boolean, work: (store: GraphStore) => Promise<T>): Promise<T> {
  const store = await openStore(storeConfigFromEnv(process.env, { ...(flags.neo4j ? { neo4jUri: flags.neo4j } : {}), ...(flags.dataDir ? { dataDir: flags.dataDir } : {}) }), { readOnly });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

function syncOptions(command: Command): Command {
  return command
    .requiredOption('--config <file>', "the project's labeling config (XML, Label Studio: Settings > Labeling Interface > Code)")
    .addOption(new Option('--id-field <field>', 'task data field holding the kgal item id').env('KGAL_LABELSTUDIO_ID_FIELD').default(DEFAULT_LABELSTUDIO_CONFIG.idField))
    .option('--neo4j <uri>', 'use the Neo4j store at this Bolt URI (default: $NEO4J_URI, else the embedded store)')
    .option('--data-dir <dir>', 'embedded store directory (default: $KGAL_DATA_DIR or ./.kgal)');
}

/** `kgal labelstudio sync export|import`: Label Studio files for teams without a backend connection (docs/labelstudio.md). */
export function registerLabelStudioCommand(program: Command): void {
  const sync = program
    .command('labelstudio')
    .description('Label Studio: files for projects without the ML-backend connection (docs/labelstudio.md)')
    .command('sync')
    .description('export the pool as Label Studio tasks, or import a Label Studio export as labels');

  syncOptions(
    sync
      .command('export')
      .description("unlabeled items as Label Studio tasks JSON: kgal id, kgal_priority (1 = label first: kgal's next batch), kgal's prediction as pre-annotation")
      .option('--out <file>', 'write here instead of stdout')
      .addOption(new Option('--batch <n>', "kgal's batch: the tasks put first, with their explanation").default(DEFAULT_LABELSTUDIO_CONFIG.batchSize).argParser(positiveInteger)),
  ).action(async (flags: SyncFlags & { out?: string; batch: number }) => {
    const config = parseLabelConfig(await readFile(flags.config, 'utf8'));
    let embedder: Promise<TextEmbedder> | undefined;
    const tasks = await withStore(flags, true, async (store) => {
      try {
        return await exportTasks(store, config, { idField: flags.idField, batchSize: flags.batch, embedder: () => (embedder ??= TransformersEmbedder.load(embedderConfigFromEnv())) });
      } finally {
        if (embedder) await (await embedder).dispose();
      }
    });
    const json = JSON.stringify(tasks, null, 1) + '\n';
    if (flags.out) {
      await writeFile(flags.out, json);
      process.stderr.write(`wrote ${tasks.length} tasks to ${flags.out}\n`);
    } else process.stdout.write(json);
  });

  syncOptions(
    sync
      .command('import')
      .description('labels from a Label Studio export (JSON, JSON-MIN or CSV); all rows or none')
      .argument('<file>', 'the export (.json or .csv)')
      .option('--json', 'print JSON'),
  ).action(async (file: string, flags: SyncFlags & { json?: boolean }) => {
    const config = parseLabelConfig(await readFile(flags.config, 'utf8'));
    await withStore(flags, false, async (store) => {
      const report = await importLabelStudioExport(store, file, config, { idField: flags.idField, allowedLabels: allowedLabelsFromEnv() });
      process.stdout.write(flags.json ? JSON.stringify(report) + '\n' : `labeled ${report.labeled} items (${report.relabeled} relabeled) in ${store.description}\n`);
    });
  });
}
