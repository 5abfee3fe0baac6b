import { parseArgs } from 'node:util';
import { storeConfigFromEnv, type StoreConfig } from '../../src/config/store-config.js';
import { UsageError } from './exit-codes.js';

/** A flag: a string value (repeatable when `multiple`) or a boolean switch. */
export interface FlagSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
}

export type FlagValues<S extends Record<string, FlagSpec>> = {
  [K in keyof S]?: S[K]['type'] extends 'boolean' ? boolean : S[K]['multiple'] extends true ? string[] : string;
};

/** The store flags every ops script takes, as the CLI does (`--neo4j`, `--data-dir`). */
export const STORE_FLAGS = {
  neo4j: { type: 'string' },
  'data-dir': { type: 'string' },
} as const satisfies Record<string, FlagSpec>;

export const STORE_USAGE = `store (as the kgal CLI):
  --neo4j <uri>        Neo4j Bolt URI (default: $NEO4J_URI; NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE)
  --data-dir <dir>     embedded store directory when no Neo4j is set (default: $KGAL_DATA_DIR or ./.kgal)`;

/** Strict parsing: an unknown flag, a missing value or a stray argument is a UsageError (exit 64). */
export function parseCommandLine<S extends Record<string, FlagSpec>>(
  argv: readonly string[],
  spec: S,
  positionals: { min: number; max: number },
): { values: FlagValues<S>; positionals: string[] } {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options: spec, allowPositionals: true, strict: true });
  } catch (error) {
    // node:util's messages name the flag; its advice about `--` is noise here.
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const count = parsed.positionals.length;
  if (count < positionals.min) throw new UsageError(`expected ${positionals.min} argument(s), got ${count}`);
  if (count > positionals.max) throw new UsageError(`unexpected argument(s): ${parsed.positionals.slice(positionals.max).join(' ')}`);
  return { values: parsed.values as FlagValues<S>, positionals: parsed.positionals };
}

export function positiveInteger(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${flag} must be a positive integer, got "${value}"`);
  return n;
}

/** The CLI's store selection: --neo4j, else NEO4J_URI, else the embedded store in --data-dir / KGAL_DATA_DIR. */
export function storeConfigFromFlags(values: FlagValues<typeof STORE_FLAGS>, env: NodeJS.ProcessEnv = process.env): StoreConfig {
  const overrides: { neo4jUri?: string; dataDir?: string } = {};
  if (values.neo4j) overrides.neo4jUri = values.neo4j;
  if (values['data-dir']) overrides.dataDir = values['data-dir'];
  return storeConfigFromEnv(env, overrides);
}

/** Where the store is, for the start line (never the password). */
export function storeTarget(config: StoreConfig): Record<string, string> {
  return config.neo4j ? { store: 'neo4j', uri: config.neo4j.uri, database: config.neo4j.database } : { store: 'embedded', dataDir: config.dataDir };
}
