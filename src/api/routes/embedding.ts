import { Router } from 'express';
import { ModelUnavailableError } from '../../embeddings/text-embedder.js';
import type { ApiContext } from '../api-context.js';
import { requireApiKey } from '../api-key.js';
import type { EmbeddingStatus } from '../background-embedder.js';

/** What a server without an embedder (createApp without `embedding`) says about embeddings. */
const NO_EMBEDDER = 'this server has no embedder (started without one): run `kgal embed` against its store';

/** The embedding status for /v1/stats and /v1/embed, with or without a background embedder. */
export async function embeddingStatus(context: ApiContext, counts?: { items: number; embeddedItems: number }): Promise<EmbeddingStatus> {
  if (context.embedding) return context.embedding.status(counts);
  const { items, embeddedItems } = counts ?? (await context.store.stats());
  return { state: 'unavailable', reason: NO_EMBEDDER, embedded: embeddedItems, pending: Math.max(0, items - embeddedItems), automatic: false };
}

/** GET /v1/embed (the background embedder's progress) and POST /v1/embed (start or join a run: 202). */
export function embeddingRoutes(context: ApiContext): Router {
  const router = Router();

  router.get('/v1/embed', async (_req, res) => {
    res.json(await embeddingStatus(context));
  });

  router.post('/v1/embed', requireApiKey(context.config.apiKey), async (_req, res) => {
    if (!context.embedding) throw new ModelUnavailableError(NO_EMBEDDER);
    context.embedding.request({ retryModel: true });
    res.status(202).json(await context.embedding.status());
  });

  return router;
}
