/** What an entity is, as far as extraction can tell. */
export type EntityType = 'person' | 'place' | 'organization' | 'work' | 'topic' | 'kg';

/** One entity mentioned by one text. */
export interface EntityMention {
  /** Canonical key (see canonicalKey). */
  key: string;
  /** Display name, as first seen. */
  name: string;
  type: EntityType;
  /** How many times the text mentions it. */
  count: number;
}

/**
 * Finds the entities a text mentions. The default implementation uses `compromise`; a transformer NER
 * can replace it by implementing this interface.
 */
export interface EntityExtractor {
  /**
   * Identifies the extractor and its configuration (lexicon, gazetteer). Items whose text was extracted
   * under a different id are re-extracted on the next ingest.
   */
  readonly id: string;
  extract(text: string): EntityMention[];
}

/** Adds a mention to a per-text map, keeping the most specific type and the largest count seen. */
export function mergeMention(into: Map<string, EntityMention>, mention: EntityMention): void {
  const existing = into.get(mention.key);
  if (!existing) {
    into.set(mention.key, { ...mention });
    return;
  }
  existing.count = Math.max(existing.count, mention.count);
  if (existing.type === 'topic' || existing.type === 'kg') {
    if (mention.type !== 'topic' && mention.type !== 'kg') existing.type = mention.type;
  }
}
