import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { UsageError } from '../errors/kgal-error.js';
import { InputValidationError } from '../pool/input-error.js';
import { aliasMap, type CanonicalKeyOptions } from './canonical-key.js';
import { CompromiseExtractor } from './compromise-extractor.js';
import type { EntityExtractor } from './entity-extractor.js';
import type { Gazetteer } from './gazetteer.js';
import { GazetteerExtractor } from './gazetteer-extractor.js';
import { KgLinker, type KgEntity } from './kg-linker.js';
import { SpanExtractor } from './span-extractor.js';

/**
 * The extractors a user can choose (`kgal ingest --extractor`, KGAL_EXTRACTOR):
 * - `spans` (default): span rules over compromise's tags, linked to the KG when there is one (aliases,
 *   fuzzy match, context; src/entities/kg-linker.ts);
 * - `compromise`: compromise's people, places, organisations plus proper-noun runs (kgal 0.1's v2), KG
 *   names by exact match;
 * - `compromise-v1`: the same without proper-noun runs (`properNounRuns: false`);
 * - `gazetteer`: only the KG's names, exactly as written (for a curated KG that names everything).
 */
export const EXTRACTORS = ['spans', 'compromise', 'compromise-v1', 'gazetteer'] as const;
export type ExtractorName = (typeof EXTRACTORS)[number];
export const DEFAULT_EXTRACTOR: ExtractorName = 'spans';

export interface ExtractorConfig extends CanonicalKeyOptions {
  extractor: ExtractorName;
  /** compromise lexicon: `{"federal mogul": "Organization"}`. */
  lexicon?: Record<string, string>;
}

/** The external KG as the store holds it: its entities and its facts as key pairs. */
export interface KgFacts {
  entities: readonly KgEntity[];
  relations: ReadonlyArray<{ subject: string; object: string }>;
}

export function parseExtractorName(value: string, source: string): ExtractorName {
  if ((EXTRACTORS as readonly string[]).includes(value)) return value as ExtractorName;
  throw new UsageError(`${source}: unknown extractor "${value}" (one of ${EXTRACTORS.join(', ')})`);
}

/** KGAL_EXTRACTOR, when set. */
export function extractorNameFromEnv(env: NodeJS.ProcessEnv = process.env): ExtractorName | undefined {
  const value = env.KGAL_EXTRACTOR?.trim();
  return value ? parseExtractorName(value, 'KGAL_EXTRACTOR') : undefined;
}

/**
 * Reads the user's extraction settings: the extractor (flag, else KGAL_EXTRACTOR, else the default) and
 * tuning from JSON files: a compromise lexicon (`{"federal mogul": "Organization"}`) and aliases
 * (`{"U.S.": "United States"}`, alias -> canonical name).
 */
export async function readExtractorConfig(files: { lexicon?: string; aliases?: string; extractor?: string }): Promise<ExtractorConfig> {
  const extractor = files.extractor !== undefined ? parseExtractorName(files.extractor, '--extractor') : (extractorNameFromEnv() ?? DEFAULT_EXTRACTOR);
  const options: ExtractorConfig = { extractor };
  if (files.lexicon) options.lexicon = await readStringMap(files.lexicon);
  if (files.aliases) options.aliases = aliasMap(Object.entries(await readStringMap(files.aliases)));
  return options;
}

/** Neighbour sets from KG facts (both directions). */
function neighbourMap(relations: KgFacts['relations']): Map<string, Set<string>> {
  const neighbours = new Map<string, Set<string>>();
  const connect = (a: string, b: string): void => {
    const set = neighbours.get(a) ?? new Set<string>();
    set.add(b);
    neighbours.set(a, set);
  };
  for (const { subject, object } of relations) {
    connect(subject, object);
    connect(object, subject);
  }
  return neighbours;
}

/**
 * The extractor a configuration names, built once the KG is known: the gazetteer of its names, and for
 * `spans` its entities and facts (without facts, the linker still links, with no context to disambiguate).
 */
export function buildExtractor(config: ExtractorConfig, gazetteer: Gazetteer, kg?: KgFacts): EntityExtractor {
  const tuning = { ...(config.lexicon ? { lexicon: config.lexicon } : {}), ...(config.aliases ? { aliases: config.aliases } : {}) };
  switch (config.extractor) {
    case 'compromise':
      return new CompromiseExtractor({ ...tuning, gazetteer });
    case 'compromise-v1':
      return new CompromiseExtractor({ ...tuning, gazetteer, properNounRuns: false });
    case 'gazetteer':
      return new GazetteerExtractor(gazetteer);
    case 'spans': {
      const entities = kg?.entities ?? gazetteer.entries();
      if (entities.length === 0) return new SpanExtractor(tuning);
      const linker = new KgLinker(entities, { neighbours: neighbourMap(kg?.relations ?? []), ...(config.aliases ? { aliases: config.aliases } : {}) });
      return new SpanExtractor({ ...tuning, linker });
    }
  }
}

async function readStringMap(file: string): Promise<Record<string, string>> {
  const display = basename(file);
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw error;
    throw new InputValidationError([{ file: display, line: 1, message: `invalid JSON (${(error as Error).message})` }]);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputValidationError([{ file: display, line: 1, message: 'expected a JSON object of "phrase": "value" pairs' }]);
  }
  const bad = Object.entries(value).filter(([, v]) => typeof v !== 'string' || v.trim() === '');
  if (bad.length > 0) {
    throw new InputValidationError(
      bad.map(([key]) => ({ file: display, line: 1, field: key, message: 'must be a non-empty string' })),
    );
  }
  return value as Record<string, string>;
}
