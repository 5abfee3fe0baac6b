/**
 * Recomputes the knowledge-graph analytics (centrality, communities, coverage gaps) and writes them to the
 * entities, for cron jobs and pipelines. JSON log lines on stdout; exit codes in docs/operations.md.
 *
 *   node dist/scripts/ops/refresh-graph.js [--centrality pagerank] [--neo4j <uri> | --data-dir <dir>]
 */
import { CENTRALITY_MEASURES, type CentralityMeasure } from '../../graph/centrality.js';
import { STORE_FLAGS, STORE_USAGE, parseCommandLine, storeConfigFromFlags, storeTarget } from './command-line.js';
import { EXIT, UsageError } from './exit-codes.js';
import { withStore } from './ops-store.js';
import { refreshLogged } from './logged-steps.js';
import { runScript } from './run-script.js';

const USAGE = `usage: refresh-graph [options]

Recomputes entity centrality, communities, coverage and gaps and writes them to the store (as
\`kgal graph refresh\`); queries reuse them until the graph changes.

options:
  --centrality <m>     ${CENTRALITY_MEASURES.join(' | ')} (default pagerank)
${STORE_USAGE}

exit codes: 0 done, 2 store unavailable, 64 usage error, 70 unexpected error`;

const FLAGS = { ...STORE_FLAGS, centrality: { type: 'string' } } as const;

interface RefreshSummary {
  entities?: number;
  edges?: number;
  communities?: number;
  graphVersion?: number;
}

function centralityMeasure(value: string | undefined): CentralityMeasure {
  if (value === undefined) return 'pagerank';
  const measure = CENTRALITY_MEASURES.find((m) => m === value);
  if (!measure) throw new UsageError(`--centrality must be one of ${CENTRALITY_MEASURES.join(', ')}, got "${value}"`);
  return measure;
}

await runScript<RefreshSummary>({
  name: 'refresh-graph',
  usage: USAGE,
  summary: {},
  async main({ log, argv, summary }) {
    const { values } = parseCommandLine(argv, FLAGS, { min: 0, max: 0 });
    const centrality = centralityMeasure(values.centrality);
    const storeConfig = storeConfigFromFlags(values);
    log.info({ event: 'start', ...storeTarget(storeConfig), centrality }, 'refresh-graph');
    await withStore(storeConfig, async (store) => {
      const { graph, graphVersion } = await refreshLogged(store, log, centrality);
      Object.assign(summary, { entities: graph.nodes, edges: graph.edges, communities: graph.communities, graphVersion });
    });
    return EXIT.ok;
  },
});
