import { Router } from 'express';
import type { CentralityMeasure } from '../../../graph/centrality.js';
import { queryPool, type QueryOptions } from '../../selector/query-pool.js';
import type { ApiContext } from '../api-context.js';
import { requireApiKey } from '../api-key.js';
import { invalidRequest, parseRequest } from '../errors.js';
import { LabelsBodySchema, QueryBodySchema } from '../schemas.js';

/** POST /v1/query (the next batch, explained, leased to the annotator) and POST /v1/labels (idempotent). */
export function selectionRoutes({ store, config, selectionQueue, modelCache }: ApiContext): Router {
  const router = Router();
  const allowedLabels = new Set(config.labels);

  router.post('/v1/query', requireApiKey(config.apiKey), async (req, res) => {
    const body = parseRequest(QueryBodySchema, req.body, 'body');
    const options: QueryOptions = { batchSize: body.batchSize, modelCache };
    if (body.strategy) options.strategy = body.strategy;
    if (body.weights) options.weights = body.weights;
    if (body.shortlist !== undefined) options.shortlist = body.shortlist;
    if (body.seed !== undefined) options.seed = body.seed;
    if (body.centrality) options.centrality = body.centrality as CentralityMeasure;
    if (body.annotator) options.lease = { holder: body.annotator, durationMs: 1000 * (body.leaseSeconds ?? config.leaseSeconds) };
    res.json(await selectionQueue.run(() => queryPool(store, options)));
  });

  router.post('/v1/labels', requireApiKey(config.apiKey), async (req, res) => {
    const body = parseRequest(LabelsBodySchema, req.body, 'body');
    const issues: Array<{ field: string; message: string }> = [];
    const firstLabel = new Map<string, { label: string; index: number }>();
    body.labels.forEach((l, index) => {
      if (allowedLabels.size > 0 && !allowedLabels.has(l.label)) {
        issues.push({ field: `body.labels[${index}].label`, message: `unknown label "${l.label}" (allowed: ${config.labels.join(', ')})` });
      }
      const first = firstLabel.get(l.id);
      if (first && first.label !== l.label) {
        issues.push({ field: `body.labels[${index}].id`, message: `item "${l.id}" is labeled "${first.label}" at labels[${first.index}] and "${l.label}" here` });
      } else if (!first) firstLabel.set(l.id, { label: l.label, index });
    });
    if (issues.length > 0) throw invalidRequest(issues);
    const report = await store.setLabels(
      body.labels.map((l) => (l.annotator ? { id: l.id, label: l.label, annotator: l.annotator } : { id: l.id, label: l.label })),
      { onConflict: body.overwrite ? 'overwrite' : 'reject', respectLeases: true },
    );
    res.json(report);
  });

  return router;
}
