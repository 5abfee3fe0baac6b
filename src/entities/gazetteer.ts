import { createHash } from 'node:crypto';
import { canonicalKey, foldedTokens } from './canonical-key.js';
import type { EntityMention } from './entity-extractor.js';

export interface GazetteerEntry {
  key: string;
  name: string;
}

interface TrieNode {
  children: Map<string, TrieNode>;
  entry?: GazetteerEntry;
}

const MIN_SINGLE_TOKEN_LENGTH = 3;
const NUMERIC = /^[\d.,:+-]+$/;

/**
 * Known entity names (typically the entities of an external knowledge graph) matched in texts by longest
 * token sequence. One-word names only match a capitalised word, so a KG entity named "Tennis" does not
 * fire on every "tennis" and a name like "Bread" does not fire on "bread".
 */
export class Gazetteer {
  private readonly root: TrieNode = { children: new Map() };
  private readonly keys: string[] = [];
  private readonly kept: GazetteerEntry[] = [];
  readonly size: number;
  /** Changes whenever the set of names changes; part of the extractor id. */
  readonly fingerprint: string;

  constructor(entries: Iterable<GazetteerEntry>) {
    for (const entry of entries) {
      const tokens = entry.key.split(' ');
      if (tokens.every((t) => NUMERIC.test(t))) continue; // numbers and dates are facts, not names
      if (tokens.length === 1 && entry.key.length < MIN_SINGLE_TOKEN_LENGTH) continue;
      let node = this.root;
      for (const token of tokens) {
        let child = node.children.get(token);
        if (!child) {
          child = { children: new Map() };
          node.children.set(token, child);
        }
        node = child;
      }
      if (!node.entry) {
        node.entry = entry;
        this.keys.push(entry.key);
        this.kept.push(entry);
      }
    }
    this.size = this.keys.length;
    const hash = createHash('sha1');
    for (const key of [...this.keys].sort()) hash.update(key).update('\n');
    this.fingerprint = hash.digest('hex').slice(0, 12);
  }

  /** The names kept (numbers, dates and very short one-word names dropped), in the order given. */
  entries(): readonly GazetteerEntry[] {
    return this.kept;
  }

  static fromNames(names: Iterable<string>): Gazetteer {
    const entries: GazetteerEntry[] = [];
    for (const name of names) {
      const key = canonicalKey(name);
      if (key !== '') entries.push({ key, name });
    }
    return new Gazetteer(entries);
  }

  /** All non-overlapping longest matches in the text, counted. */
  find(text: string): EntityMention[] {
    const original = foldedTokens(text);
    const tokens = original.map((t) => t.toLowerCase());
    const found = new Map<string, EntityMention>();
    let i = 0;
    while (i < tokens.length) {
      let node: TrieNode | undefined = this.root;
      let match: { entry: GazetteerEntry; end: number } | undefined;
      for (let j = i; j < tokens.length && node; j += 1) {
        node = node.children.get(tokens[j]!);
        if (node?.entry && (j > i || startsUppercase(original[i]!))) match = { entry: node.entry, end: j + 1 };
      }
      if (!match) {
        i += 1;
        continue;
      }
      const existing = found.get(match.entry.key);
      if (existing) existing.count += 1;
      else found.set(match.entry.key, { key: match.entry.key, name: match.entry.name, type: 'kg', count: 1 });
      i = match.end;
    }
    return [...found.values()];
  }
}

function startsUppercase(token: string): boolean {
  const first = token[0] ?? '';
  return first !== first.toLowerCase();
}
