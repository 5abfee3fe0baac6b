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
 * - "City, State" is one place, as gazetteers write it ("Abilene, Texas"); the state only qualifies it. A
 *   place said to lie in a state ("Austin is part of Travis County, in Texas") is named with it too; a city
 *   with its country ("Aarhus, Denmark") is the city and the country;
 * - spans-v4 (from an error analysis of the WebNLG train slice, scripts/extraction-errors.ts): names
 *   continue over initials ("Abraham A. Ribicoff"), a final letter or roman numeral ("Serie A", "Juan
 *   Carlos I"), two connectors ("John van den Brom"), a suffix after a comma ("Barkov, Jr."), "of the", "for"/"and"/"at" inside names that have a connector ("School of Business and
 *   Social Sciences at the Aarhus University"), lower-case class nouns a few words on ("Soviet Union
 *   national football team"), ordinals and catalogue numbers ("11th Mississippi Infantry Monument"), the
 *   "A" of titles; a sentence's first word before a name is part of it ("Buzz Aldrin"), a capitalised
 *   noun starting a sentence takes the lower-case nouns after it ("Bandeja paisa"); acronyms labelling a
 *   code ("ISSN number") and bracketed short forms are not names; a lone language adjective where the
 *   sentence speaks of language is the language ("English language"); a nationality before a person and a
 *   title before anything but "of" are not part of the name.
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
  'airport airbase river region county province state city town township village district people language music cuisine sauce university college school war award prize station park lake mountain island bridge church cathedral museum stadium dynasty empire kingdom republic league architecture monument engine'.split(' '),
);
/** At most this many lower-case words between a name and its class noun ("Netherlands national football team"). */
const MAX_CLASS_MODIFIERS = 2;
/** Class nouns that complete a name only after a modifier: "Soviet Union national football team" (not "French team"). */
const MODIFIED_CLASS_NOUNS = new Set(['team']);
/** Words after an acronym that make it the label of a code, not a name: "ISSN number", "ICAO location identifier". */
const IDENTIFIER_WORDS = new Set(['number', 'code', 'identifier', 'id', 'i.d', 'location', 'designation', 'prefix']);
/** Languages named by their adjective: "English is spoken", "known as Indonesian" is the English / Indonesian language. */
const LANGUAGES = new Set(
  'english spanish french german italian portuguese dutch arabic chinese mandarin cantonese japanese korean russian indonesian malay hindi tamil telugu bengali urdu punjabi greek turkish polish swedish danish norwegian finnish hungarian czech slovak romanian bulgarian serbian croatian ukrainian vietnamese thai persian hebrew latin catalan basque welsh irish swahili filipino tagalog javanese'.split(' '),
);
/** Words in a sentence that say a language word is the language ("the language is English", "English-speaking"). */
const LANGUAGE_CUE = /^(languages?|speak\w*|spoken|dialects?|tongue|written)$/;
/** Only joins inside an already started name and before a capitalised word ("Bank of the West"). */
const CONNECTOR_ARTICLE = 'the';
/** Capitalised prepositions inside titles, before "the": "Alcatraz Versus the Evil Librarians". */
const VERSUS = new Set(['versus', 'against', 'beyond', 'beneath', 'under', 'over', 'into', 'across', 'through', 'after', 'before', 'from', 'with', 'without']);
/** Joins inside a name after a connector such as "of" ("All India Council for Technical Education"). */
const LATE_CONNECTORS = new Set(['for', 'and', '&']);
/** Bodies named for their purpose: "All India Council for Technical Education", "Society for the Study of Addiction". */
const ORG_NOUNS = new Set(['council', 'society', 'association', 'committee', 'commission', 'foundation', 'institute', 'centre', 'center', 'fund', 'ministry', 'department', 'office', 'agency', 'league', 'federation', 'union', 'organisation', 'organization', 'school', 'college', 'academy', 'museum']);
/** "University of Texas at Austin": "at" joins a campus to the institution before it. */
const CAMPUS_NOUNS = new Set(['university', 'college', 'school', 'institute', 'academy']);
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
/** An ordinal or a catalogue number written into a name: "11th Mississippi Infantry Monument", "11264 Claudiomaccone". */
const LEADING_COUNT = /^(\d+(st|nd|rd|th)|\d{5,})$/;
const NUMBER_WORDS = new Set(
  'one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred thousand million billion first second third fourth fifth sixth seventh eighth ninth tenth'.split(' '),
);
const LETTER_CODE = /^\p{Lu}{3,}$/u;
/** A single capital, an initial inside a name: "Abraham A. Ribicoff", "Robert A M Stern". */
const INITIAL = /^\p{Lu}\.?$/u;
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

/**
 * A capital at the start of a sentence right before another name word is part of that name, whatever
 * compromise made of it: "Buzz Aldrin", "Atlantic City", "Alfons Gorbach" (not a demonym: "American
 * William Anders"; not a function word: "Its ISSN").
 */
function startsName(term: TaggedTerm, next: TaggedTerm | undefined, titleCase: boolean): boolean {
  if (titleCase || !next || breaksAfter(term) || breaksBefore(next) || term.tags.has('Demonym')) return false;
  if (isNumber(term) || FUNCTION_WORDS.has(bare(term)) || hasAny(term, NOT_NAME_TAGS) || !UPPER_START.test(term.text) || term.text.length < 2) return false;
  if (TITLES.has(bare(term)) || ALL_CAPS.test(term.text)) return false;
  return nameLike(next, false, titleCase) && !ALL_CAPS.test(next.text);
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

/**
 * A state or province: "Abilene, Texas" is how gazetteers name that city, but "Aarhus, Denmark" is Aarhus
 * in Denmark (a city is named with its country only where its name alone is ambiguous, which text cannot tell).
 */
function isLowerWord(term: TaggedTerm): boolean {
  return /^\p{Ll}[\p{Ll}-]*$/u.test(term.text) && !FUNCTION_WORDS.has(term.text) && !CONNECTORS.has(term.text) && !term.tags.has('Verb') && !isNumber(term);
}

/**
 * Whether the lower-case words from `i` on end in a class noun within a few words, completing the name
 * before them: "Netherlands national football team", "Qatar Stars league", "Abilene regional airport".
 */
function classNounAhead(terms: readonly TaggedTerm[], i: number): boolean {
  for (let j = i; j < terms.length && j <= i + MAX_CLASS_MODIFIERS; j += 1) {
    const term = terms[j]!;
    if (!isLowerWord(term) || (j > i && breaksBefore(term))) return false;
    if (CLASS_NOUNS.has(bare(term)) || MODIFIED_CLASS_NOUNS.has(bare(term))) return j > i;
    if (breaksAfter(term)) return false;
  }
  return false;
}

/** An acronym that labels a code ("ISSN number", "ICAO Location Identifier", "CODEN code"): not a name. */
function isIdentifierLabel(run: readonly TaggedTerm[], after: TaggedTerm | undefined): boolean {
  if (!LETTER_CODE.test(run[0]!.text.replace(/\./g, ''))) return false;
  const rest = run.slice(1).map(bare);
  if (rest.length > 0) return rest.every((w) => IDENTIFIER_WORDS.has(w));
  return after !== undefined && IDENTIFIER_WORDS.has(bare(after));
}

/** A lone language adjective where the sentence speaks of language: the language ("English" -> "English language"). */
function languageName(run: readonly TaggedTerm[], after: TaggedTerm | undefined, sentence: readonly TaggedTerm[]): string | undefined {
  if (run.length !== 1 || !LANGUAGES.has(bare(run[0]!))) return undefined;
  // "English footballer", "Spanish cuisine": an adjective of the noun after it.
  if (after && /^\p{Ll}/u.test(after.text) && after.tags.has('Noun') && !breaksAfter(run[0]!)) return undefined;
  if (!sentence.some((t) => LANGUAGE_CUE.test(bare(t)))) return undefined;
  return `${clean(run[0]!.text)} language`;
}

/**
 * Whether "A" before the capitalised word at `i` starts a title. Inside a sentence a capital "A" is a
 * title's; at the start of one it is only when two or more capitalised words of no known kind follow
 * ("A Severed Wasp was written", but "A French team", "A Texas man", "A Boeing crashed").
 */
function aTitle(terms: readonly TaggedTerm[], i: number, sentenceStart: boolean): boolean {
  if (!sentenceStart) return true;
  let words = 0;
  for (let j = i; j < terms.length; j += 1) {
    const term = terms[j]!;
    // "A Fortress of Grey Ice": connectors between capitalised words are part of the title.
    if (!UPPER_START.test(term.text)) {
      if (!(CONNECTORS.has(term.text) && UPPER_START.test(terms[j + 1]?.text ?? ''))) break;
      continue;
    }
    if (hasAny(term, [...KNOWN_NAME_TAGS, 'Demonym'])) return false;
    words += 1;
    if (breaksAfter(term)) break;
  }
  return words >= 2;
}

/**
 * A state or province: "Abilene, Texas" is how gazetteers name that city, but "Aarhus, Denmark" is Aarhus
 * in Denmark (a city is named with its country only where its name alone is ambiguous, which text cannot tell).
 */
function isRegion(terms: readonly TaggedTerm[]): boolean {
  return terms.every((t) => (t.tags.has('Region') && !t.tags.has('Country')) || CONNECTORS.has(t.text.toLowerCase()));
}

/** Words that may stand between a place and the state it is said to be in: "Austin is part of Travis County, in Texas". */
const LOCATIVE = new Set('is are was lies lie located situated found in part of the a an city town village county seat state which area greater'.split(' '));
/** Divisions of a state named with it: "Travis County, Texas", "Adams Township, Indiana". */
const STATE_DIVISIONS = new Set(['county', 'township', 'parish', 'borough']);
/** "Atlantic City", "Jersey City": two-word settlements qualified like one-word ones. */
const SETTLEMENTS = new Set(['city', 'town', 'village']);

/**
 * The state a place is said to lie in, where the sentence names exactly one state after it with only
 * locative words (and other such places) between: "Austin is part of Travis County, in Texas" gives
 * "Austin, Texas" and "Travis County, Texas", as gazetteers name US places. Only a one-word place of no
 * other kind or a county-like division qualifies (not "Andrews County Airport", not "Alan Bean").
 */
function stateOf(terms: readonly TaggedTerm[], runs: ReadonlyArray<{ start: number; end: number }>, r: number, type: SpanType): string | undefined {
  const run = runs[r]!;
  const runTerms = terms.slice(run.start, run.end);
  const last = bare(runTerms[runTerms.length - 1]!);
  const division = runTerms.length > 1 && runTerms.length <= 3 && STATE_DIVISIONS.has(last);
  const settlement = runTerms.length === 2 && SETTLEMENTS.has(last);
  const lonePlace = (runTerms.length === 1 || settlement) && !runTerms.some((t) => hasAny(t, ['Region', 'Country', 'Organization', 'Demonym', 'Acronym'])) && type !== 'organization' && type !== 'work';
  if (!division && !lonePlace) return undefined;
  let i = run.end;
  for (let k = r + 1; k < runs.length; k += 1) {
    const between = terms.slice(i, runs[k]!.start);
    if (!between.every((t) => LOCATIVE.has(bare(t)) && !/[.;:!?]/.test(t.post))) return undefined;
    if (breaksAfter(terms[i - 1]!) && !/^,\s*$/.test(terms[i - 1]!.post)) return undefined;
    const next = terms.slice(runs[k]!.start, runs[k]!.end);
    if (isRegion(next)) return clean(next.map((t) => t.text).join(' '));
    if (!STATE_DIVISIONS.has(bare(next[next.length - 1]!)) && !(next.some((t) => hasAny(t, ['Place', 'City'])) && !next.some((t) => t.tags.has('Country')))) return undefined;
    i = runs[k]!.end;
  }
  return undefined;
}

/** Whether the name word `word` is followed by a (capitalised) name, directly or after "the". */
function nameFollows(terms: readonly TaggedTerm[], k: number, titleCase: boolean): boolean {
  const next = terms[k];
  if (next === undefined) return false;
  if (nameLike(next, false, titleCase)) return true;
  // Two connectors in a row: "John van den Brom", "Maria de la Cruz".
  if (CONNECTORS.has(next.text) && !breaksAfter(next) && terms[k + 1] !== undefined && nameLike(terms[k + 1]!, false, titleCase)) return true;
  const after = terms[k + 1];
  return bare(next) === CONNECTOR_ARTICLE && after !== undefined && !breaksAfter(next) && nameLike(after, false, titleCase);
}

/**
 * Whether the term at `i` continues the name started at `start` (terms start..i-1): a name word, or a
 * word that belongs inside names (connectors, initials, suffixes, class nouns, numbers), unless
 * punctuation, a dateline or a code label separates it.
 */
function continuesName(terms: readonly TaggedTerm[], start: number, i: number, name: boolean, titleCase: boolean): boolean {
  const term = terms[i]!;
  const previous = terms[i - 1]!;
  const next = terms[i + 1];
  const word = term.text.toLowerCase();
  // "Aleksander Barkov, Jr.": a name suffix after a comma still belongs to the name.
  if (NAME_SUFFIXES.has(bare(term)) && /^,\s*$/.test(previous.post) && !breaksBefore(term)) return true;
  if (breaksAfter(previous) || breaksBefore(term)) return false;
  // A dateline in capitals next to ordinary words: "BAGHDAD Iraq promised", "Olympic Games ATHENS".
  const capsWord = (t: TaggedTerm): boolean => ALL_CAPS.test(t.text) && t.text.length > 3 && !t.tags.has('Acronym');
  if (capsWord(previous) !== capsWord(term) && ALL_CAPS.test(previous.text) !== ALL_CAPS.test(term.text)) return false;
  // The label of a code after a name is not part of it: "Abilene Regional Airport ICAO Location Identifier"
  // (but "Acura TLX", "Aston Martin DBS", "BBC Radio", "Airbus A380").
  if (LETTER_CODE.test(term.text) && !ALL_CAPS.test(previous.text) && next !== undefined && IDENTIFIER_WORDS.has(bare(next))) return false;
  if (name || NAME_SUFFIXES.has(bare(term))) return true;
  // A lower-case class noun, or one a few lower-case words on: "Agra airport", "Netherlands national football team".
  if ((CLASS_NOUNS.has(bare(term)) && !UPPER_START.test(term.text)) || classNounAhead(terms, i)) return true;
  if (MODIFIED_CLASS_NOUNS.has(term.text) && isLowerWord(previous)) return true;
  // An initial inside a name ("Abraham A. Ribicoff") or a letter ending one ("Serie A", "Juan Carlos I of Spain").
  if (INITIAL.test(term.text) && !breaksAfter(term) && next !== undefined && nameLike(next, false, titleCase)) return true;
  if (/^\p{Lu}$/u.test(term.text) && UPPER_START.test(previous.text) && !INITIAL.test(previous.text) && (!next || !UPPER_START.test(next.text) || next.text === 'of')) return true;
  // A number inside a name ("Apollo 12"), but not one before the next name ("Apollo 12 Neil Armstrong").
  if (NUMBER.test(term.text) && !term.tags.has('Date') && (!next || !nameLike(next, false, titleCase))) return true;
  if (breaksAfter(term)) return false;
  // Connectors: "University of Texas", "Bank of the West", "Ludwig van Beethoven".
  if (CONNECTORS.has(word)) return nameFollows(terms, i + 1, titleCase);
  // "the" after a connector or a capitalised preposition of a title: "Society for the Study of Addiction",
  // "Alcatraz Versus the Evil Librarians".
  if (word === CONNECTOR_ARTICLE) {
    const joined = previous.text.toLowerCase() === 'of' || ((LATE_CONNECTORS.has(previous.text.toLowerCase()) || previous.text === 'at') && i - start > 1) || (previous.tags.has('ProperNoun') && VERSUS.has(bare(previous)));
    return joined && next !== undefined && nameLike(next, false, titleCase);
  }
  // "for" after a body named for its purpose: "All India Council for Technical Education".
  if (word === 'for' && ORG_NOUNS.has(bare(previous))) return nameFollows(terms, i + 1, titleCase);
  // "for", "and" inside a name that already has a connector: "School of Business and Social Sciences",
  // "Port Authority of New York and New Jersey" (elsewhere "and" separates names: "Billy Iuso and Tab Benoit").
  if (LATE_CONNECTORS.has(word) && terms.slice(start, i).some((t) => t.text === 'of' || t.text === 'for')) return nameFollows(terms, i + 1, titleCase);
  // "at" after an institution: "University of Texas at Austin".
  if (word === 'at' && CAMPUS_NOUNS.has(bare(terms[start]!))) return nameFollows(terms, i + 1, titleCase);
  return false;
}

/**
 * How many words before the name word at `i` belong to its name: a house number or a leading count
 * ("11 Diagonal Street", "11th Mississippi Infantry Monument", "66391 1999 KW4"; a year never does: "in
 * 1995 Apple"), or the "A" of a title ("A Severed Wasp", "the author of A Long Long Way").
 */
function leadingWords(terms: readonly TaggedTerm[], i: number, clauseStart: boolean): number {
  const term = terms[i]!;
  const before = terms[i - 1];
  if (!before || breaksAfter(before) || breaksBefore(term) || before.tags.has('Date')) return 0;
  if (HOUSE_NUMBER.test(before.text) || LEADING_COUNT.test(before.text)) {
    // A minor planet's number before its designation: "66391 1999 KW4".
    const first = terms[i - 2];
    return /^\d+$/.test(before.text) && first && /^\d{5,}$/.test(first.text) && !breaksAfter(first) ? 2 : 1;
  }
  const sentenceStart = clauseStart || i === 1 || CLAUSE_BREAK.test(terms[i - 2]?.post ?? '');
  return before.text === 'A' && aTitle(terms, i, sentenceStart) ? 1 : 0;
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
    const name = nameLike(term, clauseStart, titleCase) || (clauseStart && startsName(term, terms[i + 1], titleCase));
    // At the start of a sentence a capitalised noun of no known kind followed by lower-case nouns is one
    // phrase: "Death metal is …", "Bandeja paisa is …", "Solo singer Aleksandra Kovac" (not "Death" alone).
    if (start < 0 && clauseStart && name && !titleCase && !hasAny(term, [...KNOWN_NAME_TAGS, 'Demonym']) && !breaksAfter(term)) {
      let end = i + 1;
      while (end < terms.length && end - i <= MAX_CLASS_MODIFIERS && isLowerWord(terms[end]!) && hasAny(terms[end]!, ['Noun', 'Adjective']) && !breaksBefore(terms[end]!)) {
        end += 1;
        if (breaksAfter(terms[end - 1]!)) break;
      }
      if (end > i + 1) {
        runs.push({ start: i, end });
        i = end - 1;
        continue;
      }
    }
    if (start >= 0) {
      if (continuesName(terms, start, i, name, titleCase)) continue;
      close(i);
    }
    if (name) start = i - leadingWords(terms, i, clauseStart);
  }
  if (start >= 0) close(terms.length);

  const spans: NameSpan[] = [];
  const qualifiers = new Set<string>();
  for (let r = 0; r < runs.length; r += 1) {
    const run = runs[r]!;
    // Titles are not part of the name; a run of titles only is no name. Titles of a place are an office or
    // a name themselves: "President of the United States", "King of Prussia".
    let first = run.start;
    while (first < run.end && TITLES.has(bare(terms[first]!))) first += 1;
    if (terms[first]?.text !== 'of') run.start = first;
    // A nationality before a person is not part of the name: "American William Anders".
    if (run.end - run.start > 2 && terms[run.start]!.tags.has('Demonym') && terms[run.start + 1]!.tags.has('FirstName')) run.start += 1;
    if (run.start === run.end) continue;
    const runTerms = terms.slice(run.start, run.end);
    // Shouting, not a name: "SOMETHING INTERESTING HAPPENED in the filesharing world".
    if (runTerms.length > 1 && runTerms.every((t) => ALL_CAPS.test(t.text) && t.text.length > 3) && !runTerms.some((t) => hasAny(t, ['Person', 'Place', 'Organization', 'Acronym']))) continue;
    if (isIdentifierLabel(runTerms, terms[run.end])) continue;
    // A name in brackets right after another is that one's qualifier or short form: "Atatürk Monument
    // (İzmir)", "European Space Agency (ESA)".
    const previousRun = runs[r - 1];
    if (previousRun && previousRun.end === run.start && /\(\s*$/.test(terms[run.start - 1]!.post + runTerms[0]!.pre) && /^\s*\)/.test(runTerms[runTerms.length - 1]!.post)) continue;
    const language = languageName(runTerms, terms[run.end], terms);
    if (language) {
      spans.push({ name: language, type: 'topic' });
      continue;
    }
    // A lone demonym is an adjective here ("American officials"), not the country: weak.
    const weak = runTerms.length === 1 && runTerms[0]!.tags.has('Demonym');
    const name = clean(runTerms.map((t, k) => (k === 0 ? t.text : `${t.pre}${t.text}`)).join(' ').replace(/\s+/g, ' '));
    if (name === '') continue;
    const type = spanType(withLexiconTags(runTerms, options.lexicon), terms.slice(Math.max(0, run.start - 2), run.start));
    // "Abilene, Texas": one place as gazetteers name it (instead of "Abilene"); the state only qualifies it
    // (its run, next, is no mention of its own).
    const nextRun = runs[r + 1];
    if (nextRun && nextRun.start === run.end && /^,\s*$/.test(terms[run.end - 1]!.post) && isRegion(terms.slice(nextRun.start, nextRun.end)) && (type !== 'person' || runTerms.length === 1)) {
      const region = clean(terms.slice(nextRun.start, nextRun.end).map((t) => t.text).join(' '));
      spans.push({ name: `${name}, ${region}`, type: 'place' });
      qualifiers.add(region.toLowerCase());
      continue;
    }
    const state = stateOf(terms, runs, r, type);
    if (state !== undefined) {
      spans.push({ name: `${name}, ${state}`, type: 'place' });
      continue;
    }
    if (qualifiers.has(name.toLowerCase())) continue;
    spans.push(weak ? { name, type, weak } : { name, type });
  }
  return spans;
}

/**
 * A text's short mentions of a person it names in full: "Adonis Georgiadis … Georgiadis was in office".
 * A one-word span that is the last word of a longer person name is that person again, not a second
 * entity. (Other words of longer names are not: "Agra airport … Agra", "University of Texas … Texas".)
 */
export function withoutShortMentions(spans: readonly NameSpan[]): NameSpan[] {
  const surnames = new Set<string>();
  for (const span of spans) {
    const words = span.name.toLowerCase().split(/[\s,]+/).filter(Boolean);
    if (words.length > 1 && span.type === 'person') surnames.add(words[words.length - 1]!);
  }
  return spans.filter((span) => span.name.includes(' ') || !surnames.has(span.name.toLowerCase()));
}
