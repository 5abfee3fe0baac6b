import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { CENTRALITY_MEASURES } from '../../graph/centrality.js';
import { ENTITY_GRAPH_LIMITS } from '../analytics/entity-graph-view.js';
import { MAX_ID_LENGTH, MAX_TEXT_LENGTH } from '../pool/pool-row.js';
import { PRESETS } from '../selector/presets.js';

/**
 * The API's contract: every request body and query string is parsed by these schemas (a 400 names each
 * bad field), and the OpenAPI document (src/api/openapi.ts) is generated from the same schemas.
 */
extendZodWithOpenApi(z);

export const LIMITS = {
  itemsPerRequest: 5_000,
  labelsPerRequest: 5_000,
  batchSize: 500,
  annotatorLength: 200,
  labelLength: 200,
  gapsLimit: 1_000,
} as const;

const annotator = z
  .string()
  .trim()
  .min(1, 'must be a non-empty string')
  .max(LIMITS.annotatorLength, `must be at most ${LIMITS.annotatorLength} characters`)
  .openapi({ description: 'Who labels (annotator id); queries lease their picks to it.', example: 'ann-1' });

const itemId = z
  .string()
  .trim()
  .min(1, 'must be a non-empty string')
  .max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`);

// Rows are validated again, field by field, by the pool-row rules that files get (src/pool/pool-row.ts).
export const ItemRowSchema = z
  .looseObject({
    id: z.union([z.string(), z.number().int()]).openapi({ description: 'Unique id; an existing id is updated (upsert).' }),
    text: z.string().openapi({ description: `The text, 1 to ${MAX_TEXT_LENGTH} characters by default (KGAL_MAX_TEXT_CHARS).` }),
    label: z.string().optional().openapi({ description: 'A known label, if any.' }),
  })
  .openapi('ItemRow', { description: 'A pool row like a JSONL line: other fields are kept as the item metadata (e.g. `uncertainty`).' });

export const IngestBodySchema = z
  .strictObject({
    items: z.array(z.unknown()).min(1, 'must contain at least one item').max(LIMITS.itemsPerRequest, `at most ${LIMITS.itemsPerRequest} items per request`),
    overwrite: z
      .boolean()
      .optional()
      .openapi({ description: 'A `label` given with an item replaces a different existing label instead of answering 409 (as in POST /v1/labels); leases still apply.' }),
  })
  .openapi('IngestRequest', {
    description: 'Rows to add or update; all or nothing. A `label` goes the way of POST /v1/labels: KGAL_LABELS, 409 on a different label or another annotator\'s lease, label history.',
    example: { items: [{ id: 'doc-1', text: 'Aarhus Airport serves the city of Aarhus.' }] },
  });

export const IngestResponseSchema = z
  .object({
    items: z.number().int(),
    extracted: z.number().int().openapi({ description: 'Items whose entities were (re)extracted.' }),
    unchanged: z.number().int(),
    entities: z.number().int().openapi({ description: 'Entities in the store after the ingest.' }),
  })
  .openapi('IngestResponse');

const weight = z.number().min(0, 'must be >= 0').max(100, 'must be <= 100');

export const QueryBodySchema = z
  .strictObject({
    batchSize: z.number().int('must be an integer').min(1, 'must be >= 1').max(LIMITS.batchSize, `must be <= ${LIMITS.batchSize}`),
    strategy: z.enum(PRESETS).optional().openapi({ description: 'Selection preset; default kg-guided.' }),
    shortlist: z
      .number()
      .min(0, 'must be >= 0')
      .max(100, 'must be <= 100')
      .optional()
      .openapi({ description: 'kg-guided: choose among the shortlist × batchSize most uncertain candidates (default: 1 to 30, earned from the labels; 0 = every candidate).' }),
    weights: z
      .strictObject({ uncertainty: weight.optional(), coverage: weight.optional(), density: weight.optional(), diversity: weight.optional() })
      .optional()
      .openapi({ description: "Overrides of the preset's component weights." }),
    annotator: annotator.optional(),
    leaseSeconds: z.number().int().min(1).max(7 * 24 * 3600).optional().openapi({ description: 'Lease length; default from the server config.' }),
    seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
    centrality: z.enum(CENTRALITY_MEASURES as unknown as [string, ...string[]]).optional(),
  })
  .openapi('QueryRequest', { example: { batchSize: 20, strategy: 'kg-guided', annotator: 'ann-1' } });

const ComponentSchema = z.object({ raw: z.number(), normalized: z.number() }).openapi('ComponentScore');

const ExplainedEntitySchema = z
  .object({
    key: z.string(),
    name: z.string(),
    centrality: z.number(),
    coverageBefore: z.number().int().openapi({ description: 'n(e) before this pick (labeled items + earlier picks of the batch).' }),
    gapBefore: z.number(),
    community: z.number().int().optional(),
  })
  .openapi('ExplainedEntity');

export const PickSchema = z
  .object({
    id: z.string(),
    text: z.string(),
    rank: z.number().int(),
    score: z.number(),
    strategy: z.string(),
    components: z.record(z.string(), ComponentSchema),
    entities: z.array(ExplainedEntitySchema),
    prediction: z
      .object({
        label: z.string(),
        probability: z.number(),
        probabilities: z.record(z.string(), z.number()).openapi({ description: 'Class → probability, most probable first.' }),
      })
      .optional()
      .openapi({ description: "The classifier's prediction for the item (absent in cold start: no model yet)." }),
  })
  .openapi('Pick');

const LeaseSchema = z.object({ itemId: z.string(), holder: z.string(), expiresAt: z.string() }).openapi('Lease');

export const QueryResponseSchema = z
  .object({
    strategy: z.string().openapi({
      description: 'The strategy that chose this batch: the one asked for, or `cold-start` (coverage, density, diversity) when it needs a model and has none; `fallback` then says why.',
    }),
    requestedStrategy: z.string().openapi({ description: 'The strategy asked for (default kg-guided).' }),
    fallback: z
      .object({ reason: z.string() })
      .optional()
      .openapi({ description: 'Present when `strategy` is a fallback for `requestedStrategy`, e.g. "entropy needs a trained model: cold start: no labeled items …".' }),
    coldStart: z.boolean(),
    coldStartReason: z.string().optional(),
    uncertaintySource: z.enum(['model', 'external', 'none']),
    weights: z.object({ uncertainty: z.number(), coverage: z.number(), density: z.number(), diversity: z.number() }),
    round: z.number().int().optional(),
    picks: z.array(PickSchema),
    candidates: z.number().int(),
    leasedElsewhere: z.number().int(),
    leases: z.array(LeaseSchema).optional(),
    leaseAttempts: z.number().int().optional().openapi({ description: 'Selections made because concurrent queries leased picks first (1 = no race).' }),
    model: z.object({
      status: z.string(),
      classes: z.array(z.string()).optional(),
      trainedOn: z.number().int().optional(),
      reused: z.boolean().optional().openapi({ description: 'The model was fitted earlier for the same label set (the server caches it) rather than for this query.' }),
    }),
    knowledgeRoom: z
      .object({
        evidence: z.number().optional(),
        evidenceThreshold: z.number().optional(),
        factor: z.number(),
        shortlist: z.number().int(),
        capped: z.boolean(),
      })
      .optional()
      .openapi({
        description:
          'kg-guided: the batch was chosen among the `shortlist` most uncertain candidates. `factor` f (× batch size) is what the labels earned, from the entity–label `evidence` s (nothing at or below `evidenceThreshold`: f = 1, margin\'s picks), or the `shortlist` the request fixed; `capped` when the cap at 12 % of the candidates made the room smaller than f × batch size.',
      }),
    bandit: z.unknown().optional(),
    coverage: z.record(z.string(), z.number()),
    graphSource: z.enum(['stored', 'computed']),
    millis: z.record(z.string(), z.number()),
  })
  .openapi('QueryResponse');

export const LabelsBodySchema = z
  .strictObject({
    labels: z
      .array(
        z.strictObject({
          id: itemId,
          label: z
            .string()
            .trim()
            .min(1, 'must be a non-empty string')
            .max(LIMITS.labelLength, `must be at most ${LIMITS.labelLength} characters`),
          annotator: annotator.optional(),
        }),
      )
      .min(1, 'must contain at least one label')
      .max(LIMITS.labelsPerRequest, `at most ${LIMITS.labelsPerRequest} labels per request`),
    overwrite: z.boolean().optional().openapi({ description: 'Replace a different existing label instead of answering 409.' }),
  })
  .openapi('LabelsRequest', { example: { labels: [{ id: 'doc-1', label: 'Airport', annotator: 'ann-1' }] } });

export const LabelsResponseSchema = z
  .object({
    written: z.array(z.string()).openapi({ description: 'Labels stored now.' }),
    unchanged: z.array(z.string()).openapi({ description: 'Already stored with the same label and annotator (retries are safe).' }),
  })
  .openapi('LabelsResponse');

export const ItemParamsSchema = z.object({ id: itemId.openapi({ param: { name: 'id', in: 'path' } }) });

export const ItemResponseSchema = z
  .object({
    id: z.string(),
    text: z.string(),
    label: z.string().optional(),
    annotator: z.string().optional(),
    labeledAt: z.string().optional(),
    meta: z.record(z.string(), z.unknown()),
    lease: LeaseSchema.optional(),
    entities: z.array(
      z.object({ key: z.string(), name: z.string(), type: z.string().optional(), count: z.number().int(), centrality: z.number().optional(), community: z.number().int().optional() }),
    ),
    labelHistory: z.array(z.object({ label: z.string(), annotator: z.string().optional(), at: z.string() })),
    picks: z
      .array(
        z.object({
          round: z.number().int(),
          strategy: z.string(),
          at: z.string(),
          annotator: z.string().optional(),
          rank: z.number().int(),
          score: z.number(),
          components: z.record(z.string(), z.number()),
        }),
      )
      .openapi({ description: 'Explanation history: every round that picked the item.' }),
  })
  .openapi('Item');

// Query-string numbers arrive as text.
const queryInt = (min: number, max: number) => z.coerce.number().int('must be an integer').min(min, `must be >= ${min}`).max(max, `must be <= ${max}`);

export const GapsQuerySchema = z
  .strictObject({
    limit: queryInt(1, LIMITS.gapsLimit).optional().openapi({ description: 'Default 20.' }),
    community: queryInt(0, 2 ** 31 - 1).optional(),
    type: z.string().max(50).optional().openapi({ description: 'Entity type, e.g. person, place, organization, topic.' }),
  })
  .openapi('GapsQuery');

// Labeling page: leases renewed and released by their annotator, label undo, the entity graph and its items.
const itemIds = z
  .array(itemId)
  .min(1, 'must contain at least one id')
  .max(LIMITS.batchSize, `at most ${LIMITS.batchSize} ids per request`);

export const LabelingConfigSchema = z
  .object({
    labels: z.array(z.string()).openapi({ description: 'KGAL_LABELS (empty: any label; the page then offers the model\'s classes and the labels seen so far).' }),
    leaseSeconds: z.number().int().openapi({ description: 'KGAL_LEASE_SECONDS: how long a query reserves an item.' }),
  })
  .openapi('LabelingConfig');

export const LeaseRenewBodySchema = z
  .strictObject({
    ids: itemIds,
    annotator,
    leaseSeconds: z.number().int().min(1).max(7 * 24 * 3600).optional().openapi({ description: 'New lease length from now; default from the server config.' }),
  })
  .openapi('LeaseRenewRequest', { example: { ids: ['doc-1'], annotator: 'ann-1' } });

export const LeaseRenewResponseSchema = z
  .object({
    leases: z.array(LeaseSchema).openapi({ description: 'Leases now held, with their new expiry.' }),
    lost: z.array(z.string()).openapi({ description: 'Items that could not be leased again (labeled meanwhile, or taken after the lease expired).' }),
  })
  .openapi('LeaseRenewResponse');

export const LeaseReleaseBodySchema = z.strictObject({ ids: itemIds, annotator }).openapi('LeaseReleaseRequest', { example: { ids: ['doc-1'], annotator: 'ann-1' } });

export const LeaseReleaseResponseSchema = z
  .object({ released: z.number().int().openapi({ description: 'Unexpired leases ended.' }) })
  .openapi('LeaseReleaseResponse');

export const LabelUndoBodySchema = z.strictObject({ id: itemId, annotator }).openapi('LabelUndoRequest', { example: { id: 'doc-1', annotator: 'ann-1' } });

export const LabelUndoResponseSchema = z
  .object({
    id: z.string(),
    undone: z.string().openapi({ description: 'The label taken back.' }),
    restored: z.object({ label: z.string(), annotator: z.string().optional() }).optional().openapi({ description: 'The earlier label the item carries again; absent: unlabeled.' }),
    lease: LeaseSchema.optional().openapi({ description: 'An item left unlabeled is leased back to the annotator, to label again.' }),
  })
  .openapi('LabelUndoResponse');

export const EntityGraphQuerySchema = z
  .strictObject({
    limit: queryInt(1, ENTITY_GRAPH_LIMITS.max).optional().openapi({ description: 'The most central entities to return (default 300).' }),
    nextBatch: queryInt(0, LIMITS.batchSize)
      .optional()
      .openapi({ description: 'Also select (without recording or leasing) the next batch of this size and flag the entities it mentions (`nextBatch: true`).' }),
  })
  .openapi('EntityGraphQuery');

export const EntityGraphResponseSchema = z
  .object({
    options: z.object({ type: z.string(), multi: z.boolean(), allowSelfLoops: z.boolean() }),
    attributes: z
      .object({
        measure: z.string(),
        graphSource: z.enum(['stored', 'computed']),
        entities: z.number().int(),
        shown: z.number().int(),
        coverage: z.record(z.string(), z.number()),
        nextBatch: z.object({ strategy: z.string(), items: z.array(z.string()), entities: z.array(z.string()) }).optional(),
      })
      .loose(),
    nodes: z.array(
      z.object({
        key: z.string(),
        attributes: z.object({
          label: z.string(),
          entityType: z.string(),
          kg: z.boolean(),
          centrality: z.number(),
          coverage: z.number().int(),
          covered: z.boolean(),
          gap: z.number(),
          community: z.number().int(),
          size: z.number(),
          nextBatch: z.boolean().optional(),
        }),
      }),
    ),
    edges: z.array(
      z.object({
        key: z.string().optional(),
        source: z.string(),
        target: z.string(),
        undirected: z.boolean().optional(),
        attributes: z.object({ weight: z.number(), cooccurrence: z.number(), predicates: z.array(z.string()) }),
      }),
    ),
  })
  .openapi('EntityGraph', { description: "graphology's serialisation format (`graph.export()`; `Graph.from(body)` reads it back)." });

export const EntityParamsSchema = z.object({ key: z.string().min(1).max(1_000).openapi({ param: { name: 'key', in: 'path' } }) });

export const EntityItemsQuerySchema = z
  .strictObject({ limit: queryInt(1, LIMITS.gapsLimit).optional().openapi({ description: 'Default 20.' }) })
  .openapi('EntityItemsQuery');

export const EntityItemsResponseSchema = z
  .object({
    key: z.string(),
    name: z.string(),
    total: z.number().int().openapi({ description: 'Items mentioning the entity.' }),
    items: z.array(z.object({ id: z.string(), text: z.string(), label: z.string().optional(), annotator: z.string().optional() })),
  })
  .openapi('EntityItems');

export const GapsResponseSchema = z
  .object({
    measure: z.string(),
    graphSource: z.enum(['stored', 'computed']),
    gaps: z.array(
      z.object({
        key: z.string(),
        name: z.string(),
        type: z.string().optional(),
        centrality: z.number(),
        coverage: z.number().int(),
        gap: z.number(),
        community: z.number().int().optional(),
      }),
    ),
  })
  .openapi('GapsResponse');

export const StopSignalSchema = z
  .object({
    stop: z.boolean().openapi({ description: 'True when the model has settled (stable predictions or an uncertainty plateau) and knowledge coverage has stopped growing.' }),
    sentence: z.string().openapi({ description: 'The verdict in one plain sentence.' }),
    rules: z.array(
      z.object({
        rule: z.enum(['coverageSaturation', 'uncertaintyPlateau', 'stablePredictions']),
        met: z.boolean(),
        detail: z.string().openapi({ description: 'What the rule saw in the last rounds and its threshold.' }),
      }),
    ),
  })
  .openapi('StopSignal', { description: "The simulations' stopping rules evaluated on the campaign's recorded rounds (docs/api.md)." });

export const EmbeddingStatusSchema = z
  .object({
    state: z.enum(['idle', 'running', 'unavailable']).openapi({ description: '`unavailable`: the model cannot be loaded (or the server has no embedder); `reason` says why.' }),
    embedded: z.number().int().openapi({ description: 'Items with a stored embedding.' }),
    pending: z.number().int().openapi({ description: 'Items without one: not scored or trained on until embedded.' }),
    model: z.string().optional().openapi({ description: 'The embedder, e.g. Xenova/all-MiniLM-L6-v2:fp32.' }),
    reason: z.string().optional(),
    startedAt: z.string().optional().openapi({ description: 'running: when this run began.' }),
    done: z.number().int().optional().openapi({ description: 'running: texts embedded so far in this run.' }),
    total: z.number().int().optional().openapi({ description: 'running: texts this run embeds.' }),
    automatic: z.boolean().openapi({ description: 'New items are embedded as they arrive (false: only on POST /v1/embed; KGAL_BACKGROUND_EMBED=0).' }),
    lastRun: z
      .object({ startedAt: z.string(), finishedAt: z.string(), embedded: z.number().int(), error: z.string().optional() })
      .optional(),
  })
  .openapi('EmbeddingStatus', { example: { state: 'running', embedded: 120, pending: 380, model: 'Xenova/all-MiniLM-L6-v2:fp32', startedAt: '2026-12-08T10:00:00.000Z', done: 96, total: 476, automatic: true } });

export const StatsResponseSchema = z
  .object({
    items: z.number().int(),
    labeledItems: z.number().int(),
    embeddedItems: z.number().int(),
    entities: z.number().int(),
    mentions: z.number().int(),
    entityEdges: z.number().int(),
    relations: z.number().int(),
    rounds: z.number().int(),
    labels: z.record(z.string(), z.number().int()),
    activeLeases: z.number().int(),
    coverage: z.record(z.string(), z.number()),
    stopSignal: StopSignalSchema,
    embedding: EmbeddingStatusSchema,
  })
  .openapi('Stats');

export const ModelResponseSchema = z
  .object({
    status: z.enum(['trained', 'untrained']),
    reason: z.string().optional(),
    classes: z.array(z.string()).optional(),
    labelCounts: z.record(z.string(), z.number().int()),
    trainedOn: z.number().int().optional(),
    trainedAt: z.string().optional().openapi({ description: 'When the model of this label set was fitted (the server fits once per label set and reuses it).' }),
    reused: z.boolean().optional().openapi({ description: 'True when this answer reused a model fitted earlier (by a query or an earlier call) instead of fitting one.' }),
    embeddedItems: z.number().int(),
    notEmbedded: z.number().int(),
    graph: z.object({
      version: z.number().int(),
      analytics: z.object({ measure: z.string(), graphVersion: z.number().int(), current: z.boolean() }).optional(),
    }),
  })
  .openapi('ModelStatus');

export const RefreshBodySchema = z
  .strictObject({ centrality: z.enum(CENTRALITY_MEASURES as unknown as [string, ...string[]]).optional() })
  .openapi('RefreshRequest');

export const RefreshResponseSchema = z
  .object({
    measure: z.string(),
    graphVersion: z.number().int(),
    graph: z.object({ nodes: z.number().int(), edges: z.number().int(), communities: z.number().int(), modularity: z.number() }).loose(),
    coverage: z.record(z.string(), z.number()),
  })
  .openapi('RefreshResponse');

export const ErrorSchema = z
  .object({
    error: z.string(),
    code: z
      .enum(['usage', 'rejected', 'not-found', 'conflict', 'too-large', 'store-unavailable', 'model-unavailable', 'internal'])
      .optional()
      .openapi({ description: 'Error kind from the one error table (README "Errors and exit codes")' }),
    issues: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    ids: z.array(z.string()).optional(),
    conflicts: z.array(z.record(z.string(), z.string())).optional(),
  })
  .openapi('Error');

export const CampaignResponseSchema = z
  .object({
    labelsByClass: z.record(z.string(), z.number().int()).openapi({ description: 'Current labels per class.' }),
    labelsByAnnotator: z
      .record(z.string(), z.number().int())
      .openapi({ description: 'Current labels per annotator of the latest label event; "(none)" for labels given without a name.' }),
    rounds: z
      .array(
        z.object({
          round: z.number().int(),
          at: z.string(),
          labeled: z.number().int(),
          coverage: z.number().openapi({ description: 'Share of the entity graph\'s PageRank mass covered by labeled items (0..1).' }),
          meanUncertainty: z.number().nullable().openapi({ description: 'Mean 1 − max p over the unlabeled embedded pool; null without a model.' }),
          kappa: z.number().nullable().openapi({ description: "Cohen's kappa between this and the previous round's predictions on the stop set; null when either had no model." }),
        }),
      )
      .openapi({ description: 'One per labeled set, recorded by the query that first saw it.' }),
    stopSignal: StopSignalSchema,
  })
  .openapi('Campaign');

export const ExportQuerySchema = z
  .strictObject({
    format: z.enum(['jsonl', 'csv']).optional().openapi({ description: 'Default jsonl.' }),
    predictions: z
      .enum(['true', 'false'])
      .optional()
      .transform((v) => v === 'true')
      .openapi({ description: "Also the unlabeled items with the model's predicted label and probability." }),
  })
  .openapi('ExportQuery');

// Label Studio's ML-backend protocol (its own request shapes; loose: Label Studio sends more fields than kgal reads).
export const LabelStudioSetupBodySchema = z.looseObject({
  project: z.string().min(1),
  schema: z.string().min(1),
  hostname: z.string().nullish(),
  access_token: z.string().nullish(),
});

const LabelStudioTaskSchema = z.looseObject({ id: z.number().int(), data: z.record(z.string(), z.unknown()) });
export const LabelStudioPredictBodySchema = z.looseObject({
  tasks: z.array(LabelStudioTaskSchema).max(1_000_000),
  project: z.string().optional(),
  label_config: z.string().optional(),
});
export const LabelStudioWebhookBodySchema = z.looseObject({ action: z.string().min(1) });
export const LabelStudioStatusQuerySchema = z.object({ project: z.string().regex(/^\d+$/, 'a Label Studio project id') });
