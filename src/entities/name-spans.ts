/**
 * Name spans from compromise's tagged terms: where a name starts and ends, and what kind of name it is.
 * One pass over the terms of one parse (compromise's `doc.docs`), so extraction costs about one tagging.
 *
 * The rules, each for a kind of noise seen in real text (docs/extraction.md has examples):
 * - a span ends at punctuation between words (commas, dashes, colons, brackets, quotes), so news bylines
 *   "(Reuters) - Randy Johnson" and datelines "ATHENS -- Vanes Martirosyan" split;
 * - a possessive ends its span and loses its 's: "Brazil's president Lula" gives "Brazil" (and "Lula");
 * - titles (honorifics: President, Mr., Dr.) are not part of a name;
 * - an all-capitals dateline word before a capitalised word is its own span ("BAGHDAD Iraq");
 * - in title-case text (headlines) capitals say nothing, so only words compromise knows as people, places,
 *   organisations or acronyms start a span there;
 * - numbers and dates are literals, not names; a number right after a name is part of it ("Apollo 12");
 * - a lone demonym ("American officials") is not a name; followed by one it is ("American Airlines");
 * - "City, Region" where the region is a state or country is one place, as gazetteers write it
 *   ("Abilene, Texas"); the region is kept as a place of its own too.
 */

export type SpanType = 'person' | 'place' | 'organization' | 'work' | 'topic';

/** A term as compromise gives it in `doc.docs` (the fields read here). */
export interface TaggedTerm {
  text: string;
  pre: string;
  post: string;
  tags: Set<string>;
}

export interface NameSpan {
  name: string;
  type: SpanType;
  /** Only a name if a knowledge graph knows it (a lone demonym: "American" may mean "Americans"). */
  weak?: boolean;
}

/** Lower-case words that may join two parts of one name ("University of Texas", "Ludwig van Beethoven"). */
const CONNECTORS = new Set(['of', 'de', 'del', 'della', 'da', 'do', 'dos', 'das', 'di', 'du', 'des', 'van', 'von', 'der', 'den', 'la', 'le', 'y', 'al', 'bin', '&']);
/**
 * Capitalised function words: at the start of a sentence or in a headline they are grammar, and
 * compromise does not always tag them so ("Its ISSN", "U.S. The").
 */
const FUNCTION_WORDS = new Set(
  'a an the its it this that these those he she they we you his her their our my your in on at for with by from as after before during however although though while when where which who whom whose what there here both also other such many some each all any one no not yet so but or nor if then than to into onto upon about over under'.split(' '),
);
const ARTICLES = new Set(['the', 'a', 'an']);
/** Titles before a name are not part of it ("President Laurent Gbagbo", "Chancellor Johann Schneider"). */
const TITLES = new Set(
  'president vice prime minister chancellor attorney senator governor mayor king queen prince princess general colonel captain lieutenant sergeant mr mrs ms miss dr sir dame lord lady pope bishop archbishop cardinal judge justice chief coach ceo chairman chairwoman professor prof secretary ambassador commander admiral emperor empress sheikh'.split(' '),
);
/** Name suffixes that belong to the name before them. */
const NAME_SUFFIXES = new Set(['jr', 'sr', 'ii', 'iii', 'iv']);
/**
 * Lower-case class nouns that complete the capitalised name before them, as writers often leave them in
 * lower case: "Agra airport", "Hip Hop music", "Central Denmark region", "Banyumasan people".
 */
const CLASS_NOUNS = new Set(
  'airport river region county province state city town village district people language music cuisine sauce university college school party war award prize station park lake mountain island bridge church cathedral museum stadium dynasty empire kingdom republic'.split(' '),
);
/** Only joins inside an already started name and before a capitalised word ("Bank of the West"). */
const CONNECTOR_ARTICLE = 'the';
const NOT_NAME_TAGS = ['Date', 'Month', 'WeekDay', 'Holiday', 'Pronoun', 'Determiner', 'Preposition', 'Conjunction', 'Copula', 'Modal', 'QuestionWord'];
const KNOWN_NAME_TAGS = ['Person', 'FirstName', 'LastName', 'Place', 'Country', 'City', 'Region', 'Organization', 'Acronym', 'SportsTeam'];
const WORK_CUES = new Set(['book', 'novel', 'film', 'movie', 'album', 'song', 'single', 'magazine', 'newspaper', 'journal', 'series', 'play', 'poem', 'opera', 'comic', 'sitcom', 'show', 'game']);
/** Punctuation that ends a name when it stands between two words. */
const BREAKING = /[,;:!?()[\]{}"“”‘’«»]|\s[-—–]+|[-—–]+\s|--/;
/** Breaks after which the next word starts a new clause, like a sentence (datelines, bylines, colons). */
const CLAUSE_BREAK = /[:;()]|\s[-—–]+|[-—–]+\s|--/;
const QUOTE = /['"“”‘’«»]/;
const POSSESSIVE = /['’]s$|s['’]$/;
const UPPER_START = /^\p{Lu}/u;
const ALL_CAPS = /^\p{Lu}[\p{Lu}\d.&-]+$/u;
const NUMBER = /^\d[\d.,:/-]*$/;
const HOUSE_NUMBER = /^\d{1,4}$/;
const NUMBER_WORDS = new Set(
  'one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred thousand million billion first second third fourth fifth sixth seventh eighth ninth tenth'.split(' '),
);
const LETTER_CODE = /^\p{Lu}{3,}$/u;
const ORG_SUFFIX = /^(inc|corp|co|ltd|llc|plc|ag|sa|gmbh|group|company|corporation|university|college|institute|school|club|party|association|council|agency|bank|fc|f\.c|airlines?|press|records|team)\.?$/i;
const TITLE_CASE_MIN_WORDS = 3;
const MAX_QUOTED_WORDS = 10;
/** Most lower-case longer words a title-case sentence may have, as a share of its longer words. */
const TITLE_CASE_MAX_LOWER = 0.1;

function hasAny(term: TaggedTerm, tags: readonly string[]): boolean {
  return tags.some((tag) => term.tags.has(tag));
}

function bare(term: TaggedTerm): string {
  return term.text.replace(POSSESSIVE, '').toLowerCase().replace(/[.]$/, '');
}

function isNumber(term: TaggedTerm): boolean {
  // Number words count even capitalised ("France Two years after", "Second Private Team").
  if ((NUMBER_WORDS.has(bare(term)) || hasAny(term, ['TextValue', 'Ordinal', 'Cardinal'])) && !hasAny(term, KNOWN_NAME_TAGS)) return true;
  return NUMBER.test(term.text.replace(POSSESSIVE, '')) || (term.tags.has('Value') && !UPPER_START.test(term.text));
}

/**
 * Title-case text (a headline such as "Second Private Team Sets Launch Date for Human Spaceflight"): its
 * longer words are (nearly) all capitalised. A sentence full of names still has lower-case verbs and nouns
 * ("Abilene, Texas is served by Abilene Regional Airport"). The first word and words of three letters or
 * fewer (mostly function words) are not counted.
 */
export function isTitleCase(terms: readonly TaggedTerm[]): boolean {
  // Headlines carry no full stop; a sentence that ends like one is prose, however many names it has.
  if (/[.!?]/.test(terms[terms.length - 1]?.post ?? '')) return false;
  const words = terms.slice(1).filter((t) => t.text.length > 3 && /\p{L}/u.test(t.text));
  if (words.length < TITLE_CASE_MIN_WORDS) return false;
  return words.filter((t) => !UPPER_START.test(t.text)).length / words.length <= TITLE_CASE_MAX_LOWER;
}

/** Whether a term can be (part of) a name, given where it stands. */
function nameLike(term: TaggedTerm, sentenceStart: boolean, titleCase: boolean): boolean {
  if (isNumber(term) || hasAny(term, NOT_NAME_TAGS) || FUNCTION_WORDS.has(bare(term))) return false;
  if (!UPPER_START.test(term.text)) return false;
  if (titleCase) return hasAny(term, KNOWN_NAME_TAGS);
  // A capital at the start of a sentence is grammar, not a name, unless compromise knows better.
  if (sentenceStart) {
    // A plural at the start is a common noun ("Shares of ...", "Unions representing ..."), unless a people.
    if (term.tags.has('Plural') && !hasAny(term, ['Demonym', 'Place', 'Organization', 'Person'])) return false;
    return term.tags.has('ProperNoun') || (term.tags.has('Noun') && !term.tags.has('Adjective'));
  }
  return true;
}

function breaksAfter(term: TaggedTerm): boolean {
  return BREAKING.test(term.post) || POSSESSIVE.test(term.text);
}

function breaksBefore(term: TaggedTerm): boolean {
  return BREAKING.test(term.pre) || QUOTE.test(term.pre);
}

function clean(text: string): string {
  return text.replace(POSSESSIVE, '').replace(/^[\p{P}\s]+|[\p{P}\s]+$/gu, '');
}

/** What a word is in a lexicon (compromise's: "brazil" -> "Country"), for words tagged without context. */
export type LexiconLookup = (word: string) => string | readonly string[] | undefined;

/** Terms with the tags their bare word has in the lexicon added (a possessive "Brazil's" is not tagged a place). */
function withLexiconTags(terms: readonly TaggedTerm[], lookup: LexiconLookup | undefined): TaggedTerm[] {
  if (!lookup) return [...terms];
  return terms.map((t) => {
    const found = lookup(bare(t));
    if (found === undefined) return t;
    return { ...t, tags: new Set([...t.tags, ...(typeof found === 'string' ? [found] : found)]) };
  });
}

function spanType(terms: readonly TaggedTerm[], before: readonly TaggedTerm[]): SpanType {
  const last = terms[terms.length - 1]!;
  const quoted = QUOTE.test(terms[0]!.pre) && QUOTE.test(last.post);
  // "the book X", "novel X": the cue right before the name (an article between is fine).
  const cue = before.filter((t) => !ARTICLES.has(bare(t))).slice(-1)[0];
  const cued = cue !== undefined && before[before.length - 1] !== undefined && (cue === before[before.length - 1] || ARTICLES.has(bare(before[before.length - 1]!))) && cue.tags.has('Noun') && !cue.tags.has('Verb') && WORK_CUES.has(bare(cue));
  if (quoted || cued) return 'work';
  if (ORG_SUFFIX.test(last.text) || terms.some((t) => t.tags.has('Organization') && !t.tags.has('Place') && !t.tags.has('Acronym'))) return 'organization';
  if (terms.some((t) => hasAny(t, ['Place', 'Country', 'City', 'Region']))) return 'place';
  if (terms.some((t) => hasAny(t, ['Person', 'FirstName', 'LastName']))) return 'person';
  if (terms.some((t) => t.tags.has('Organization'))) return 'organization';
  return 'topic';
}

function isRegion(terms: readonly TaggedTerm[]): boolean {
  return terms.every((t) => hasAny(t, ['Region', 'Country']) || CONNECTORS.has(t.text.toLowerCase()));
}

/** The name spans of one sentence (compromise's terms of one sentence, in order). */
export function sentenceNameSpans(terms: readonly TaggedTerm[], options: { titleCase?: boolean; lexicon?: LexiconLookup } = {}): NameSpan[] {
  const titleCase = options.titleCase ?? isTitleCase(terms);
  const runs: Array<{ start: number; end: number }> = [];
  let start = -1;
  const close = (end: number): void => {
    // Trailing connectors never end a name ("Bank of").
    while (end > start && CONNECTORS.has(terms[end - 1]!.text.toLowerCase())) end -= 1;
    if (start >= 0 && end > start) runs.push({ start, end });
    start = -1;
  };
  for (let i = 0; i < terms.length; i += 1) {
    const term = terms[i]!;
    // A quoted title is one name whatever its words: 'Above the Veil', "A Long Long Way".
    if (start < 0 && QUOTE.test(term.pre) && UPPER_START.test(term.text)) {
      let end = i;
      while (end < terms.length && end - i < MAX_QUOTED_WORDS && !QUOTE.test(terms[end]!.post)) end += 1;
      if (end < terms.length && end - i < MAX_QUOTED_WORDS) {
        runs.push({ start: i, end: end + 1 });
        i = end;
        continue;
      }
    }
    const clauseStart = i === 0 || CLAUSE_BREAK.test(terms[i - 1]!.post) || CLAUSE_BREAK.test(term.pre);
    const name = nameLike(term, clauseStart, titleCase);
    if (start >= 0) {
      const previous = terms[i - 1]!;
      const cut = breaksAfter(previous) || breaksBefore(term);
      // A dateline in capitals next to ordinary words: "BAGHDAD Iraq promised", "Olympic Games ATHENS".
      const capsWord = (t: TaggedTerm): boolean => ALL_CAPS.test(t.text) && t.text.length > 3 && !t.tags.has('Acronym');
      const dateline = capsWord(previous) !== capsWord(term) && (ALL_CAPS.test(previous.text) !== ALL_CAPS.test(term.text));
      // A code after a name is not part of it: "Abilene Regional Airport ICAO ..." (but "BBC Radio", "Airbus A380").
      const code = LETTER_CODE.test(term.text) && !ALL_CAPS.test(previous.text);
      const next = terms[i + 1];
      const joins =
        !cut &&
        !dateline &&
        !code &&
        (name ||
          NAME_SUFFIXES.has(bare(term)) ||
          (CLASS_NOUNS.has(bare(term)) && !UPPER_START.test(term.text)) ||
          (NUMBER.test(term.text) && !term.tags.has('Date') && (!next || !nameLike(next, false, titleCase))) ||
          (CONNECTORS.has(term.text.toLowerCase()) && next !== undefined && nameLike(next, false, titleCase) && !breaksAfter(term)) ||
          (term.text.toLowerCase() === CONNECTOR_ARTICLE && previous.text.toLowerCase() === 'of' && next !== undefined && nameLike(next, false, titleCase)));
      if (joins) continue;
      close(i);
    }
    if (name) {
      start = i;
      // A house number or a leading count belongs to the name it is written into: "11 Diagonal Street",
      // "300 North LaSalle", "1 Decembrie 1918 University" (a year never does: "in 1995 Apple ...").
      const before = terms[i - 1];
      if (before && HOUSE_NUMBER.test(before.text) && !before.tags.has('Date') && !breaksAfter(before) && !breaksBefore(term)) start = i - 1;
    }
  }
  if (start >= 0) close(terms.length);

  const spans: NameSpan[] = [];
  for (let r = 0; r < runs.length; r += 1) {
    const run = runs[r]!;
    // Titles are not part of the name; a run of titles only is no name.
    while (run.start < run.end && TITLES.has(bare(terms[run.start]!))) run.start += 1;
    if (run.start === run.end) continue;
    const runTerms = terms.slice(run.start, run.end);
    // Shouting, not a name: "SOMETHING INTERESTING HAPPENED in the filesharing world".
    if (runTerms.length > 1 && runTerms.every((t) => ALL_CAPS.test(t.text) && t.text.length > 3) && !runTerms.some((t) => hasAny(t, ['Person', 'Place', 'Organization', 'Acronym']))) continue;
    // A lone demonym is an adjective here ("American officials"), not the country: weak.
    const weak = runTerms.length === 1 && runTerms[0]!.tags.has('Demonym');
    const name = clean(runTerms.map((t, k) => (k === 0 ? t.text : `${t.pre}${t.text}`)).join(' ').replace(/\s+/g, ' '));
    if (name === '') continue;
    const type = spanType(withLexiconTags(runTerms, options.lexicon), terms.slice(Math.max(0, run.start - 2), run.start));
    // "Abilene, Texas": one place as gazetteers name it (instead of "Abilene"); the region follows as its own run.
    const nextRun = runs[r + 1];
    if (nextRun && nextRun.start === run.end && /^,\s*$/.test(terms[run.end - 1]!.post) && isRegion(terms.slice(nextRun.start, nextRun.end)) && (type !== 'person' || runTerms.length === 1)) {
      const region = clean(terms.slice(nextRun.start, nextRun.end).map((t) => t.text).join(' '));
      spans.push({ name: `${name}, ${region}`, type: 'place' });
      continue;
    }
    spans.push(weak ? { name, type, weak } : { name, type });
  }
  return spans;
}
