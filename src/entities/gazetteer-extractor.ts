import type { EntityExtractor, EntityMention } from './entity-extractor.js';
import type { Gazetteer } from './gazetteer.js';

/**
 * Dictionary-only linking: mentions are exactly the gazetteer names found in the text. For teams whose
 * curated knowledge graph already names everything that matters (and for deterministic tests).
 */
export class GazetteerExtractor implements EntityExtractor {
  readonly id: string;

  constructor(private readonly gazetteer: Gazetteer) {
    this.id = `gazetteer-v1:${gazetteer.fingerprint}`;
  }

  extract(text: string): EntityMention[] {
    return this.gazetteer.find(text).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}
