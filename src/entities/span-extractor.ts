import { createHash } from 'node:crypto';
import nlp from 'compromise';
import { canonicalKey, type CanonicalKeyOptions } from './canonical-key.js';
import { cleanTextForExtraction } from './compromise-extractor.js';
import type { EntityExtractor, EntityMention } from './entity-extractor.js';
import type { KgLinker } from './kg-linker.js';
import { sentenceNameSpans, type TaggedTerm } from './name-spans.js';

export interface SpanExtractorOptions extends CanonicalKeyOptions {
  /** compromise lexicon (`{ "federal mogul": "Organization" }`), as for CompromiseExtractor. */
  lexicon?: Record<string, string>;
  /**
   * Links spans to an external knowledge graph (aliases, fuzzy match, context) and finds the KG's names
   * the spans missed. Without it, every span is a text entity.
   */
  linker?: KgLinker;
}

/**
 * News bylines and their source: "Headline (AP) AP - Body", "(Reuters) Reuters - ", "SPACE.com - ". The
 * source is not an entity of the story (it would tie every agency story to one hub), and what comes before
 * the byline is a headline: a sentence break there lets the title-case rule see it.
 */
const BYLINE = /\s*\(([\p{L}][\p{L}\d.&' -]{0,30})\)\s+(?:\1\s+)?-{1,2}\s+/gu;
const LEADING_SOURCE = /^([\p{L}][\p{L}\d.&'-]{0,30}(?: [\p{L}][\p{L}\d.&'-]{0,30})?)\s+-{1,2}\s+/u;

export function stripBylines(text: string): string {
  return text.replace(BYLINE, '. ').replace(LEADING_SOURCE, (match, source: string) => (source === source.toUpperCase() ? match : ''));
}

/**
 * Names by span rules over compromise's tagging (src/entities/name-spans.ts), typed person, place,
 * organisation, work or topic (other); numbers and dates are left to the text. The default extractor.
 */
export class SpanExtractor implements EntityExtractor {
  readonly id: string;

  constructor(private readonly options: SpanExtractorOptions = {}) {
    const config = createHash('sha1')
      .update(JSON.stringify(options.lexicon ?? {}))
      .update(JSON.stringify([...(options.aliases ?? new Map())]))
      .digest('hex')
      .slice(0, 8);
    this.id = `spans-v3:${config}:kg-${options.linker?.fingerprint ?? 'none'}`;
  }

  extract(text: string): EntityMention[] {
    const cleaned = stripBylines(cleanTextForExtraction(text));
    const doc = nlp(cleaned, this.options.lexicon);
    const mentions = new Map<string, EntityMention>();
    const sentences = (doc as unknown as { docs: TaggedTerm[][] }).docs;
    const spans = sentences.flatMap((terms) => sentenceNameSpans(terms));
    const linked = this.options.linker
      ? this.options.linker.link(cleaned, spans)
      : spans.filter((span) => !span.weak).map((span) => ({ ...span, key: canonicalKey(span.name, this.options) }));
    for (const { key, name, type } of linked) {
      if (key === '') continue;
      const seen = mentions.get(key);
      if (seen) seen.count += 1;
      else mentions.set(key, { key, name, type, count: 1 });
    }
    return [...mentions.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}
