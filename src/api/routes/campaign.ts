import { pipeline } from 'node:stream/promises';
import { Router } from 'express';
import { campaignView } from '../../campaign/campaign-view.js';
import { collectExport } from '../../export/export-store.js';
import { EXPORT_CONTENT_TYPES, exportStream } from '../../export/export-writers.js';
import type { ApiContext } from '../api-context.js';
import { parseRequest } from '../errors.js';
import { ExportQuerySchema } from '../schemas.js';

/** GET /v1/campaign (labels per class and annotator, rounds, stop signal) and GET /v1/export (streamed JSONL or CSV). */
export function campaignRoutes({ store, logger, modelCache }: ApiContext): Router {
  const router = Router();

  router.get('/v1/campaign', async (_req, res) => {
    res.json(await campaignView(store));
  });

  router.get('/v1/export', async (req, res) => {
    const query = parseRequest(ExportQuerySchema, req.query, 'query');
    const format = query.format ?? 'jsonl';
    // Everything is read (and the model taken from the server's cache, fitted once per label set like queries'
    // and /v1/model's) before the first byte: a store error is still a clean error answer.
    const collected = await collectExport(store, { predictions: query.predictions, fitModel: (pool) => modelCache.get(pool, { committee: false }).model });
    res.setHeader('content-type', EXPORT_CONTENT_TYPES[format]);
    res.setHeader('content-disposition', `attachment; filename="kgal-export.${format}"`);
    res.setHeader('x-kgal-labeled', String(collected.labeled));
    if (collected.predictions) {
      const said = 'reason' in collected.predictions ? `none: ${collected.predictions.reason}` : String(collected.predictions.predicted);
      res.setHeader('x-kgal-predictions', said.replace(/[^\x20-\x7e]/g, '?')); // a header carries ASCII only
    }
    try {
      await pipeline(exportStream(collected.rows, format, query.predictions), res);
    } catch (error) {
      // Headers are sent: the client sees a truncated body (the connection is closed), the log says why.
      logger.warn({ err: error }, 'export stream ended early');
      res.destroy(error as Error);
    }
  });

  return router;
}
