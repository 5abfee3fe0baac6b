/**
 * Embeds every item whose embedding is missing or stale (new items, changed texts, another model), for
 * cron jobs and pipelines. JSON log lines on stdout; exit codes in docs/operations.md.
 *
 *   node dist/scripts/ops/reembed.js [--neo4j <uri> | --data-dir <dir>] [--progress-every <n>]
 */
import { embedderConfigFromEnv } from '../../src/embeddings/embedder-config.js';
import { STORE_FLAGS, STORE_USAGE, parseCommandLine, positiveInteger, storeConfigFromFlags, storeTarget } from './command-line.js';
import { EXIT } from './exit-codes.js';
import { withStore } from './ops-store.js';
import { embedLogged } from './logged-steps.js';
import { runScript } from './run-script.js';

const USAGE = `usage: reembed [options]

Embeds the items whose embedding is missing or stale (cached by model + text hash), with the local
transformer (KGAL_MODEL_DIR, KGAL_ALLOW_REMOTE_MODELS, KGAL_EMBED_BATCH; see docs/model.md).

options:
  --progress-every <n> log a progress line every n texts (default 5000)
${STORE_USAGE}

exit codes: 0 done (also nothing to embed), 2 store unavailable, 3 model unavailable (npm run model),
64 usage error, 70 unexpected error`;

const FLAGS = { ...STORE_FLAGS, 'progress-every': { type: 'string' } } as const;

interface ReembedSummary {
  embedded?: number;
  modelTexts?: number;
  upToDate?: number;
}

await runScript<ReembedSummary>({
  name: 'reembed',
  usage: USAGE,
  summary: {},
  async main({ log, argv, summary }) {
    const { values } = parseCommandLine(argv, FLAGS, { min: 0, max: 0 });
    const progressEvery = positiveInteger(values['progress-every'], 'progress-every', 5000);
    const storeConfig = storeConfigFromFlags(values);
    const embedderConfig = embedderConfigFromEnv();
    log.info({ event: 'start', ...storeTarget(storeConfig), model: embedderConfig.model, modelDir: embedderConfig.modelDir }, 'reembed');
    await withStore(storeConfig, async (store) => {
      Object.assign(summary, await embedLogged(store, log, progressEvery));
    });
    return EXIT.ok;
  },
});
