import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import { type ZodType, z } from 'zod';
import {
  LabelStudioPredictBodySchema,
  LabelStudioSetupBodySchema,
  LabelStudioStatusQuerySchema,
  LabelStudioWebhookBodySchema,
  CampaignResponseSchema,
  EmbeddingStatusSchema,
  ErrorSchema,
  ExportQuerySchema,
  GapsQuerySchema,
  GapsResponseSchema,
  IngestBodySchema,
  IngestResponseSchema,
  ItemParamsSchema,
  ItemResponseSchema,
  LabelsBodySchema,
  LabelsResponseSchema,
  ModelResponseSchema,
  QueryBodySchema,
  QueryResponseSchema,
  RefreshBodySchema,
  RefreshResponseSchema,
  StatsResponseSchema,
  LabelingConfigSchema,
  EntityGraphQuerySchema,
  EntityGraphResponseSchema,
  EntityItemsQuerySchema,
  EntityItemsResponseSchema,
  EntityParamsSchema,
  LabelUndoBodySchema,
  LabelUndoResponseSchema,
  LeaseReleaseBodySchema,
  LeaseReleaseResponseSchema,
  LeaseRenewBodySchema,
  LeaseRenewResponseSchema,
} from './schemas.js';

const json = (schema: ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
const error = (description: string) => json(ErrorSchema, description);
/** A JSON request body. */
const jsonBody = (schema: ZodType) => ({ body: { content: { 'application/json': { schema } } } });
const WRITE_ERRORS = {
  400: error('Invalid body: `issues` names each bad field'),
  401: error('API key missing or wrong (only when KGAL_API_KEY is set)'),
  413: error('Body over the size limit'),
};

/**
 * The OpenAPI 3 document of the API, generated from the same zod schemas that validate requests.
 * `npm run openapi` writes it to docs/openapi.json; a test keeps that file and the routes in step.
 */
export function buildOpenApiDocument(): ReturnType<OpenApiGeneratorV3['generateDocument']> {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'apiKey', { type: 'http', scheme: 'bearer', description: 'KGAL_API_KEY (or header X-API-Key)' });
  registry.registerComponent('securitySchemes', 'labelStudioKey', { type: 'http', scheme: 'basic', description: 'KGAL_LABELSTUDIO_KEY (else KGAL_API_KEY) as the Basic auth password, or as a Bearer token' });
  const secured = [{ apiKey: [] }];

  registry.registerPath({
    method: 'post',
    path: '/v1/items',
    summary: 'Add or update pool items (batch, all or nothing; entities extracted and linked)',
    security: secured,
    request: jsonBody(IngestBodySchema),
    responses: { 200: json(IngestResponseSchema, 'Ingested'), ...WRITE_ERRORS },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/items/{id}',
    summary: 'An item with its entities, label history, lease and explanation history',
    request: { params: ItemParamsSchema },
    responses: { 200: json(ItemResponseSchema, 'The item'), 404: error('Unknown item') },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/query',
    summary: 'Select the next batch to label, with explanations; leased to `annotator` when given',
    security: secured,
    request: jsonBody(QueryBodySchema),
    responses: { 200: json(QueryResponseSchema, 'The explained picks'), ...WRITE_ERRORS },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/labels',
    summary: 'Submit labels (batch, idempotent); a label from the lease holder releases the lease',
    security: secured,
    request: jsonBody(LabelsBodySchema),
    responses: {
      200: json(LabelsResponseSchema, 'Stored'),
      ...WRITE_ERRORS,
      404: error('Unknown item id(s); nothing written'),
      409: error('A different label exists (send overwrite: true) or the item is leased to another annotator; nothing written'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/entities/gaps',
    summary: 'Central entities not yet covered by labeled items, largest gap first',
    request: { query: GapsQuerySchema },
    responses: { 200: json(GapsResponseSchema, 'Top gaps'), 400: error('Invalid query parameter') },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/stats',
    summary: 'Pool, graph, labeling and coverage figures',
    responses: { 200: json(StatsResponseSchema, 'Stats') },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/model',
    summary: 'Model status: trained or why not, classes, label counts, graph analytics freshness',
    responses: { 200: json(ModelResponseSchema, 'Model status') },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/graph/refresh',
    summary: 'Recompute centrality, communities and gaps and write them to the entities',
    security: secured,
    request: jsonBody(RefreshBodySchema),
    responses: { 200: json(RefreshResponseSchema, 'Refreshed'), ...WRITE_ERRORS },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/labeling/config',
    summary: 'What a labeling page needs to start: the label set and the lease length',
    responses: { 200: json(LabelingConfigSchema, 'The labeling configuration') },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/leases/renew',
    summary: "Renew the annotator's leases (an open item stays reserved); another annotator's lease is 409",
    security: secured,
    request: jsonBody(LeaseRenewBodySchema),
    responses: {
      200: json(LeaseRenewResponseSchema, 'Renewed (`lost`: items that could not be leased again)'),
      ...WRITE_ERRORS,
      404: error('Unknown item id(s); nothing changed'),
      409: error('An item is leased to another annotator; nothing changed'),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/leases/release',
    summary: "End the annotator's leases (a skipped item goes back to the pool); another annotator's lease is 409",
    security: secured,
    request: jsonBody(LeaseReleaseBodySchema),
    responses: {
      200: json(LeaseReleaseResponseSchema, 'Released'),
      ...WRITE_ERRORS,
      404: error('Unknown item id(s); nothing changed'),
      409: error('An item is leased to another annotator; nothing changed'),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/labels/undo',
    summary: "Take back the annotator's label on an item: its earlier label (or none) returns; the history keeps an undo event",
    security: secured,
    request: jsonBody(LabelUndoBodySchema),
    responses: {
      200: json(LabelUndoResponseSchema, 'Undone; an item left unlabeled is leased back to the annotator'),
      ...WRITE_ERRORS,
      404: error('Unknown item id'),
      409: error("The item's label is not the annotator's (or it has none); nothing written"),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/graph',
    summary: "The entity graph's most central entities and their edges, in graphology's serialisation format, with coverage and gaps",
    request: { query: EntityGraphQuerySchema },
    responses: { 200: json(EntityGraphResponseSchema, 'The graph (`Graph.from(body)` in graphology)'), 400: error('Invalid query parameter') },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/entities/{key}/items',
    summary: 'Items that mention an entity',
    request: { params: EntityParamsSchema, query: EntityItemsQuerySchema },
    responses: { 200: json(EntityItemsResponseSchema, 'The items'), 400: error('Invalid query parameter'), 404: error('Unknown entity') },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/campaign',
    summary: 'The campaign: labels per class and per annotator, coverage, uncertainty and prediction stability per round, the stop signal',
    responses: { 200: json(CampaignResponseSchema, 'Campaign') },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/export',
    summary: 'Every labeled item with label, annotator, time and history (streamed JSONL or CSV, valid input for kgal ingest); with predictions=true also the unlabeled items with the model prediction',
    request: { query: ExportQuerySchema },
    responses: {
      200: {
        description: 'The export; header x-kgal-labeled: labeled rows, x-kgal-predictions: predicted rows or why none',
        content: { 'application/x-ndjson': { schema: { type: 'string' } }, 'text/csv': { schema: { type: 'string' } } },
      },
      400: error('Invalid query parameter'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/embed',
    summary: "The background embedder's progress: state, embedded and pending items, the current run",
    responses: { 200: json(EmbeddingStatusSchema, 'Embedding status') },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/embed',
    summary: 'Embed every item without an up-to-date embedding: starts a background run or joins the running one (a model that was unavailable is tried again)',
    security: secured,
    responses: {
      202: json(EmbeddingStatusSchema, 'Accepted: poll GET /v1/embed (or /v1/stats `embedding`) until `state` is idle and `pending` 0'),
      401: error('API key missing or wrong (only when KGAL_API_KEY is set)'),
      503: error('The server has no embedder'),
    },
  });
  // Label Studio's ML-backend protocol (docs/labelstudio.md): Label Studio calls these, not people.
  const labelStudioKey = [{ labelStudioKey: [] }];
  const LOOSE = z.looseObject({});
  registry.registerPath({ method: 'get', path: '/labelstudio/health', summary: 'Label Studio ML backend: liveness (open, as Label Studio probes it before it sends credentials)', responses: { 200: json(LOOSE, '{"status":"UP"}') } });
  registry.registerPath({
    method: 'post',
    path: '/labelstudio/setup',
    summary: 'Label Studio ML backend: connect a project (labeling config, hostname and token for its REST API); answers the model version',
    security: labelStudioKey,
    request: jsonBody(LabelStudioSetupBodySchema),
    responses: { 200: json(LOOSE, '{"model_version": ...}'), 400: error('Invalid body or labeling config without Choices/Text'), 401: error('Key missing or wrong') },
  });
  registry.registerPath({
    method: 'post',
    path: '/labelstudio/predict',
    summary: "Label Studio ML backend: one prediction per task in request order (kgal's choice, a score that makes \"lowest score first\" serve kgal's batch, the explanation)",
    security: labelStudioKey,
    request: jsonBody(LabelStudioPredictBodySchema),
    responses: { 200: json(LOOSE, '{"results": [...]}'), 400: error('Invalid body'), 401: error('Key missing or wrong') },
  });
  registry.registerPath({
    method: 'post',
    path: '/labelstudio/webhook',
    summary: 'Label Studio webhook: annotations created/updated/deleted become kgal labels (the /v1/labels path); START_TRAINING runs a round',
    security: labelStudioKey,
    request: jsonBody(LabelStudioWebhookBodySchema),
    responses: { 200: json(LOOSE, 'What was written'), 400: error('Invalid event or label outside the choices'), 401: error('Key missing or wrong'), 409: error('Conflicting label') },
  });
  registry.registerPath({ method: 'get', path: '/labelstudio/versions', summary: 'Label Studio ML backend: the model versions kgal has written', security: labelStudioKey, responses: { 200: json(LOOSE, '{"versions": [...]}') } });
  registry.registerPath({
    method: 'get',
    path: '/labelstudio/status',
    summary: "kgal's state for a connected Label Studio project (current round, last error)",
    security: labelStudioKey,
    request: { query: LabelStudioStatusQuerySchema },
    responses: { 200: json(LOOSE, 'Project state'), 404: error('Project not connected') },
  });
  registry.registerPath({ method: 'get', path: '/health', summary: 'Liveness', responses: { 200: { description: 'The process is up' } } });
  registry.registerPath({
    method: 'get',
    path: '/ready',
    summary: 'Readiness: the store answers',
    responses: { 200: { description: 'Ready' }, 503: { description: 'Store unavailable' } },
  });
  registry.registerPath({ method: 'get', path: '/openapi.json', summary: 'This document', responses: { 200: { description: 'OpenAPI 3 document' } } });

  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'kgal API',
      version: '1',
      description: 'Knowledge-graph-guided active learning: pick the next texts to label by model uncertainty and knowledge-graph coverage gaps.',
    },
  });
}
