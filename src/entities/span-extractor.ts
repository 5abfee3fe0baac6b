import { createHash } from 'node:crypto';
import nlp from 'compromise';
import { canonicalKey, type CanonicalKeyOptions } from './canonical-key.js';
import { cleanTextForExtraction } from './compromise-extractor.js';
import type { EntityExtractor, EntityMention } from './entity-extractor.js';
import type { KgLinker } from './kg-linker.js';
import { sentenceNameSpans, withoutShortMentions, type NameSpan, type TaggedTerm } from './name-spans.js';

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
const BYLINE = /\s*\(([\p{L}][\p{L}\d.&' -]{0,30})\)\s+(?:\1\s+)?-{1,2}\s+/u;
/** "SPACE.com - " at the start of a body; a dateline in capitals ("HOUSTON -- ") is a place and stays. */
const LEADING_SOURCE = /^([\p{L}][\p{L}\d.&'-]{0,30}(?: [\p{L}][\p{L}\d.&'-]{0,30})?)\s+-{1,2}\s+/u;

/** Splits a news text at its byline: the headline before it (if any) and the body, the source dropped. */
export function splitByline(text: string): { headline?: string; body: string } {
  const match = BYLINE.exec(text);
  if (!match) return { body: dropLeadingSource(text) };
  return { headline: text.slice(0, match.index), body: dropLeadingSource(text.slice(match.index + match[0].length)) };
}

function dropLeadingSource(text: string): string {
  return text.replace(LEADING_SOURCE, (whole, source: string) => (source === source.toUpperCase() ? whole : ''));
}

/**
 * Abbreviations written far more often than the name they stand for, folded to that name when there is no
 * KG to link them (with a KG, the linker's initials aliases do this for every well-known entity). Without
 * them "U.S.", "US" and "USA" in three texts are three entities, none of them the country's name.
 */
const COMMON_ABBREVIATIONS: ReadonlyMap<string, string> = new Map([
  ['us', 'United States'],
  ['usa', 'United States'],
  ['uk', 'United Kingdom'],
]);

/** A span's name with a common abbreviation written out ("U.S." -> "United States"). */
function expandAbbreviation(span: NameSpan): NameSpan {
  const full = COMMON_ABBREVIATIONS.get(canonicalKey(span.name));
  return full === undefined ? span : { ...span, name: full, type: 'place' };
}

/**
 * Corrections to compromise's lexicon, which has "Philippines" as a plural demonym (so "the Philippines"
 * was a lone demonym, dropped); the user's lexicon comes on top.
 */
const LEXICON_FIXES: Readonly<Record<string, string>> = { philippines: 'Country' };

type Lexicon = Record<string, string | string[]>;
let compromiseLexicon: Lexicon | undefined;
/** compromise's own word list (built in), for typing words its tagger saw without context. */
function lexiconLookup(word: string): string | readonly string[] | undefined {
  compromiseLexicon ??= (nlp.model() as { one: { lexicon: Lexicon } }).one.lexicon;
  return Object.hasOwn(compromiseLexicon, word) ? compromiseLexicon[word] : undefined;
}

/**
 * Names by span rules over compromise's tagging (src/entities/name-spans.ts), typed person, place,
 * organisation, work or topic (other); numbers and dates are left to the text. The default extractor.
 */
export class SpanExtractor implements EntityExtractor {
  readonly id: string;
  private readonly lexicon: Record<string, string>;

  constructor(private readonly options: SpanExtractorOptions = {}) {
    this.lexicon = { ...LEXICON_FIXES, ...options.lexicon };
    const config = createHash('sha1')
      .update(JSON.stringify(options.lexicon ?? {}))
      .update(JSON.stringify([...(options.aliases ?? new Map())]))
      .digest('hex')
      .slice(0, 8);
    this.id = `spans-v4:${config}:kg-${options.linker?.fingerprint ?? 'none'}`;
  }

  extract(text: string): EntityMention[] {
    const { headline, body } = splitByline(cleanTextForExtraction(text));
    const cleaned = headline === undefined ? body : `${headline}. ${body}`;
    const spans = withoutShortMentions([
      ...(headline ? this.spans(headline, true) : []),
      ...this.spans(body, undefined),
    ]);
    const mentions = new Map<string, EntityMention>();
    const linked = this.options.linker
      ? this.options.linker.link(cleaned, spans)
      : spans.filter((span) => !span.weak).map(expandAbbreviation).map((span) => ({ ...span, key: canonicalKey(span.name, this.options) }));
    for (const { key, name, type } of linked) {
      if (key === '') continue;
      const seen = mentions.get(key);
      if (seen) seen.count += 1;
      else mentions.set(key, { key, name, type, count: 1 });
    }
    return [...mentions.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Name spans of a text; `titleCase` true for a known headline, else judged per sentence. */
  private spans(text: string, titleCase: boolean | undefined): NameSpan[] {
    const doc = nlp(text, this.lexicon) as unknown as { docs: TaggedTerm[][] };
    return doc.docs.flatMap((terms) => sentenceNameSpans(terms, { lexicon: lexiconLookup, ...(titleCase === undefined ? {} : { titleCase }) }));
  }
}
