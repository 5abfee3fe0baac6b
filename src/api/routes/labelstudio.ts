import { createHash, timingSafeEqual } from 'node:crypto';
import express, { Router, type RequestHandler } from 'express';
import { LabelStudioBackend } from '../../labelstudio/labelstudio-backend.js';
import type { LabelStudioConfig } from '../../labelstudio/labelstudio-config.js';
import { projectIdOf, publicProjectState, readProjectState } from '../../labelstudio/project-state.js';
import type { ApiContext } from '../api-context.js';
import { HttpError, parseRequest } from '../errors.js';
import {
  LabelStudioPredictBodySchema as PredictBodySchema,
  LabelStudioSetupBodySchema as SetupBodySchema,
  LabelStudioStatusQuerySchema as StatusQuerySchema,
  LabelStudioWebhookBodySchema as WebhookBodySchema,
} from '../schemas.js';

/**
 * Label Studio sends no credentials unless told to: with a key (KGAL_LABELSTUDIO_KEY, else KGAL_API_KEY)
 * every route but /labelstudio/health needs it, as the password of HTTP Basic auth (the ML backend's
 * BASIC_AUTH setting) or `Authorization: Bearer` (a header on the project's webhook). Constant-time compare.
 */
function requireLabelStudioKey(key: string | undefined): RequestHandler {
  if (!key) return (_req, _res, next) => next();
  const expected = createHash('sha256').update(key).digest();
  return (req, _res, next) => {
    // Mounted at /labelstudio: req.path is relative to it.
    if (req.path === '/health') return next();
    const header = req.get('authorization') ?? '';
    let given: string | undefined;
    if (header.startsWith('Bearer ')) given = header.slice('Bearer '.length);
    else if (header.startsWith('Basic ')) {
      const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
      given = decoded.includes(':') ? decoded.slice(decoded.indexOf(':') + 1) : undefined;
    } else given = req.get('x-api-key');
    const ok = given !== undefined && timingSafeEqual(createHash('sha256').update(given).digest(), expected);
    if (!ok) return next(new HttpError(401, 'the Label Studio routes need the key (HTTP Basic password or Authorization: Bearer; KGAL_LABELSTUDIO_KEY)'));
    next();
  };
}

/**
 * The Label Studio ML-backend protocol under /labelstudio (docs/labelstudio.md): health, setup, predict,
 * webhook, versions, and kgal's own status of a connected project. Mounted before the API key guard of
 * /v1: Label Studio authenticates with its own key (above).
 */
export function labelStudioRoutes(context: ApiContext, config: LabelStudioConfig): { router: Router; backend: LabelStudioBackend } {
  const backend = new LabelStudioBackend({
    store: context.store,
    config,
    labels: context.config.labels,
    leaseSeconds: context.config.leaseSeconds,
    logger: context.logger,
    selectionQueue: context.selectionQueue,
    modelCache: context.modelCache,
  });
  const router = Router();
  router.use('/labelstudio', requireLabelStudioKey(config.key));
  // /predict carries every task of a "retrieve predictions" action: a larger limit than /v1's.
  router.use('/labelstudio', express.json({ limit: config.bodyLimit, strict: true }));

  router.get('/labelstudio/health', (_req, res) => {
    res.json({ status: 'UP', model_class: 'kgal' });
  });

  router.post('/labelstudio/setup', async (req, res) => {
    res.json(await backend.setup(parseRequest(SetupBodySchema, req.body, 'body')));
  });

  router.post('/labelstudio/predict', async (req, res) => {
    res.json(await backend.predict(parseRequest(PredictBodySchema, req.body, 'body')));
  });

  router.post('/labelstudio/webhook', async (req, res) => {
    res.json(await backend.webhook(parseRequest(WebhookBodySchema, req.body, 'body')));
  });

  router.get('/labelstudio/versions', async (req, res) => {
    const project = projectIdOf(req.query.project);
    res.json(await backend.versions(project));
  });

  router.get('/labelstudio/status', async (req, res) => {
    const projectId = Number(parseRequest(StatusQuerySchema, req.query, 'query').project);
    const state = await readProjectState(context.store, projectId);
    if (!state) throw new HttpError(404, `Label Studio project ${projectId} is not connected to kgal`);
    res.json({ ...publicProjectState(state), running: backend.isRunning(projectId) });
  });

  return { router, backend };
}
