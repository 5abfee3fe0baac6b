import { describe, expect, it } from 'vitest';
import { aliasMap } from '../src/entities/canonical-key.js';
import { aliasesOf, fuzzyConfidence, KgLinker, type KgEntity } from '../src/entities/kg-linker.js';
import { SpanExtractor } from '../src/entities/span-extractor.js';
import { canonicalKey } from '../src/entities/canonical-key.js';

const entity = (name: string): KgEntity => ({ key: canonicalKey(name), name });
const fact = (subject: string, object: string): { subject: KgEntity; object: KgEntity } => ({ subject: entity(subject), object: entity(object) });

/** A small KG: two Georgias, two Washingtons, an airport without its city, a well-known United States. */
const FACTS = [
  fact('Alpharetta, Georgia', 'Georgia (U.S. state)'),
  fact('Atlanta', 'Georgia (U.S. state)'),
  fact('Georgia (U.S. state)', 'United States'),
  fact('Tbilisi', 'Georgia (country)'),
  fact('Georgia (country)', 'Georgian language'),
  fact('Washington, D.C.', 'United States'),
  fact('Seattle', 'Washington (state)'),
  fact('Aarhus Airport', 'Denmark'),
  fact('English language', 'Great Britain'),
  fact('Americans', 'United States'),
  fact('Lars Løkke Rasmussen', 'Denmark'),
  fact('Accrington Stanley F.C.', 'Accrington'),
  fact('Aston Martin V8 (car)', 'Aston Martin'),
  // United States: well known (20+ neighbours), so its initials "US" / "U.S." stand for it.
  ...Array.from({ length: 20 }, (_, i) => fact(`Town ${i + 1}`, 'United States')),
];

function linkedKeys(text: string, linker = KgLinker.fromRelations(FACTS)): Array<[string, string]> {
  return new SpanExtractor({ linker })
    .extract(text)
    .map((m): [string, string] => [m.key, m.type])
    .sort(([a], [b]) => a.localeCompare(b));
}

describe('KgLinker: aliases and surface variants', () => {
  it('derives aliases with confidences from a KG name', () => {
    expect(aliasesOf(entity('Aston Martin V8 (car)'))).toEqual(
      expect.arrayContaining([
        ['aston martin v8 car', 1],
        ['aston martin v8', 0.95],
      ]),
    );
    expect(aliasesOf(entity('Alpharetta, Georgia'))).toContainEqual(['alpharetta', 0.75]);
    expect(aliasesOf(entity('English language'))).toContainEqual(['english', 0.75]);
    expect(aliasesOf(entity('Americans'))).toContainEqual(['american', 0.85]);
    expect(aliasesOf(entity('United States'), { initials: true })).toEqual(expect.arrayContaining([['us', 0.7], ['u s', 0.7]]));
    expect(aliasesOf(entity('John Roberts'))).not.toContainEqual(['jr', 0.7]); // initials only when asked
  });

  it.each([
    // "U.S." and "US" are the United States (initials of a well-known entity).
    ['The U.S. Army flew to Atlanta.', 'united states'],
    ['Exports from the US rose.', 'united states'],
    // "Aarhus" alone is the airport when the KG has no city Aarhus (class noun dropped).
    ['Flights leave Aarhus every day.', 'aarhus airport'],
    // The part before the comma: "Alpharetta" is "Alpharetta, Georgia".
    ['Alpharetta has many offices.', 'alpharetta georgia'],
    // Qualifier dropped: "Aston Martin V8" is "Aston Martin V8 (car)".
    ['The Aston Martin V8 was built in England.', 'aston martin v8 car'],
    // Fuzzy: an ASCII spelling and a missing "F.C.".
    ['Lars Lokke Rasmussen leads the government.', 'lars løkke rasmussen'],
    ['He played for Accrington Stanley last year.', 'accrington stanley fc'],
    // A lone demonym links through the KG ("American" -> "Americans").
    ['The American singer was born in Seattle.', 'americans'],
  ])('%s -> %s', (text, key) => {
    expect(linkedKeys(text).map(([k]) => k)).toContain(key);
  });

  it('disambiguates by context: the Georgia whose KG neighbours the text also names', () => {
    expect(linkedKeys('Atlanta is the capital of Georgia.').map(([k]) => k)).toEqual(['atlanta', 'georgia us state']);
    expect(linkedKeys('Tbilisi is the capital of Georgia.').map(([k]) => k)).toEqual(['georgia country', 'tbilisi']);
  });

  it('keeps a name the KG does not know as a text entity (NIL), with its own key and type', () => {
    expect(linkedKeys('Randy Johnson pitched in Seattle.')).toEqual([
      ['randy johnson', 'person'],
      ['seattle', 'place'], // linked, typed by the span rules
    ]);
    expect(linkedKeys('Randy Johnson pitched in Seattle.', KgLinker.fromRelations(FACTS, { keepNil: false })).map(([k]) => k)).toEqual(['seattle']);
  });

  it('does not link a lone demonym the KG does not know, nor a span inside a KG name found in the text', () => {
    const withoutAmericans = KgLinker.fromRelations(FACTS.filter((f) => f.subject.name !== 'Americans'));
    expect(linkedKeys('President Laurent Gbagbo spoke to American troops.', withoutAmericans).map(([k]) => k)).toEqual(['laurent gbagbo']);
    // "Georgia" here is part of "Alpharetta, Georgia", not a second entity.
    expect(linkedKeys('Alpharetta, Georgia has many offices.').map(([k]) => k)).toEqual(['alpharetta georgia']);
  });

  it('uses the user alias file: "Big Apple" -> New York City', () => {
    const linker = KgLinker.fromRelations([fact('New York City', 'United States')], { aliases: aliasMap([['Big Apple', 'New York City']]) });
    expect(linkedKeys('She moved to the Big Apple.', linker).map(([k]) => k)).toEqual(['new york city']);
  });

  it('scores fuzzy matches by shared (near-equal) tokens', () => {
    expect(fuzzyConfidence(['lars', 'lokke', 'rasmussen'], ['lars', 'løkke', 'rasmussen'])).toBeGreaterThan(0.9);
    expect(fuzzyConfidence(['accrington', 'stanley'], ['accrington', 'stanley', 'f', 'c'])).toBe(0.5);
    expect(fuzzyConfidence(['john', 'smith'], ['jane', 'doe'])).toBe(0);
  });

  it('has a fingerprint that changes with the KG (names and facts)', () => {
    const a = KgLinker.fromRelations(FACTS);
    expect(KgLinker.fromRelations([...FACTS].reverse()).fingerprint).toBe(a.fingerprint);
    expect(KgLinker.fromRelations([...FACTS, fact('Aarhus', 'Denmark')]).fingerprint).not.toBe(a.fingerprint);
    expect(KgLinker.fromRelations([...FACTS, fact('Atlanta', 'Denmark')]).fingerprint).not.toBe(a.fingerprint);
    expect(new SpanExtractor({ linker: a }).id).toContain(`kg-${a.fingerprint}`);
  });
});
