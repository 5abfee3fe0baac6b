import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { GraphStore } from '../store/graph-store.js';

/**
 * The HTTP API. For now: health, readiness (which asks the store) and stats; the full selection loop
 * (items, query, labels, leases) comes with the API issue.
 */
export function createApp(store: GraphStore): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '10mb' }));

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/ready', async (_req, res) => {
    try {
      await store.stats();
      res.json({ status: 'ready', store: store.description });
    } catch (error) {
      res.status(503).json({ status: 'unavailable', error: (error as Error).message });
    }
  });

  app.get('/v1/stats', async (_req, res, next) => {
    try {
      res.json(await store.stats());
    } catch (error) {
      next(error);
    }
  });

  app.use((_error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    // No stack traces to clients; the message is logged by the caller's logger when there is one.
    res.status(500).json({ error: 'internal error' });
  });
  return app;
}
