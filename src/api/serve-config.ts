import { UsageError } from '../errors/kgal-error.js';

/** How `kgal serve` (and createApp) behaves; every field has an environment variable. */
export interface ServeConfig {
  /** KGAL_API_KEY: when set, required on write routes, and on reads too (with KGAL_READ_KEY accepted there). */
  apiKey?: string;
  /** KGAL_READ_KEY: a second key that opens the read routes only (needs KGAL_API_KEY). */
  readKey?: string;
  /** KGAL_CORS_ORIGINS: comma-separated origins allowed to call the API from a browser, or `*`; none by default. */
  corsOrigins: string[];
  /** KGAL_BODY_LIMIT: largest JSON body (bytes or e.g. `1mb`); larger ones get 413. */
  bodyLimit: string;
  /** KGAL_LEASE_SECONDS: how long a queried item stays reserved for its annotator. */
  leaseSeconds: number;
  /** KGAL_LABELS: comma-separated label set; labels outside it get 400. Any label when empty. */
  labels: string[];
  /** KGAL_LOG_LEVEL: pino level (`silent` in tests). */
  logLevel: string;
  /** KGAL_BACKGROUND_EMBED (`kgal serve`): embed new items as they arrive (default on); `0`: only on POST /v1/embed. */
  backgroundEmbed: boolean;
}

export const DEFAULT_SERVE_CONFIG: ServeConfig = { corsOrigins: [], bodyLimit: '1mb', leaseSeconds: 1800, labels: [], logLevel: 'info', backgroundEmbed: true };

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v.length > 0);

/** KGAL_LABELS: the allowed labels (empty: any), for the API and for `kgal ingest`/`kgal label` alike. */
export function allowedLabelsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return list(env.KGAL_LABELS);
}

export function serveConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ServeConfig {
  const config: ServeConfig = {
    corsOrigins: list(env.KGAL_CORS_ORIGINS),
    bodyLimit: env.KGAL_BODY_LIMIT || DEFAULT_SERVE_CONFIG.bodyLimit,
    leaseSeconds: env.KGAL_LEASE_SECONDS ? Number(env.KGAL_LEASE_SECONDS) : DEFAULT_SERVE_CONFIG.leaseSeconds,
    labels: list(env.KGAL_LABELS),
    logLevel: env.KGAL_LOG_LEVEL || DEFAULT_SERVE_CONFIG.logLevel,
    backgroundEmbed: !['0', 'false', 'no', 'off'].includes((env.KGAL_BACKGROUND_EMBED ?? '').trim().toLowerCase()),
  };
  if (!Number.isInteger(config.leaseSeconds) || config.leaseSeconds < 1) {
    throw new UsageError(`KGAL_LEASE_SECONDS must be a positive integer, got "${env.KGAL_LEASE_SECONDS}"`);
  }
  if (env.KGAL_API_KEY) config.apiKey = env.KGAL_API_KEY;
  if (env.KGAL_READ_KEY) config.readKey = env.KGAL_READ_KEY;
  if (config.readKey && !config.apiKey) throw new UsageError('KGAL_READ_KEY needs KGAL_API_KEY (without a write key every route is open)');
  return config;
}
