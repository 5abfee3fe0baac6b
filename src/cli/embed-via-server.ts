/**
 * `kgal embed` while `kgal serve` holds the embedded store: the store cannot be opened a second time for
 * writing, so the command asks the server (the URL it recorded beside the lock) to embed, with POST /v1/embed
 * and KGAL_API_KEY, and follows the run with GET /v1/embed until every item has an embedding.
 */
import type { EmbeddingStatus } from '../api/background-embedder.js';
import { ModelUnavailableError } from '../embeddings/text-embedder.js';
import { KgalError } from '../errors/kgal-error.js';
import type { Progress } from '../ingest/progress.js';
import { StoreUnavailableError } from '../store/graph-store.js';

export interface EmbedViaServerOptions {
  apiKey?: string;
  progress: Progress;
  /** Between two status polls. */
  pollMs?: number;
  /** Runs requested in a row that end with items still pending before giving up (items keep arriving, or fail). */
  maxRuns?: number;
}

export interface EmbedViaServerReport {
  server: string;
  model?: string;
  /** Items embedded by the runs this command followed. */
  embedded: number;
  status: EmbeddingStatus;
}

export async function embedViaServer(url: string, options: EmbedViaServerOptions): Promise<EmbedViaServerReport> {
  const pollMs = options.pollMs ?? 250;
  const maxRuns = options.maxRuns ?? 3;
  const headers: Record<string, string> = options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {};
  const ask = async (method: 'GET' | 'POST'): Promise<EmbeddingStatus> => {
    let response: Response;
    try {
      response = await fetch(`${url}/v1/embed`, { method, headers });
    } catch (error) {
      throw new StoreUnavailableError(`the store is held by the kgal server at ${url}, which does not answer: ${(error as Error).message}`, { cause: error });
    }
    const body = (await response.json().catch(() => ({}))) as Partial<EmbeddingStatus> & { error?: string; code?: string };
    if (response.status === 401) {
      throw new KgalError('rejected', `the kgal server at ${url} holds the store and needs its API key: set KGAL_API_KEY (${body.error ?? 'unauthorized'})`);
    }
    if (body.code === 'model-unavailable') throw new ModelUnavailableError(`the kgal server at ${url} cannot embed: ${body.error}`);
    if (!response.ok) throw new KgalError(response.status >= 500 ? 'store-unavailable' : 'rejected', `the kgal server at ${url} answered ${response.status}: ${body.error ?? 'no reason given'}`);
    return body as EmbeddingStatus;
  };

  let embedded = 0;
  let status = await ask('POST');
  for (let run = 1; ; run += 1) {
    let shown = 0;
    let started = false;
    const runStarted = status.startedAt;
    while (status.state === 'running') {
      if (!started && (status.total ?? 0) > 0) {
        options.progress.start(`embedding through ${url}${status.model ? ` (${status.model})` : ''}`, status.total!);
        started = true;
      }
      if (started && (status.done ?? 0) > shown) {
        options.progress.advance(status.done! - shown);
        shown = status.done!;
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      status = await ask('GET');
    }
    if (started) {
      if ((status.total ?? shown) > shown) options.progress.advance(status.total! - shown);
      options.progress.stop();
    }
    // The run this command followed (a run that began before the POST counts: it embeds the same items).
    if (status.lastRun && (runStarted === undefined || status.lastRun.startedAt >= runStarted)) embedded += status.lastRun.embedded;
    if (status.state === 'unavailable') throw new ModelUnavailableError(`the kgal server at ${url} cannot embed: ${status.reason ?? 'model unavailable'}`);
    if (status.pending === 0) return { server: url, ...(status.model ? { model: status.model } : {}), embedded, status };
    if (run >= maxRuns) {
      throw new KgalError(
        'store-unavailable',
        `the kgal server at ${url} left ${status.pending} items without an embedding after ${run} runs` + (status.lastRun?.error ? `: ${status.lastRun.error}` : ''),
      );
    }
    status = await ask('POST');
  }
}
