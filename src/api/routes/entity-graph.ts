import { Router } from 'express';
import { loadEntityGraph } from '../../analytics/entity-graph-view.js';
import { queryPool } from '../../selector/query-pool.js';
import { compareIds } from '../../store/id-order.js';
import type { ApiContext } from '../api-context.js';
import { HttpError, parseRequest } from '../errors.js';
import { EntityGraphQuerySchema, EntityItemsQuerySchema, EntityParamsSchema } from '../schemas.js';

const DEFAULT_ENTITY_ITEMS = 20;

/**
 * GET /v1/graph: the most central entities and their edges in graphology's serialisation format (what the
 * page draws with sigma.js), optionally with the entities the next batch would cover flagged; and
 * GET /v1/entities/:key/items: the items that mention an entity (click-through from the graph).
 */
export function entityGraphRoutes({ store, selectionQueue, modelCache }: ApiContext): Router {
  const router = Router();

  router.get('/v1/graph', async (req, res) => {
    const query = parseRequest(EntityGraphQuerySchema, req.query, 'query');
    const graph = await loadEntityGraph(store, query.limit !== undefined ? { limit: query.limit } : {});
    if (query.nextBatch) {
      // A preview: selected as POST /v1/query would, but neither recorded as a round nor leased.
      const batchSize = query.nextBatch;
      const next = await selectionQueue.run(() => queryPool(store, { batchSize, record: false, modelCache }));
      const entities = [...new Set(next.picks.flatMap((p) => p.entities.map((e) => e.key)))].sort(compareIds);
      for (const key of entities) if (graph.hasNode(key)) graph.setNodeAttribute(key, 'nextBatch', true);
      graph.setAttribute('nextBatch', { strategy: next.strategy, items: next.picks.map((p) => p.id), entities });
    }
    res.json(graph.export());
  });

  router.get('/v1/entities/:key/items', async (req, res) => {
    const { key } = parseRequest(EntityParamsSchema, req.params, 'params');
    const { limit } = parseRequest(EntityItemsQuerySchema, req.query, 'query');
    const listing = await store.listItemEntities();
    const ids = listing.filter((row) => row.keys.includes(key)).map((row) => row.id);
    const graph = await store.getEntityGraph();
    const entity = graph.entities.find((e) => e.key === key);
    if (!entity) throw new HttpError(404, `unknown entity "${key}"`);
    const items = await store.getItems(ids.slice(0, limit ?? DEFAULT_ENTITY_ITEMS));
    res.json({
      key,
      name: entity.name,
      total: ids.length,
      items: items.map((i) => ({ id: i.id, text: i.text, ...(i.label !== undefined ? { label: i.label } : {}), ...(i.annotator !== undefined ? { annotator: i.annotator } : {}) })),
    });
  });

  return router;
}
