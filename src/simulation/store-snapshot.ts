import type { EntityMention, EntityType } from '../entities/entity-extractor.js';
import { rowOf, type Matrix } from '../model/matrix.js';
import type { EmbeddingUpdate, GraphStore, ItemUpsert, RelationUpsert, StoredEntityAnalytics } from '../store/graph-store.js';
import { MemoryGraphStore } from '../store/memory-store.js';

/**
 * Everything a simulation's selection needs from an ingested, embedded and analysed store, as plain data:
 * items with their extracted mentions, the external KG's facts, embeddings and the entity analytics
 * (centrality, communities). Entity extraction, embedding and graph analysis run once per dataset;
 * every strategy × repeat then starts from a fresh in-memory store restored from this snapshot, so runs
 * cannot leak labels or bandit state into each other.
 */
export interface StoreSnapshot {
  relations: RelationUpsert[];
  items: Array<{ id: string; text: string; meta: Record<string, unknown>; fingerprint: string; mentions: EntityMention[] }>;
  embeddings: { ids: readonly string[]; keys: string[]; matrix: Matrix<Float32Array> };
  analytics?: StoredEntityAnalytics;
}

/** Reads a snapshot through the GraphStore interface (labels are deliberately not part of it). */
export async function captureSnapshot(store: GraphStore): Promise<StoreSnapshot> {
  const [items, graph, embedded, states, analytics] = await Promise.all([
    store.listItems(),
    store.getEntityGraph(),
    store.getEmbeddings(),
    store.listEmbeddingStates(),
    store.getEntityAnalytics(),
  ]);
  const entityByKey = new Map(graph.entities.map((e) => [e.key, e]));
  const nameOf = (key: string): string => entityByKey.get(key)?.name ?? key;
  const relations: RelationUpsert[] = graph.relations.map((r) => ({
    subject: { key: r.subject, name: nameOf(r.subject) },
    predicate: r.predicate,
    object: { key: r.object, name: nameOf(r.object) },
  }));
  const snapshotItems: StoreSnapshot['items'] = [];
  for (const item of items) {
    const mentions = (await store.getItemMentions(item.id)).map((m) => {
      const entity = entityByKey.get(m.key);
      return { key: m.key, name: entity?.name ?? m.key, type: (entity?.type ?? 'topic') as EntityType, count: m.count };
    });
    snapshotItems.push({ id: item.id, text: item.text, meta: item.meta, fingerprint: item.fingerprint ?? '', mentions });
  }
  const keyById = new Map(states.map((s) => [s.id, s.embeddingKey ?? '']));
  const snapshot: StoreSnapshot = {
    relations,
    items: snapshotItems,
    embeddings: { ids: embedded.ids, keys: embedded.ids.map((id) => keyById.get(id) ?? ''), matrix: embedded.matrix },
  };
  if (analytics) snapshot.analytics = analytics;
  return snapshot;
}

/**
 * A new in-memory store holding the snapshot: the same items, mentions, KG facts and embeddings, and the
 * same analytics marked current for its graph version (so queries reuse them instead of re-analysing).
 */
export async function restoreSnapshot(snapshot: StoreSnapshot): Promise<MemoryGraphStore> {
  const store = await MemoryGraphStore.open({});
  if (snapshot.relations.length > 0) await store.upsertRelations(snapshot.relations);
  const upserts: ItemUpsert[] = snapshot.items.map((item) => ({
    id: item.id,
    text: item.text,
    meta: { ...item.meta },
    extraction: { fingerprint: item.fingerprint, mentions: item.mentions },
  }));
  await store.upsertItems(upserts);
  const { ids, keys, matrix } = snapshot.embeddings;
  const updates: EmbeddingUpdate[] = ids.map((id, row) => ({ id, key: keys[row]!, vector: rowOf(matrix, row) }));
  if (updates.length > 0) await store.setEmbeddings(updates);
  if (snapshot.analytics) {
    const rows = snapshot.analytics.rows.map((r) => ({ key: r.key, centrality: r.centrality, community: r.community, coverage: 0, gap: r.centrality }));
    await store.setEntityAnalytics(rows, snapshot.analytics.measure, await store.graphVersion());
  }
  return store;
}
