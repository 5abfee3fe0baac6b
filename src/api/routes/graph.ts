import { Router } from 'express';
import type { CentralityMeasure } from '../../../graph/centrality.js';
import { loadGraphState, refreshEntityAnalytics } from '../../analytics/graph-state.js';
import type { ApiContext } from '../api-context.js';
import { requireApiKey } from '../api-key.js';
import { parseRequest } from '../errors.js';
import { GapsQuerySchema, RefreshBodySchema } from '../schemas.js';

const DEFAULT_GAPS = 20;

/** GET /v1/entities/gaps (central entities the labels do not cover yet) and POST /v1/graph/refresh. */
export function graphRoutes({ store, config, selectionQueue }: ApiContext): Router {
  const router = Router();

  router.get('/v1/entities/gaps', async (req, res) => {
    const query = parseRequest(GapsQuerySchema, req.query, 'query');
    const state = await loadGraphState(store);
    const { coverage, index } = state;
    const wanted: number[] = [];
    for (let e = 0; e < index.size; e++) {
      if (query.community !== undefined && coverage.community?.[e] !== query.community) continue;
      if (query.type !== undefined && state.entityTypes.get(index.key(e)) !== query.type) continue;
      wanted.push(e);
    }
    wanted.sort((a, b) => coverage.gaps[b]! - coverage.gaps[a]! || a - b);
    const gaps = wanted.slice(0, query.limit ?? DEFAULT_GAPS).map((e) => {
      const key = index.key(e);
      const type = state.entityTypes.get(key);
      return {
        key,
        name: state.entityNames.get(key) ?? key,
        ...(type ? { type } : {}),
        centrality: coverage.centrality[e]!,
        coverage: coverage.counts[e]!,
        gap: coverage.gaps[e]!,
        ...(coverage.community ? { community: coverage.community[e]! } : {}),
      };
    });
    res.json({ measure: 'pagerank', graphSource: state.source, gaps });
  });

  router.post('/v1/graph/refresh', requireApiKey(config.apiKey), async (req, res) => {
    const body = parseRequest(RefreshBodySchema, req.body ?? {}, 'body');
    const report = await selectionQueue.run(() =>
      refreshEntityAnalytics(store, body.centrality ? { centrality: body.centrality as CentralityMeasure } : {}),
    );
    res.json(report);
  });

  return router;
}
