import cors from 'cors';
import express, { type Express } from 'express';
import { pino, type Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { ModelCache } from '../model/model-cache.js';
import type { GraphStore } from '../store/graph-store.js';
import type { ApiContext } from './api-context.js';
import { BackgroundEmbedder, type BackgroundEmbedderOptions } from './background-embedder.js';
import { redactHeaders, requireReadKey } from './api-key.js';
import { HttpError, errorHandler } from './errors.js';
import { campaignRoutes } from './routes/campaign.js';
import { embeddingRoutes } from './routes/embedding.js';
import { graphRoutes } from './routes/graph.js';
import { entityGraphRoutes } from './routes/entity-graph.js';
import { itemRoutes } from './routes/items.js';
import { labelStudioRoutes } from './routes/labelstudio.js';
import { labelStudioConfigFromEnv, type LabelStudioConfig } from '../labelstudio/labelstudio-config.js';
import { labelingRoutes } from './routes/labeling.js';
import { selectionRoutes } from './routes/selection.js';
import { statusRoutes } from './routes/status.js';
import { SerialQueue } from './serial-queue.js';
import { webPageRoutes } from './web-page.js';
import { DEFAULT_SERVE_CONFIG, type ServeConfig } from './serve-config.js';

export interface AppOptions extends Partial<ServeConfig> {
  /** Default: pino to stdout at `logLevel`. */
  logger?: Logger;
  /** The Label Studio ML backend under /labelstudio (default: from KGAL_LABELSTUDIO_* and KGAL_API_KEY). */
  labelstudio?: LabelStudioConfig;
  /**
   * Embed items in the background with this embedder (`kgal serve` passes the local transformer); started with
   * the app, stopped by `embeddingWorkerOf(app)?.stop()`. Without it the server embeds nothing.
   */
  embedding?: BackgroundEmbedderOptions;
}

/** The background embedder an app was created with, to stop it (or wait for it) from outside. */
export function embeddingWorkerOf(app: Express): BackgroundEmbedder | undefined {
  return (app.locals as { embedding?: BackgroundEmbedder }).embedding;
}

/**
 * The HTTP API over one store: JSON routes under /v1 for the whole loop (items, query, labels, gaps,
 * stats, model, graph refresh), health/readiness and the OpenAPI document. Structured request logs
 * (pino), optional API key on writes, CORS when configured, body limit with 413.
 */
export function createApp(store: GraphStore, options: AppOptions = {}): Express {
  const config: ServeConfig = { ...DEFAULT_SERVE_CONFIG, ...options };
  const logger = options.logger ?? pino({ level: config.logLevel, base: { service: 'kgal' } });
  const context: ApiContext = { store, config, logger, selectionQueue: new SerialQueue(), modelCache: new ModelCache() };
  if (options.embedding) context.embedding = new BackgroundEmbedder(store, context.selectionQueue, options.embedding, logger);

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(
    pinoHttp({
      logger,
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      // Keys never reach the logs (Authorization, X-API-Key, cookies).
      serializers: { req: (req: { headers?: Record<string, unknown> }) => ({ ...req, headers: redactHeaders(req.headers) }) },
    }),
  );
  if (config.corsOrigins.length > 0) {
    app.use(cors({ origin: config.corsOrigins.includes('*') ? '*' : config.corsOrigins, allowedHeaders: ['Content-Type', 'Authorization', 'X-API-Key'] }));
  }
  app.use(webPageRoutes());
  // Label Studio authenticates with its own key (routes/labelstudio.ts), so before the /v1 key guard.
  app.use(labelStudioRoutes(context, options.labelstudio ?? labelStudioConfigFromEnv()).router);
  app.use(requireReadKey(config.apiKey, config.readKey));
  app.use(express.json({ limit: config.bodyLimit, strict: true }));

  app.use(statusRoutes(context));
  app.use(itemRoutes(context));
  app.use(selectionRoutes(context));
  app.use(graphRoutes(context));
  app.use(labelingRoutes(context));
  app.use(entityGraphRoutes(context));
  app.use(campaignRoutes(context));
  app.use(embeddingRoutes(context));

  app.use((req, _res, next) => next(new HttpError(404, `no route ${req.method} ${req.path}`)));
  app.use(errorHandler(logger));
  if (context.embedding) {
    app.locals.embedding = context.embedding;
    context.embedding.start();
  }
  return app;
}
