import { Router } from 'express';
import type { z } from 'zod';
import { CLIENT_LABEL_POLICY, ingestRows } from '../../ingest/ingest-pool.js';
import type { ApiContext } from '../api-context.js';
import { requireApiKey } from '../api-key.js';
import { HttpError, parseRequest } from '../errors.js';
import { IngestBodySchema, ItemParamsSchema, type ItemResponseSchema } from '../schemas.js';

/** POST /v1/items (batch upsert, all or nothing) and GET /v1/items/:id (item, entities, labels, explanation history). */
export function itemRoutes({ store, config, selectionQueue, embedding }: ApiContext): Router {
  const router = Router();

  router.post('/v1/items', requireApiKey(config.apiKey), async (req, res) => {
    const { items, overwrite } = parseRequest(IngestBodySchema, req.body, 'body');
    // Same validation as pool files, row by row, and labels go the way of POST /v1/labels (KGAL_LABELS,
    // 409 on a different existing label or another annotator's lease, label history); a rejected batch
    // writes nothing.
    const report = await selectionQueue.run(() =>
      ingestRows(store, items as Array<Record<string, unknown>>, { source: 'items', allowedLabels: config.labels, labelPolicy: overwrite ? { ...CLIENT_LABEL_POLICY, onConflict: 'overwrite' } : CLIENT_LABEL_POLICY }),
    );
    // The new items are embedded in the background (the answer does not wait for the model).
    embedding?.notifyIngest();
    res.json({ items: report.files.reduce((n, f) => n + f.rows, 0), extracted: report.extracted, unchanged: report.unchanged, entities: (await store.stats()).entities });
  });

  router.get('/v1/items/:id', async (req, res) => {
    const { id } = parseRequest(ItemParamsSchema, req.params, 'params');
    const item = await store.getItem(id);
    if (!item) throw new HttpError(404, `unknown item id "${id}"`, { ids: [id] });
    const [mentions, labelHistory, picks, analytics] = await Promise.all([
      store.getItemMentions(id),
      store.getLabelHistory(id),
      store.getPickHistory(id),
      store.getEntityAnalytics(),
    ]);
    const byKey = new Map((analytics?.rows ?? []).map((r) => [r.key, r]));
    const body: z.input<typeof ItemResponseSchema> = {
      ...item,
      entities: mentions.map((m) => {
        const row = byKey.get(m.key);
        return { key: m.key, name: row?.name ?? m.key, count: m.count, ...(row ? { type: row.type, centrality: row.centrality, community: row.community } : {}) };
      }),
      labelHistory,
      picks,
    };
    res.json(body);
  });

  return router;
}
