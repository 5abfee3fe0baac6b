/** How `kgal serve` (and createApp) behaves; every field has an environment variable. */
export interface ServeConfig {
  /** KGAL_API_KEY: required on write routes when set. */
  apiKey?: string;
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
}

export const DEFAULT_SERVE_CONFIG: ServeConfig = { corsOrigins: [], bodyLimit: '1mb', leaseSeconds: 1800, labels: [], logLevel: 'info' };

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v.length > 0);

export function serveConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ServeConfig {
  const config: ServeConfig = {
    corsOrigins: list(env.KGAL_CORS_ORIGINS),
    bodyLimit: env.KGAL_BODY_LIMIT || DEFAULT_SERVE_CONFIG.bodyLimit,
    leaseSeconds: env.KGAL_LEASE_SECONDS ? Number(env.KGAL_LEASE_SECONDS) : DEFAULT_SERVE_CONFIG.leaseSeconds,
    labels: list(env.KGAL_LABELS),
    logLevel: env.KGAL_LOG_LEVEL || DEFAULT_SERVE_CONFIG.logLevel,
  };
  if (!Number.isInteger(config.leaseSeconds) || config.leaseSeconds < 1) {
    throw new Error(`KGAL_LEASE_SECONDS must be a positive integer, got "${env.KGAL_LEASE_SECONDS}"`);
  }
  if (env.KGAL_API_KEY) config.apiKey = env.KGAL_API_KEY;
  return config;
}
