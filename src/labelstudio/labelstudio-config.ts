import { UsageError } from '../errors/kgal-error.js';

/** How `kgal serve` acts as a Label Studio ML backend (routes under /labelstudio); every field has an environment variable. */
export interface LabelStudioConfig {
  /**
   * KGAL_LABELSTUDIO_KEY: the key Label Studio must send on /labelstudio routes (HTTP Basic password, any user
   * name, or `Authorization: Bearer`). Defaults to KGAL_API_KEY; none set: the routes are open (loopback use).
   */
  key?: string;
  /** KGAL_LABELSTUDIO_ID_FIELD: the task data field that holds the kgal item id. Default `kgal_id`. */
  idField: string;
  /** KGAL_LABELSTUDIO_BATCH: tasks kgal puts first per round (its selection batch). Default 10. */
  batchSize: number;
  /** KGAL_LABELSTUDIO_CHOICES: which `<Choices name>` holds the label when the config has several. */
  choicesName?: string;
  /** KGAL_LABELSTUDIO_URL: reach Label Studio here instead of the `hostname` it sends in /setup (e.g. from a container). */
  url?: string;
  /** KGAL_LABELSTUDIO_TIMEOUT_MS: per REST call to Label Studio. Default 30,000. */
  timeoutMs: number;
  /** KGAL_LABELSTUDIO_BODY_LIMIT: largest request Label Studio may send (/predict carries every task). Default 64mb. */
  bodyLimit: string;
}

export const DEFAULT_LABELSTUDIO_CONFIG: LabelStudioConfig = { idField: 'kgal_id', batchSize: 10, timeoutMs: 30_000, bodyLimit: '64mb' };

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a positive integer, got "${value}"`);
  return n;
}

export function labelStudioConfigFromEnv(env: NodeJS.ProcessEnv = process.env): LabelStudioConfig {
  const config: LabelStudioConfig = {
    idField: env.KGAL_LABELSTUDIO_ID_FIELD || DEFAULT_LABELSTUDIO_CONFIG.idField,
    batchSize: positive('KGAL_LABELSTUDIO_BATCH', env.KGAL_LABELSTUDIO_BATCH, DEFAULT_LABELSTUDIO_CONFIG.batchSize),
    timeoutMs: positive('KGAL_LABELSTUDIO_TIMEOUT_MS', env.KGAL_LABELSTUDIO_TIMEOUT_MS, DEFAULT_LABELSTUDIO_CONFIG.timeoutMs),
    bodyLimit: env.KGAL_LABELSTUDIO_BODY_LIMIT || DEFAULT_LABELSTUDIO_CONFIG.bodyLimit,
  };
  const key = env.KGAL_LABELSTUDIO_KEY || env.KGAL_API_KEY;
  if (key) config.key = key;
  if (env.KGAL_LABELSTUDIO_CHOICES) config.choicesName = env.KGAL_LABELSTUDIO_CHOICES;
  if (env.KGAL_LABELSTUDIO_URL) {
    if (!/^https?:\/\/[^\s]+$/.test(env.KGAL_LABELSTUDIO_URL)) throw new UsageError(`KGAL_LABELSTUDIO_URL must be an http(s) URL, got "${env.KGAL_LABELSTUDIO_URL}"`);
    config.url = env.KGAL_LABELSTUDIO_URL.replace(/\/+$/, '');
  }
  return config;
}
