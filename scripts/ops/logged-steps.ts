/**
 * The store steps the ops scripts share, each logged as one JSON record: embedding the pending items
 * (`reembed`, `ingest-dir --embed`) and refreshing the graph analytics (`refresh-graph`,
 * `ingest-dir --refresh`).
 */
import type { CentralityMeasure } from '../../graph/centrality.js';
import { refreshEntityAnalytics, type RefreshReport } from '../../src/analytics/graph-state.js';
import type { EmbedItemsReport } from '../../src/embeddings/embed-items.js';
import { embedStoreWithLocalModel } from '../../src/embeddings/embed-store.js';
import { embedderConfigFromEnv } from '../../src/embeddings/embedder-config.js';
import type { GraphStore } from '../../src/store/graph-store.js';
import { logProgress, type OpsLogger } from './ops-log.js';

/** Embeds the pending items with the local model (progress every `progressEvery` items); one `embed` record. */
export async function embedLogged(store: GraphStore, log: OpsLogger, progressEvery: number): Promise<EmbedItemsReport> {
  const started = Date.now();
  const { model, ...report } = await embedStoreWithLocalModel(store, embedderConfigFromEnv(), logProgress(log, progressEvery));
  log.info({ event: 'embed', model, ...report, millis: Date.now() - started }, `embedded ${report.embedded} items`);
  return report;
}

/** Recomputes centrality, communities and gaps and writes them to the store; one `refresh` record. */
export async function refreshLogged(store: GraphStore, log: OpsLogger, centrality?: CentralityMeasure): Promise<RefreshReport> {
  const started = Date.now();
  const report = await refreshEntityAnalytics(store, centrality ? { centrality } : {});
  const { graph, coverage } = report;
  log.info(
    {
      event: 'refresh',
      measure: report.measure,
      graphVersion: report.graphVersion,
      entities: graph.nodes,
      edges: graph.edges,
      communities: graph.communities,
      modularity: graph.modularity,
      coverage,
      millis: Date.now() - started,
    },
    `${graph.nodes} entities, ${graph.edges} edges, ${graph.communities} communities`,
  );
  return report;
}
