/**
 * Canonical entity keys: the same entity written differently ("Federal-Mogul", "federal mogul",
 * "Federal_Mogul", "Fédéral Mogul's") folds to one key, so mentions from texts and names from an external
 * knowledge graph meet on the same node.
 */
export interface CanonicalKeyOptions {
  /** Maps an alias key to the key it stands for (simple aliasing, e.g. "u s" -> "united states"). */
  aliases?: ReadonlyMap<string, string>;
}

// Only "the": "A" starts real names ("A Coruña", "A.C. Milan") far more often than it is an article there.
const LEADING_ARTICLES = new Set(['the']);
const POSSESSIVE = /['’]s\b/g;
const SEPARATORS = /[_\p{P}\p{S}\s]+/u;
/** Single letters joined by full stops: "U.S.", "D.C.", "A.C." (not "Robert A. M. Stern", whose initials stand apart). */
const DOTTED_INITIALS = /(?<![\p{L}\p{N}])\p{L}(?:\.\p{L})+\.?(?![\p{L}\p{N}])/gu;

/**
 * Splits text into folded word tokens, keeping each token's original case (the gazetteer uses it to
 * demand capitalisation for one-word names). Folding: Unicode compatibility decomposition, diacritics
 * dropped, possessive 's dropped, dotted initials joined into one token ("U.S." and "US", "D.C." and "DC",
 * "A.C. Milan" and "AC Milan" are one name written two ways), underscores/punctuation/symbols as separators.
 */
export function foldedTokens(text: string): string[] {
  return text
    .replace(DOTTED_INITIALS, (initials) => initials.replace(/\./g, ''))
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(POSSESSIVE, '')
    .split(SEPARATORS)
    .filter((t) => t.length > 0);
}

export function canonicalKey(name: string, options: CanonicalKeyOptions = {}): string {
  const tokens = foldedTokens(name).map((t) => t.toLowerCase());
  while (tokens.length > 1 && LEADING_ARTICLES.has(tokens[0]!)) tokens.shift();
  const folded = tokens.join(' ');
  return options.aliases?.get(folded) ?? folded;
}

/** Builds an alias map from alias -> canonical name pairs given in any spelling. */
export function aliasMap(pairs: Iterable<[alias: string, name: string]>): Map<string, string> {
  const map = new Map<string, string>();
  for (const [alias, name] of pairs) map.set(canonicalKey(alias), canonicalKey(name));
  return map;
}
