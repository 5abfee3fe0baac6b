/** The page's only way to the server: JSON over fetch, with the API key (kept in localStorage) when one is set. */

const KEY_STORAGE = 'kgal.apiKey';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

/** Called when the server answers 401: resolves with a key to retry with (or rejects). Set by the page. */
let askForKey: (() => Promise<string>) | undefined;

export function onKeyNeeded(ask: () => Promise<string>): void {
  askForKey = ask;
}

export function storedKey(): string | null {
  return localStorage.getItem(KEY_STORAGE);
}

export async function api<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    const key = storedKey();
    if (key) headers.authorization = `Bearer ${key}`;
    const init: RequestInit = { method, headers };
    if (body !== undefined) init.body = JSON.stringify(body);
    const response = await fetch(path, init);
    if (response.status === 401 && askForKey && attempt < 3) {
      localStorage.setItem(KEY_STORAGE, await askForKey());
      continue;
    }
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    if (!response.ok) {
      const message = (parsed as { error?: string } | undefined)?.error ?? `${response.status} ${response.statusText}`;
      throw new ApiError(response.status, message, parsed);
    }
    return parsed as T;
  }
}

// The shapes the page reads (docs/openapi.json has the full ones).

export interface ExplainedEntity {
  key: string;
  name: string;
  centrality: number;
  coverageBefore: number;
  gapBefore: number;
}

export interface Pick {
  id: string;
  text: string;
  strategy: string;
  components: Record<string, { raw: number; normalized: number }>;
  entities: ExplainedEntity[];
  prediction?: { label: string; probability: number; probabilities: Record<string, number> };
}

export interface QueryResponse {
  strategy: string;
  coldStart: boolean;
  coldStartReason?: string;
  fallback?: { reason: string };
  uncertaintySource: 'model' | 'external' | 'none';
  picks: Pick[];
  model: { status: string; classes?: string[]; trainedOn?: number };
}

export interface Lease {
  itemId: string;
  holder: string;
  expiresAt: string;
}

export interface LabelingConfig {
  labels: string[];
  leaseSeconds: number;
}

export interface StopSignal {
  stop: boolean;
  sentence: string;
  rules: Array<{ rule: string; met: boolean; detail: string }>;
}

export interface Stats {
  items: number;
  labeledItems: number;
  embeddedItems: number;
  entities: number;
  labels: Record<string, number>;
  activeLeases: number;
  coverage: Record<string, number>;
  stopSignal?: StopSignal;
  embedding?: { state: string; embedded: number; pending: number };
}

export interface Campaign {
  labelsByClass: Record<string, number>;
  labelsByAnnotator: Record<string, number>;
  rounds: Array<{ round: number; at: string; labeled: number; coverage: number; meanUncertainty: number | null; kappa: number | null }>;
  stopSignal: StopSignal;
}

export interface Gap {
  key: string;
  name: string;
  type?: string;
  centrality: number;
  coverage: number;
  gap: number;
}
