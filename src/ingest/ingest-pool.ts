import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { canonicalKey } from '../entities/canonical-key.js';
import type { EntityExtractor } from '../entities/entity-extractor.js';
import { buildExtractor, DEFAULT_EXTRACTOR, extractorNameFromEnv, type KgFacts } from '../entities/extractor-config.js';
import { Gazetteer } from '../entities/gazetteer.js';
import { readTriplesFile } from '../kg/read-triples.js';
import { parseKgTerm, type Triple } from '../kg/triple.js';
import { UsageError } from '../errors/kgal-error.js';
import { InputValidationError, type InputIssue } from '../pool/input-error.js';
import { parsePoolRow, type PoolRow } from '../pool/pool-row.js';
import { dedupeRows, duplicateIdIssues, readPoolFile } from '../pool/read-pool.js';
import { LabelConflictError, LeaseConflictError, type GraphStore, type ItemUpsert, type RelationUpsert } from '../store/graph-store.js';
import { silentProgress, type Progress } from './progress.js';

export interface IngestOptions {
  /** Pool files (JSONL or CSV). All are validated before anything is written. */
  files: readonly string[];
  /** External knowledge graph (TSV or JSONL triples): imported as RELATED facts and used as a gazetteer. */
  kgFile?: string;
  /**
   * Builds the extractor once the KG (already in the store plus kgFile) is known: its names as a
   * gazetteer, and its entities and facts for linking.
   */
  createExtractor?: (gazetteer: Gazetteer, kg: KgFacts) => EntityExtractor;
  /** Items per write transaction. */
  batchSize?: number;
  /**
   * Keep the rows' labels out of the store's labels (they stay in the item's metadata as `label`): for a
   * pool that arrives with gold labels you want to treat as unlabeled, e.g. to try kgal on a benchmark.
   */
  ignoreLabels?: boolean;
  progress?: Progress;
  /** KGAL_LABELS: when not empty, a row labeled outside this set rejects its file (nothing written). */
  allowedLabels?: readonly string[];
  /**
   * How a row's label meets the store (see labelPolicy): the CLI and the ops scripts overwrite a different
   * label (like `kgal label`); the API refuses it, and a label for an item leased to an annotator, with 409
   * (like POST /v1/labels). Either way the label goes through store.setLabels, so it is in the history.
   */
  labelPolicy?: LabelPolicy;
}

export interface LabelPolicy {
  onConflict: 'overwrite' | 'reject';
  respectLeases: boolean;
}

export const OPERATOR_LABEL_POLICY: LabelPolicy = { onConflict: 'overwrite', respectLeases: false };
export const CLIENT_LABEL_POLICY: LabelPolicy = { onConflict: 'reject', respectLeases: true };

export interface IngestReport {
  files: Array<{ file: string; rows: number }>;
  /** Items whose entities were (re)extracted: new items, changed texts, or a changed extractor/gazetteer. */
  extracted: number;
  /** Items already stored with the same text and extractor: properties refreshed, mentions untouched. */
  unchanged: number;
  relations: number;
  gazetteerNames: number;
}

export const DEFAULT_INGEST_BATCH = 1000;
const RELATION_BATCH = 5000;

/**
 * Ingests pool files into a store. Validation first (every file, and the KG file), then batched writes:
 * a bad file writes nothing, and because every write is an idempotent upsert keyed by id and every batch
 * is atomic, an ingest that crashed half-way can simply be run again.
 */
export async function ingestPool(store: GraphStore, options: IngestOptions): Promise<IngestReport> {
  const triples = options.kgFile ? await readTriplesFile(options.kgFile) : [];
  const pools: PoolBatch[] = [];
  for (const file of options.files) pools.push({ source: file, rows: await readPoolFile(file) });
  const issues = pools.flatMap(({ source, rows }) => labelSetIssues(rows, basename(source), options));
  if (issues.length > 0) throw new InputValidationError(issues);
  return writePools(store, pools, toRelations(triples), options);
}

/** Rows given in code (the library API): validated like a file's rows, named `source` in errors. */
export async function ingestRows(
  store: GraphStore,
  rows: ReadonlyArray<Record<string, unknown>>,
  options: Omit<IngestOptions, 'files'> & { source?: string } = {},
): Promise<IngestReport> {
  const source = options.source ?? 'rows';
  const issues: InputIssue[] = [];
  const parsed: PoolRow[] = [];
  rows.forEach((raw, i) => {
    const result = parsePoolRow(raw, source, i + 1);
    issues.push(...result.issues);
    if (result.row) parsed.push(result.row);
  });
  issues.push(...duplicateIdIssues(parsed, source));
  issues.push(...labelSetIssues(parsed, source, options));
  if (issues.length > 0) throw new InputValidationError(issues);
  const triples = options.kgFile ? await readTriplesFile(options.kgFile) : [];
  return writePools(store, [{ source, rows: dedupeRows(parsed) }], toRelations(triples), options);
}

/** Rows labeled outside `allowedLabels` (KGAL_LABELS), as issues on their line's `label` field. */
export function labelSetIssues(rows: readonly PoolRow[], display: string, options: { allowedLabels?: readonly string[]; ignoreLabels?: boolean }): InputIssue[] {
  const allowed = new Set(options.allowedLabels ?? []);
  if (allowed.size === 0 || options.ignoreLabels) return [];
  return rows
    .filter((row) => row.label !== undefined && !allowed.has(row.label))
    .map((row) => ({ file: display, line: row.line, field: 'label', message: `unknown label "${row.label}" (allowed: ${[...allowed].join(', ')}; KGAL_LABELS)` }));
}

/**
 * The labels the rows would set, checked against the store before anything is written: a different
 * existing label (policy `reject`) is a LabelConflictError, an item leased to an annotator (policy
 * `respectLeases`) a LeaseConflictError. Returns the stored label per id, to skip labels already set.
 */
async function checkLabels(store: GraphStore, pools: readonly PoolBatch[], policy: LabelPolicy, ignoreLabels: boolean): Promise<Map<string, string | undefined>> {
  const labeled = ignoreLabels ? [] : pools.flatMap(({ rows }) => rows.filter((row) => row.label !== undefined));
  const storedLabel = new Map<string, string | undefined>();
  if (labeled.length === 0) return storedLabel;
  const conflicts: Array<{ id: string; current: string; given: string }> = [];
  const leased: Array<{ id: string; holder: string }> = [];
  const given = new Map(labeled.map((row) => [row.id, row.label!]));
  const now = Date.now();
  for (let start = 0; start < labeled.length; start += 10_000) {
    for (const item of await store.getItems(labeled.slice(start, start + 10_000).map((row) => row.id))) {
      storedLabel.set(item.id, item.label);
      const label = given.get(item.id)!;
      if (item.label === label) continue;
      if (policy.onConflict === 'reject' && item.label !== undefined) conflicts.push({ id: item.id, current: item.label, given: label });
      if (policy.respectLeases && item.lease && Date.parse(item.lease.expiresAt) > now) leased.push({ id: item.id, holder: item.lease.holder });
    }
  }
  if (leased.length > 0) throw new LeaseConflictError(leased);
  if (conflicts.length > 0) throw new LabelConflictError(conflicts);
  return storedLabel;
}

interface PoolBatch {
  source: string;
  rows: PoolRow[];
}

async function writePools(
  store: GraphStore,
  pools: readonly PoolBatch[],
  relations: readonly RelationUpsert[],
  options: Omit<IngestOptions, 'files'>,
): Promise<IngestReport> {
  const progress = options.progress ?? silentProgress;
  const batchSize = options.batchSize ?? DEFAULT_INGEST_BATCH;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new UsageError(`batch size must be a positive integer, got ${batchSize}`);
  // Label conflicts and leases are checked before the first write (relations included).
  const policy = options.labelPolicy ?? OPERATOR_LABEL_POLICY;
  const storedLabel = await checkLabels(store, pools, policy, options.ignoreLabels ?? false);
  if (relations.length > 0) {
    progress.start('knowledge graph', relations.length);
    for (let start = 0; start < relations.length; start += RELATION_BATCH) {
      const batch = relations.slice(start, start + RELATION_BATCH);
      await store.upsertRelations(batch);
      progress.advance(batch.length);
    }
    progress.stop();
  }

  const kg: KgFacts = { entities: await store.listKgEntities(), relations: await store.listKgRelations() };
  const gazetteer = new Gazetteer(kg.entities);
  const extractor = (options.createExtractor ?? defaultExtractor)(gazetteer, kg);
  const report: IngestReport = {
    files: pools.map(({ source, rows }) => ({ file: source, rows: rows.length })),
    extracted: 0,
    unchanged: 0,
    relations: relations.length,
    gazetteerNames: gazetteer.size,
  };
  for (const { source, rows } of pools) {
    progress.start(source, rows.length);
    for (let start = 0; start < rows.length; start += batchSize) {
      const batch = rows.slice(start, start + batchSize);
      const upserts = await prepareBatch(store, extractor, batch, report, options.ignoreLabels ?? false);
      // Items first (without labels), then their labels through the one label path (history, conflicts,
      // leases); a label the item already has is not set again.
      const labels = upserts.flatMap(({ id, label }) => (label !== undefined && storedLabel.get(id) !== label ? [{ id, label }] : []));
      await store.upsertItems(upserts.map(({ label: _label, ...upsert }) => upsert));
      if (labels.length > 0) await store.setLabels(labels, policy);
      progress.advance(batch.length);
    }
    progress.stop();
  }
  return report;
}

/**
 * The extractor ingest uses unless told otherwise: KGAL_EXTRACTOR when set (so `kgal serve`'s POST /v1/items
 * extracts like `kgal ingest` did), else DEFAULT_EXTRACTOR; linked to the KG when there is one.
 */
export function defaultExtractor(gazetteer: Gazetteer, kg?: KgFacts): EntityExtractor {
  return buildExtractor({ extractor: extractorNameFromEnv() ?? DEFAULT_EXTRACTOR }, gazetteer, kg);
}

export function extractionFingerprint(extractor: EntityExtractor, text: string): string {
  return createHash('sha1').update(extractor.id).update('\u0000').update(text).digest('hex');
}

async function prepareBatch(
  store: GraphStore,
  extractor: EntityExtractor,
  rows: readonly PoolRow[],
  report: IngestReport,
  ignoreLabels: boolean,
): Promise<ItemUpsert[]> {
  const stored = await store.getFingerprints(rows.map((r) => r.id));
  return rows.map((row) => {
    const upsert: ItemUpsert = { id: row.id, text: row.text, meta: row.meta };
    if (row.label !== undefined) {
      if (ignoreLabels) upsert.meta = { ...row.meta, label: row.label };
      else upsert.label = row.label;
    }
    const fingerprint = extractionFingerprint(extractor, row.text);
    if (stored.get(row.id) === fingerprint) report.unchanged += 1;
    else {
      upsert.extraction = { fingerprint, mentions: extractor.extract(row.text) };
      report.extracted += 1;
    }
    return upsert;
  });
}

/** KG triples as relations between canonical entity keys; duplicates collapse. */
export function toRelations(triples: readonly Triple[]): RelationUpsert[] {
  const seen = new Map<string, RelationUpsert>();
  for (const triple of triples) {
    const subject = parseKgTerm(triple.subject);
    const object = parseKgTerm(triple.object);
    const s = { key: canonicalKey(subject.name), name: subject.name };
    const o = { key: canonicalKey(object.name), name: object.name };
    if (s.key === '' || o.key === '') continue;
    const id = `${s.key}\u0000${triple.predicate}\u0000${o.key}`;
    if (!seen.has(id)) seen.set(id, { subject: s, predicate: triple.predicate, object: o });
  }
  return [...seen.values()];
}
