import { createHash } from 'node:crypto';
import nlp from 'compromise';
import { canonicalKey, type CanonicalKeyOptions } from './canonical-key.js';
import { mergeMention, type EntityExtractor, type EntityMention, type EntityType } from './entity-extractor.js';
import type { Gazetteer } from './gazetteer.js';

export interface CompromiseExtractorOptions extends CanonicalKeyOptions {
  /**
   * Words or phrases compromise should know, mapped to a tag: `{ "federal mogul": "Organization" }`.
   * This is compromise's own lexicon hook (tags: Person, Place, Organization, ...).
   */
  lexicon?: Record<string, string>;
  /** Known entity names (e.g. from an external knowledge graph), matched in addition to NER. */
  gazetteer?: Gazetteer;
  /**
   * Also keep runs of proper nouns compromise cannot type as people, places or organisations (default
   * true). Off gives the v1 extraction, e.g. for corpora of title-case headlines where such runs are noise.
   */
  properNounRuns?: boolean;
}

/** Remnants in real corpora that confuse the tagger (AG News keeps " #36;" for "$" and "\" for line breaks). */
const HTML_ENTITY_REMNANTS: Array<[RegExp, string]> = [
  [/\s*#36;/g, ' $'],
  [/#39;/g, "'"],
  // Reuters' stock links: "Texas Instruments Inc. (TXN.N: Quote, Profile, Research)".
  [/\s*\([A-Z0-9.^]+: Quote, Profile, Research\)/g, ''],
  [/&?quot;/g, '"'],
  [/&?amp;/g, '&'],
  [/&?lt;/g, '<'],
  [/&?gt;/g, '>'],
  [/\\/g, ' '],
];

export function cleanTextForExtraction(text: string): string {
  let cleaned = text;
  for (const [pattern, replacement] of HTML_ENTITY_REMNANTS) cleaned = cleaned.replace(pattern, replacement);
  return cleaned;
}

const EDGE_PUNCTUATION = /^[\p{P}\s]+|[\p{P}\s]+$/gu;
const MAX_ENTITY_TOKENS = 6;

/**
 * Named entities with `compromise`: people, places and organisations, plus gazetteer matches. Keys are
 * canonical (see canonicalKey), so "Federal Mogul." and "federal-mogul" are one entity.
 */
export class CompromiseExtractor implements EntityExtractor {
  readonly id: string;
  private readonly options: CompromiseExtractorOptions;

  constructor(options: CompromiseExtractorOptions = {}) {
    this.options = options;
    const config = createHash('sha1')
      .update(JSON.stringify(options.lexicon ?? {}))
      .update(JSON.stringify([...(options.aliases ?? new Map())]))
      .digest('hex')
      .slice(0, 8);
    this.id = `${options.properNounRuns === false ? 'compromise-v1' : 'compromise-v2'}:${config}:gaz-${options.gazetteer?.fingerprint ?? 'none'}`;
  }

  extract(text: string): EntityMention[] {
    const cleaned = cleanTextForExtraction(text);
    const doc = nlp(cleaned, this.options.lexicon);
    const mentions = new Map<string, EntityMention>();
    const groups: Array<[EntityType, string[]]> = [
      ['person', doc.people().out('array') as string[]],
      ['place', doc.places().out('array') as string[]],
      ['organization', doc.organizations().out('array') as string[]],
      // Names compromise cannot type (dishes, works, ships, teams, "Aarhus Lufthavn A/S"): runs of proper
      // nouns, kept as topics. Dates and weekdays are proper nouns to compromise but not entities.
      ['topic', this.options.properNounRuns === false ? [] : (doc.match('#ProperNoun+').not('(#Date|#Month|#WeekDay|#Holiday)').out('array') as string[])],
    ];
    for (const [type, phrases] of groups) {
      // Counted per group: a name found both as a place and as a proper-noun run is one mention, not two.
      const counts = new Map<string, EntityMention>();
      for (const phrase of phrases) {
        const name = phrase.replace(EDGE_PUNCTUATION, '').replace(/\s+/g, ' ');
        const key = canonicalKey(name, this.options);
        if (key === '' || key.split(' ').length > MAX_ENTITY_TOKENS) continue;
        const seen = counts.get(key);
        if (seen) seen.count += 1;
        else counts.set(key, { key, name, type, count: 1 });
      }
      for (const mention of counts.values()) mergeMention(mentions, mention);
    }
    for (const mention of this.options.gazetteer?.find(cleaned) ?? []) mergeMention(mentions, mention);
    return [...mentions.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}
