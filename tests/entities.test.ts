import { describe, expect, it } from 'vitest';
import { aliasMap, canonicalKey } from '../src/entities/canonical-key.js';
import { CompromiseExtractor, cleanTextForExtraction } from '../src/entities/compromise-extractor.js';
import { Gazetteer } from '../src/entities/gazetteer.js';
import { parseKgTerm } from '../src/kg/triple.js';

describe('canonicalKey', () => {
  it.each([
    ['Federal Mogul.', 'federal mogul'],
    ['Federal-Mogul', 'federal mogul'],
    ['  federal   MOGUL ', 'federal mogul'],
    ['Baku_Turkish_Martyrs\'_Memorial', 'baku turkish martyrs memorial'],
    ["Southern California's", 'southern california'],
    ['Türk Şehitleri Anıtı', 'turk sehitleri anıtı'],
    ['The Beatles', 'beatles'],
    ['The', 'the'],
    ['A Coruña', 'a coruna'],
    // Dotted initials are one token, as written without dots; initials that stand apart are not.
    ['Washington, D.C.', 'washington dc'],
    ['A.C._Lumezzane', 'ac lumezzane'],
    ['U.S.A', 'usa'],
    ['Robert A. M. Stern', 'robert a m stern'],
  ])('%s -> %s', (name, key) => {
    expect(canonicalKey(name)).toBe(key);
  });

  it('applies aliases after folding', () => {
    const aliases = aliasMap([['U.S.', 'United States'], ['USA', 'United States']]);
    expect(canonicalKey('U.S.', { aliases })).toBe('united states');
    expect(canonicalKey('usa', { aliases })).toBe('united states');
    expect(canonicalKey('Canada', { aliases })).toBe('canada');
  });
});

describe('Gazetteer', () => {
  const gazetteer = Gazetteer.fromNames(['Aarhus', 'Aarhus Airport', 'Apollo 12', 'Tennis', '1964-10-13', '12', 'NY']);

  it('drops numbers, dates and very short one-word names', () => {
    expect(gazetteer.size).toBe(4);
  });

  it('prefers the longest match and counts repeats', () => {
    const found = gazetteer.find('Aarhus Airport is near Aarhus. Aarhus grows; Apollo 12 flew.');
    expect(found.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: 'aarhus', name: 'Aarhus', type: 'kg', count: 2 },
      { key: 'aarhus airport', name: 'Aarhus Airport', type: 'kg', count: 1 },
      { key: 'apollo 12', name: 'Apollo 12', type: 'kg', count: 1 },
    ]);
  });

  it('matches one-word names only when capitalised', () => {
    expect(gazetteer.find('she plays tennis')).toEqual([]);
    expect(gazetteer.find('Tennis is a sport').map((m) => m.key)).toEqual(['tennis']);
  });

  it('has a fingerprint that changes with its names', () => {
    expect(Gazetteer.fromNames(['Aarhus']).fingerprint).not.toBe(Gazetteer.fromNames(['Aarhus', 'Denmark']).fingerprint);
    expect(Gazetteer.fromNames(['Denmark', 'Aarhus']).fingerprint).toBe(Gazetteer.fromNames(['Aarhus', 'Denmark']).fingerprint);
  });
});

describe('CompromiseExtractor', () => {
  it('keeps runs of proper nouns it cannot type as topics (v2), and not with properNounRuns: false (v1)', () => {
    const text = 'Aarhus Airport is operated by Aarhus Lufthavn A/S. It serves Andalusia.';
    const v2 = new CompromiseExtractor().extract(text);
    expect(v2.find((m) => m.key === 'aarhus lufthavn')).toMatchObject({ type: 'topic', count: 1 });
    expect(v2.find((m) => m.key === 'aarhus airport')).toMatchObject({ type: 'place', count: 1 });
    const v1 = new CompromiseExtractor({ properNounRuns: false });
    expect(v1.extract(text).map((m) => m.key)).toEqual(['aarhus', 'aarhus airport']);
    expect(v1.id).toMatch(/^compromise-v1:/);
    expect(new CompromiseExtractor().id).toMatch(/^compromise-v2:/);
  });

  it('finds people, places and organisations with canonical keys', () => {
    const extractor = new CompromiseExtractor();
    const mentions = extractor.extract('Mike Fitzpatrick met officials in Toronto, Canada before flying to Paris.');
    const byKey = Object.fromEntries(mentions.map((m) => [m.key, m.type]));
    expect(byKey['mike fitzpatrick']).toBe('person');
    expect(byKey['paris']).toBe('place');
    expect(Object.keys(byKey).some((k) => k.includes('toronto'))).toBe(true);
  });

  it('adds gazetteer matches and merges them with NER on the same key', () => {
    const gazetteer = Gazetteer.fromNames(['Aarhus Airport', 'Paris']);
    const mentions = new CompromiseExtractor({ gazetteer }).extract('Flights from Aarhus Airport to Paris were cancelled.');
    expect(mentions.find((m) => m.key === 'aarhus airport')).toMatchObject({ count: 1 });
    const paris = mentions.filter((m) => m.key === 'paris');
    expect(paris).toHaveLength(1);
  });

  it('uses the lexicon hook', () => {
    const withLexicon = new CompromiseExtractor({ lexicon: { 'turner newall': 'Organization' } });
    const mentions = withLexicon.extract('Workers at Turner Newall say they are disappointed.');
    expect(mentions).toContainEqual(expect.objectContaining({ key: 'turner newall', type: 'organization' }));
  });

  it('changes its id when the lexicon or gazetteer changes (so items are re-extracted)', () => {
    const plain = new CompromiseExtractor();
    expect(new CompromiseExtractor().id).toBe(plain.id);
    expect(new CompromiseExtractor({ lexicon: { acme: 'Organization' } }).id).not.toBe(plain.id);
    expect(new CompromiseExtractor({ gazetteer: Gazetteer.fromNames(['Acme Corp']) }).id).not.toBe(plain.id);
  });

  it('cleans AG News HTML-entity remnants before tagging', () => {
    expect(cleanTextForExtraction('the  #36;10 million quot;prizequot; A second\\team')).toBe('the $10 million "prize" A second team');
  });
});

describe('parseKgTerm', () => {
  it.each([
    ['Aarhus_Airport', { name: 'Aarhus Airport', kind: 'resource' }],
    ['"Aarhus, Denmark"', { name: 'Aarhus, Denmark', kind: 'literal' }],
    ['418476000000.0', { name: '418476000000.0', kind: 'literal' }],
    ['1964-10-13', { name: '1964-10-13', kind: 'literal' }],
    ['City Manager', { name: 'City Manager', kind: 'resource' }],
  ] as const)('%s', (term, expected) => {
    expect(parseKgTerm(term)).toEqual(expected);
  });
});
