/**
 * Linking text names to the entities of an external knowledge graph, beyond string equality:
 *
 * - **aliases** derived from each KG name: without a DBpedia qualifier ("Aston Martin V8 (car)"), the part
 *   before a comma ("Austin, Texas" -> "Austin"), without a class noun ("English language" -> "English",
 *   "Aarhus Airport" -> "Aarhus"), initials ("United States" -> "US", "U.S."), a plural demonym's
 *   singular ("Americans" -> "American"), and the user's alias file; each with a confidence below an
 *   exact name's;
 * - a **fuzzy match** for names no alias reaches: KG names sharing a token, scored by token overlap with
 *   near-equal tokens (Levenshtein ratio, `fastest-levenshtein`) and the share of the KG name covered;
 * - **disambiguation by context** when a name maps to several KG entities: the candidate whose KG neighbours
 *   are among the text's other linked entities wins, then the one with the higher confidence, then the
 *   one with more KG neighbours (the better-known entity);
 * - the KG's names found in the text by themselves (longest match over names and aliases), as the gazetteer
 *   did, so a name the span rules missed is still linked;
 * - **NIL**: a name that links to nothing stays a text entity under its own key, except names the span rules
 *   flagged weak (lone demonyms, capitals that may be grammar), which only count when they link.
 *
 * Why a hand-written index and not a fuzzy-search library: Fuse.js scans every name per query (too slow
 * for 100k KG names at 1,000 texts/s); MiniSearch ranks documents by BM25, while linking needs a calibrated
 * name-to-name confidence. A token index finds candidates; `fastest-levenshtein` compares tokens.
 */
import { createHash } from 'node:crypto';
import { distance } from 'fastest-levenshtein';
import { canonicalKey, foldedTokens, type CanonicalKeyOptions } from './canonical-key.js';
import type { EntityType } from './entity-extractor.js';
import type { NameSpan } from './name-spans.js';

export interface KgEntity {
  key: string;
  name: string;
}

export interface LinkedSpan {
  key: string;
  name: string;
  type: EntityType;
  /** 1 for an exact name, less for an alias or a fuzzy match; undefined for a NIL (text-only) entity. */
  confidence?: number;
}

export interface KgLinkerOptions extends CanonicalKeyOptions {
  /** KG neighbours of each entity key (from the KG's relations), for disambiguation by context. */
  neighbours?: ReadonlyMap<string, ReadonlySet<string>>;
  /** Least confidence a fuzzy match needs to link (default DEFAULT_MIN_FUZZY_CONFIDENCE). */
  minFuzzyConfidence?: number;
  /** Keep names that link to nothing as text entities (default true). */
  keepNil?: boolean;
}

export const DEFAULT_MIN_FUZZY_CONFIDENCE = 0.8;
/** Confidence of each kind of alias: how often that variant means the KG entity, roughly. */
export const ALIAS_CONFIDENCE = {
  exact: 1,
  userAlias: 0.95,
  qualifier: 0.95,
  demonym: 0.85,
  classNoun: 0.75,
  commaHead: 0.75,
  initials: 0.7,
} as const;
/** How much one KG neighbour among the text's other entities adds to a candidate's score. */
const CONTEXT_WEIGHT = 0.3;
const QUALIFIER = /\s*\(([^()]*)\)\s*$/;
const CLASS_NOUN_SUFFIX = /\s+(airport|language|people|city|county|river|region|province|state|music|cuisine|f ?c|football club|club|company|inc|corporation|university)$/;
const MIN_ALIAS_LENGTH = 2;
/**
 * Initials stand for well-known entities only ("US" for the United States, not "JR" for John Roberts or
 * "FC" for Fiat Croma): those with at least this many KG neighbours.
 */
const MIN_DEGREE_FOR_INITIALS = 20;
const NUMERIC = /^[\d\s.,:+-]+$/;
/** Tokens carrying no identity: an entity sharing only these with a name is no candidate. */
const STOP_TOKENS = new Set(['the', 'of', 'and', 'de', 'in', 'at', 'a', 'an', 'la', 'le', 'on', 'for', 'to']);
/** Fuzzy candidates are looked up through a name's rarest tokens; tokens in more names than this are skipped. */
const MAX_POSTINGS = 200;

interface Candidate {
  entity: KgEntity;
  confidence: number;
}

interface TrieNode {
  children: Map<string, TrieNode>;
  candidates?: Candidate[];
}

/** Folded lower-case tokens of a name (the tokens of its canonical key). */
function tokensOf(name: string): string[] {
  return foldedTokens(name).map((t) => t.toLowerCase());
}

/** Upper-case initials of a multi-word name ("United States" -> "us"), or undefined. */
function initials(name: string): string | undefined {
  const words = foldedTokens(name).filter((t) => !STOP_TOKENS.has(t.toLowerCase()));
  if (words.length < 2 || !words.every((w) => /^\p{Lu}/u.test(w))) return undefined;
  return words.map((w) => w[0]!.toLowerCase()).join('');
}

/** The aliases of one KG entity with their confidence (the exact name included). */
export function aliasesOf(entity: KgEntity, options: { initials?: boolean } = {}): Array<[aliasKey: string, confidence: number]> {
  const out = new Map<string, number>();
  const add = (name: string, confidence: number): void => {
    const key = canonicalKey(name);
    if (key.length < MIN_ALIAS_LENGTH || NUMERIC.test(key)) return;
    if ((out.get(key) ?? 0) < confidence) out.set(key, confidence);
  };
  add(entity.name, ALIAS_CONFIDENCE.exact);
  out.set(entity.key, ALIAS_CONFIDENCE.exact);
  const unqualified = entity.name.replace(QUALIFIER, '');
  if (unqualified !== entity.name) add(unqualified, ALIAS_CONFIDENCE.qualifier);
  const comma = unqualified.indexOf(',');
  if (comma > 0) add(unqualified.slice(0, comma), ALIAS_CONFIDENCE.commaHead);
  const unqualifiedKey = canonicalKey(unqualified);
  const withoutClass = unqualifiedKey.replace(CLASS_NOUN_SUFFIX, '');
  if (withoutClass !== unqualifiedKey) add(withoutClass, ALIAS_CONFIDENCE.classNoun);
  if (/ans$|ese$|ish$/.test(unqualifiedKey) && !unqualifiedKey.includes(' ')) add(unqualifiedKey.replace(/s$/, ''), ALIAS_CONFIDENCE.demonym);
  const short = options.initials ? initials(unqualified) : undefined;
  if (short && short.length >= 2) {
    add(short, ALIAS_CONFIDENCE.initials);
    add(short.split('').join(' '), ALIAS_CONFIDENCE.initials); // "U.S." folds to "u s"
  }
  return [...out];
}

function occurrences(haystack: string, needle: string): number {
  let count = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) count += 1;
  return count;
}

/** Similarity of two tokens: 1 when equal, else a Levenshtein ratio (0 for short tokens, too risky). */
function tokenSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length < 4 || b.length < 4) return 0;
  return 1 - distance(a, b) / Math.max(a.length, b.length);
}

const NEAR_TOKEN = 0.8;

/**
 * How well a text name matches a KG name, in [0, 1]: the share of the KG name's tokens matched by
 * (nearly) equal tokens of the text name, times the share of the text name's tokens used. Pure.
 */
export function fuzzyConfidence(textTokens: readonly string[], kgTokens: readonly string[]): number {
  if (textTokens.length === 0 || kgTokens.length === 0) return 0;
  let matched = 0;
  const used = new Set<number>();
  for (const kgToken of kgTokens) {
    let best = 0;
    let bestAt = -1;
    textTokens.forEach((t, i) => {
      if (used.has(i)) return;
      const s = tokenSimilarity(t, kgToken);
      if (s > best) {
        best = s;
        bestAt = i;
      }
    });
    if (best >= NEAR_TOKEN) {
      matched += best;
      used.add(bestAt);
    }
  }
  const kgShare = matched / kgTokens.length;
  const textShare = used.size / textTokens.length;
  return kgShare * textShare;
}

export class KgLinker {
  readonly fingerprint: string;
  readonly size: number;
  private readonly root: TrieNode = { children: new Map() };
  private readonly byAlias = new Map<string, Candidate[]>();
  private readonly postings = new Map<string, KgEntity[]>();
  private readonly neighbours: ReadonlyMap<string, ReadonlySet<string>>;
  private readonly minFuzzy: number;
  private readonly keepNil: boolean;

  constructor(
    entities: Iterable<KgEntity>,
    private readonly options: KgLinkerOptions = {},
  ) {
    this.neighbours = options.neighbours ?? new Map();
    this.minFuzzy = options.minFuzzyConfidence ?? DEFAULT_MIN_FUZZY_CONFIDENCE;
    this.keepNil = options.keepNil ?? true;
    const hash = createHash('sha1');
    const seen = new Set<string>();
    for (const entity of entities) {
      if (seen.has(entity.key) || entity.key === '' || NUMERIC.test(canonicalKey(entity.name.replace(QUALIFIER, '')))) continue;
      seen.add(entity.key);
      const wellKnown = (this.neighbours.get(entity.key)?.size ?? 0) >= MIN_DEGREE_FOR_INITIALS;
      for (const [alias, confidence] of aliasesOf(entity, { initials: wellKnown })) this.addAlias(alias, { entity, confidence });
      for (const token of new Set(entity.key.split(' '))) {
        if (STOP_TOKENS.has(token)) continue;
        const list = this.postings.get(token) ?? [];
        list.push(entity);
        this.postings.set(token, list);
      }
    }
    // The user's aliases ("U.S." -> "United States") point at the KG entity of their canonical name.
    for (const [alias, target] of options.aliases ?? []) {
      for (const candidate of this.byAlias.get(target) ?? []) {
        if (candidate.confidence === ALIAS_CONFIDENCE.exact) this.addAlias(alias, { entity: candidate.entity, confidence: ALIAS_CONFIDENCE.userAlias });
      }
    }
    this.size = seen.size;
    for (const key of [...seen].sort()) hash.update(key).update('\n');
    for (const [key, set] of [...this.neighbours].sort(([a], [b]) => (a < b ? -1 : 1))) hash.update(`${key}:${[...set].sort().join('|')}\n`);
    hash.update(JSON.stringify([this.minFuzzy, this.keepNil, [...(options.aliases ?? [])]]));
    this.fingerprint = hash.digest('hex').slice(0, 12);
  }

  /** Builds a linker from KG triples' ends (already canonical-keyed), their relations giving the neighbours. */
  static fromRelations(
    relations: Iterable<{ subject: KgEntity; object: KgEntity }>,
    options: Omit<KgLinkerOptions, 'neighbours'> & { extraEntities?: Iterable<KgEntity> } = {},
  ): KgLinker {
    const entities = new Map<string, KgEntity>();
    const neighbours = new Map<string, Set<string>>();
    const connect = (a: string, b: string): void => {
      const set = neighbours.get(a) ?? new Set<string>();
      set.add(b);
      neighbours.set(a, set);
    };
    for (const entity of options.extraEntities ?? []) entities.set(entity.key, entity);
    for (const { subject, object } of relations) {
      entities.set(subject.key, subject);
      entities.set(object.key, object);
      connect(subject.key, object.key);
      connect(object.key, subject.key);
    }
    return new KgLinker(entities.values(), { ...options, neighbours });
  }

  private addAlias(alias: string, candidate: Candidate): void {
    const list = this.byAlias.get(alias) ?? [];
    const existing = list.find((c) => c.entity.key === candidate.entity.key);
    if (existing) existing.confidence = Math.max(existing.confidence, candidate.confidence);
    else list.push(candidate);
    this.byAlias.set(alias, list);
    let node = this.root;
    for (const token of alias.split(' ')) {
      let child = node.children.get(token);
      if (!child) {
        child = { children: new Map() };
        node.children.set(token, child);
      }
      node = child;
    }
    node.candidates = list;
  }

  /** Candidates for a name: its alias entries, else fuzzy matches above the threshold. */
  candidates(name: string): Candidate[] {
    const key = canonicalKey(name, this.options);
    const direct = this.byAlias.get(key);
    if (direct) return direct;
    const tokens = key.split(' ').filter((t) => t !== '');
    const pool = new Map<string, KgEntity>();
    for (const token of tokens) {
      const list = this.postings.get(token);
      if (!list || list.length > MAX_POSTINGS) continue;
      for (const entity of list) pool.set(entity.key, entity);
    }
    const found: Candidate[] = [];
    for (const entity of pool.values()) {
      const confidence = fuzzyConfidence(tokens, entity.key.split(' '));
      if (confidence >= this.minFuzzy) found.push({ entity, confidence });
    }
    return found;
  }

  /** Picks one candidate: context first (KG neighbours among the text's entities), then confidence, then degree. */
  private choose(candidates: readonly Candidate[], context: ReadonlySet<string>): Candidate {
    let best = candidates[0]!;
    let bestScore = -Infinity;
    for (const candidate of candidates) {
      const around = this.neighbours.get(candidate.entity.key);
      let shared = 0;
      if (around) for (const key of context) if (key !== candidate.entity.key && around.has(key)) shared += 1;
      const degree = around?.size ?? 0;
      const score = candidate.confidence + CONTEXT_WEIGHT * Math.min(shared, 3) + 1e-6 * Math.min(degree, 1000);
      if (score > bestScore) {
        best = candidate;
        bestScore = score;
      }
    }
    return best;
  }

  /** KG names and aliases found in the text by themselves: longest matches, one-word ones only capitalised. */
  private scan(text: string): Array<{ start: number; end: number; candidates: Candidate[] }> {
    const original = foldedTokens(text);
    const tokens = original.map((t) => t.toLowerCase());
    const found: Array<{ start: number; end: number; candidates: Candidate[] }> = [];
    let i = 0;
    while (i < tokens.length) {
      let node: TrieNode | undefined = this.root;
      let match: { end: number; candidates: Candidate[] } | undefined;
      for (let j = i; j < tokens.length && node; j += 1) {
        node = node.children.get(tokens[j]!);
        if (node?.candidates && (j > i || /^\p{Lu}/u.test(original[i]!))) match = { end: j + 1, candidates: node.candidates };
      }
      if (!match) {
        i += 1;
        continue;
      }
      found.push({ start: i, end: match.end, candidates: match.candidates });
      i = match.end;
    }
    return found;
  }

  /**
   * Links a text's name spans (and the KG names found in the text) to KG entities. Returns one entry per
   * mention: linked ones under the KG entity's key and name, NIL ones under their own canonical key.
   */
  link(text: string, spans: readonly NameSpan[]): LinkedSpan[] {
    const scanned = this.scan(text);
    const textTokens = tokensOf(text);
    // Context: the entities the text names unambiguously.
    const context = new Set<string>();
    for (const { candidates } of scanned) if (candidates.length === 1 && candidates[0]!.confidence === 1) context.add(candidates[0]!.entity.key);
    const out: LinkedSpan[] = [];
    const covered: string[] = [];
    const coveredKey = new Map<string, string>();
    for (const match of scanned) {
      const chosen = this.choose(match.candidates, context);
      context.add(chosen.entity.key);
      out.push({ key: chosen.entity.key, name: chosen.entity.name, type: 'kg', confidence: chosen.confidence });
      const tokens = ` ${textTokens.slice(match.start, match.end).join(' ')} `;
      covered.push(tokens);
      coveredKey.set(tokens, chosen.entity.key);
    }
    const textLine = ` ${textTokens.join(' ')} `;
    // The span rules' type for KG names found by the scan ("Seattle" is a place).
    const spanType = new Map<string, EntityType>();
    for (const span of spans) {
      const spanTokens = ` ${tokensOf(span.name).join(' ')} `;
      if (spanTokens.trim() === '') continue;
      const same = coveredKey.get(spanTokens);
      if (same !== undefined && !spanType.has(same)) spanType.set(same, span.type);
      // A span inside (or around, or equal to) KG names already found there is those names, not another
      // entity: unless the text also names it elsewhere ("Abilene, Texas ... in Texas").
      const coveredCount = covered.filter((c) => c.includes(spanTokens) || spanTokens.includes(c)).length;
      if (coveredCount > 0 && occurrences(textLine, spanTokens) <= coveredCount) continue;
      const candidates = this.candidates(span.name);
      if (candidates.length > 0) {
        const chosen = this.choose(candidates, context);
        context.add(chosen.entity.key);
        out.push({ key: chosen.entity.key, name: chosen.entity.name, type: span.type, confidence: chosen.confidence });
        continue;
      }
      if (span.weak || !this.keepNil) continue;
      out.push({ key: canonicalKey(span.name, this.options), name: span.name, type: span.type });
    }
    return out.map((m) => (m.type === 'kg' && spanType.has(m.key) ? { ...m, type: spanType.get(m.key)! } : m));
  }
}
