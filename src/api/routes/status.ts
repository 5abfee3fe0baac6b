import { Router } from 'express';
import { loadGraphState } from '../../analytics/graph-state.js';
import { campaignStopSignal } from '../../campaign/campaign-view.js';
import { loadEmbeddedPool } from '../../model/pool-model.js';
import type { ApiContext } from '../api-context.js';
import { buildOpenApiDocument } from '../openapi.js';
import { embeddingStatus } from './embedding.js';

/** Health, readiness (asks the store), stats with coverage, model status, and the OpenAPI document. */
export function statusRoutes(context: ApiContext): Router {
  const { store, modelCache } = context;
  const router = Router();
  const openApi = buildOpenApiDocument();

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/ready', async (_req, res) => {
    try {
      await store.graphVersion();
      res.json({ status: 'ready', store: store.description });
    } catch {
      res.status(503).json({ status: 'unavailable', store: store.description });
    }
  });

  router.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });

  // Coverage needs the whole entity graph: computed once per state of the store (graph version, items,
  // labeled items, mentions; labels are only ever added, so the count names the labeled set) and shared by
  // concurrent requests, instead of once per call.
  let coverage: { key: string; summary: Promise<unknown> } | undefined;
  router.get('/v1/stats', async (_req, res) => {
    const [stats, leases, version] = await Promise.all([store.stats(), store.activeLeases(), store.graphVersion()]);
    const key = `${version}:${stats.items}:${stats.labeledItems}:${stats.mentions}:${stats.entities}:${stats.relations}`;
    if (coverage?.key !== key) {
      const summary = loadGraphState(store).then((state) => state.coverage.summary());
      coverage = { key, summary };
      summary.catch(() => {
        if (coverage?.summary === summary) coverage = undefined;
      });
    }
    const stopSignal = await campaignStopSignal(store); // the campaign's recorded rounds, judged by the stopping rules
    const embedding = await embeddingStatus(context, stats); // the background embedder: state, embedded, pending
    res.json({ ...stats, activeLeases: leases.length, coverage: await coverage.summary, stopSignal, embedding });
  });

  router.get('/v1/model', async (_req, res) => {
    const [pool, version, analytics] = await Promise.all([loadEmbeddedPool(store), store.graphVersion(), store.getEntityAnalytics()]);
    // The classifier of the current label set from the cache the queries share: fitted here only when no query
    // or earlier call has fitted it for these labels yet.
    const { model, reused, trainedAt } = modelCache.get(pool, { committee: false });
    res.json({
      status: model.status,
      ...(model.status === 'trained' ? { classes: model.classNames, trainedOn: model.trainedOn, trainedAt, reused } : { reason: model.reason }),
      labelCounts: model.labelCounts,
      embeddedItems: pool.ids.length,
      notEmbedded: pool.notEmbedded,
      graph: {
        version,
        ...(analytics ? { analytics: { measure: analytics.measure, graphVersion: analytics.graphVersion, current: analytics.graphVersion === version } } : {}),
      },
    });
  });

  return router;
}
