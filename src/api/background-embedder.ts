/**
 * The server learns as it goes: items that reach the store (POST /v1/items, or another process's ingest into a
 * shared Neo4j) are embedded in the background by the server's own embedder, so the classifier can train on
 * the next labels without anyone running `kgal embed`.
 *
 * How it stays out of the way of requests:
 * - One run at a time; work that arrives during a run (another ingest) makes the run go round once more.
 * - The model's forward passes run outside the API's selection queue (ONNX Runtime works off the event loop),
 *   so queries and labels are served between batches.
 * - Store writes go through the selection queue, a chunk (`writeEvery` items) at a time: a write never lands in
 *   the middle of a query's load or an ingest, and a long run delays a query by at most one chunk's write.
 *   Each chunk is durable when its write resolves, as with `kgal embed`.
 * - Before a chunk is written, items whose text changed since it was embedded are dropped from it (a
 *   concurrent ingest replaced the text); the next pass embeds the new text.
 * - A model that cannot be loaded puts the worker in state `unavailable` with the reason; the server keeps
 *   serving, and POST /v1/embed tries the model again.
 */
import type { Logger } from 'pino';
import { embeddingKey, embedPendingItems } from '../embeddings/embed-items.js';
import type { TextEmbedder } from '../embeddings/text-embedder.js';
import type { Progress } from '../ingest/progress.js';
import type { EmbeddingUpdate, GraphStore } from '../store/graph-store.js';
import type { SerialQueue } from './serial-queue.js';

export const EMBEDDING_DEFAULTS = {
  /** How often to look for items without an embedding (other processes' ingests on a shared Neo4j). */
  pollMs: 10_000,
  /** Texts per forward pass. */
  batchSize: 32,
  /** Items per queued store write: the most a query waits behind the embedder. */
  writeEvery: 128,
} as const;

export type EmbeddingState = 'idle' | 'running' | 'unavailable';

/** What `GET /v1/stats` (as `embedding`), `GET /v1/embed` and `POST /v1/embed` answer. */
export interface EmbeddingStatus {
  state: EmbeddingState;
  /** Items with a stored embedding. */
  embedded: number;
  /** Items without one (they cannot be scored or trained on yet). */
  pending: number;
  /** The embedder's id, once known. */
  model?: string;
  /** `unavailable`: why, in one line. */
  reason?: string;
  /** `running`: when the run began, texts embedded so far and texts the run has to embed. */
  startedAt?: string;
  done?: number;
  total?: number;
  /** Whether items are embedded as they arrive (false: only on request, POST /v1/embed). */
  automatic: boolean;
  /** The last finished run. */
  lastRun?: { startedAt: string; finishedAt: string; embedded: number; error?: string };
}

export interface BackgroundEmbedderOptions {
  /** Loads the embedder (once; kept for the server's lifetime). */
  load: () => Promise<TextEmbedder>;
  /** The loaded embedder's id when known beforehand: lets the worker see that nothing needs embedding without loading the model. */
  modelId?: string;
  /** Embed on start, after ingests and on the periodic check (default true); false: only when asked. */
  automatic?: boolean;
  pollMs?: number;
  batchSize?: number;
  writeEvery?: number;
}

export class BackgroundEmbedder {
  private readonly settings: Required<Omit<BackgroundEmbedderOptions, 'modelId'>> & { modelId?: string };
  private embedder?: Promise<TextEmbedder>;
  private loadedId?: string;
  private unavailable?: string;
  private running?: Promise<void>;
  private again = false;
  private progress?: { startedAt: string; done: number; total: number };
  private lastRun?: EmbeddingStatus['lastRun'];
  private timer?: NodeJS.Timeout;
  private readonly abort = new AbortController();

  constructor(
    private readonly store: GraphStore,
    private readonly queue: SerialQueue,
    options: BackgroundEmbedderOptions,
    private readonly logger?: Logger,
  ) {
    this.settings = {
      automatic: options.automatic ?? true,
      pollMs: options.pollMs ?? EMBEDDING_DEFAULTS.pollMs,
      batchSize: options.batchSize ?? EMBEDDING_DEFAULTS.batchSize,
      writeEvery: options.writeEvery ?? EMBEDDING_DEFAULTS.writeEvery,
      load: options.load,
      ...(options.modelId ? { modelId: options.modelId } : {}),
    };
  }

  /** A first pass over the store, then the periodic check (automatic mode only). */
  start(): void {
    if (!this.settings.automatic || this.abort.signal.aborted) return;
    this.request();
    if (this.settings.pollMs > 0) {
      this.timer = setInterval(() => void this.poll(), this.settings.pollMs);
      // The check never keeps a process alive on its own.
      this.timer.unref();
    }
  }

  /** New items arrived through this server (POST /v1/items): embed them (automatic mode only). */
  notifyIngest(): void {
    if (this.settings.automatic && !this.unavailable) this.request();
  }

  /**
   * Starts a run, or makes the running one go round once more; POST /v1/embed. `retryModel`: try loading a
   * model that was unavailable again (only an explicit request does; ingests and the periodic check do not).
   */
  request(options: { retryModel?: boolean } = {}): void {
    if (this.abort.signal.aborted) return;
    if (options.retryModel && this.unavailable) {
      this.unavailable = undefined;
      this.embedder = undefined;
    }
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.runUntilDone().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves when no run is going (tests, shutdown). */
  async whenIdle(): Promise<void> {
    while (this.running) await this.running;
  }

  async status(counts?: { items: number; embeddedItems: number }): Promise<EmbeddingStatus> {
    const { items, embeddedItems } = counts ?? (await this.store.stats());
    const status: EmbeddingStatus = {
      state: this.running ? 'running' : this.unavailable ? 'unavailable' : 'idle',
      embedded: embeddedItems,
      pending: Math.max(0, items - embeddedItems),
      automatic: this.settings.automatic,
    };
    // Never waits for a model that is still loading: the status answers at once.
    const model = this.loadedId ?? this.settings.modelId;
    if (model) status.model = model;
    if (this.unavailable && !this.running) status.reason = this.unavailable;
    if (this.running && this.progress) Object.assign(status, this.progress);
    if (this.lastRun) status.lastRun = this.lastRun;
    return status;
  }

  /** Stops the periodic check and any run (between two batches), and frees the model. */
  async stop(): Promise<void> {
    this.abort.abort();
    if (this.timer) clearInterval(this.timer);
    await this.whenIdle();
    const embedder = await this.loadedEmbedder();
    this.embedder = undefined;
    await embedder?.dispose();
  }

  private async loadedEmbedder(): Promise<TextEmbedder | undefined> {
    return this.embedder?.catch(() => undefined);
  }

  /** Cheap check (counts only) for items without an embedding, e.g. ingested by another process. */
  private async poll(): Promise<void> {
    if (this.running || this.unavailable || this.abort.signal.aborted) return;
    try {
      const { items, embeddedItems } = await this.store.stats();
      if (items > embeddedItems) this.request();
    } catch (error) {
      this.logger?.warn({ err: error }, 'embedding check: the store did not answer');
    }
  }

  private async runUntilDone(): Promise<void> {
    do {
      this.again = false;
      await this.pass();
    } while (this.again && !this.unavailable && !this.abort.signal.aborted);
  }

  private async pass(): Promise<void> {
    const startedAt = new Date().toISOString();
    this.progress = { startedAt, done: 0, total: 0 };
    let embedded = 0;
    try {
      const states = await this.store.listEmbeddingStates();
      // Nothing to embed for the model the server will load: done without loading it.
      const known = this.settings.modelId;
      if (known && !this.embedder && states.every((s) => s.embeddingKey === embeddingKey(known, s.text))) return;
      const embedder = await this.loadEmbedderOrMarkUnavailable();
      if (!embedder) return;
      const progress: Progress = {
        start: (_label, total) => {
          if (this.progress) this.progress.total = total;
        },
        advance: (by) => {
          if (this.progress) this.progress.done += by;
        },
        stop: () => undefined,
      };
      const report = await embedPendingItems(this.store, embedder, {
        states,
        progress,
        batchSize: this.settings.batchSize,
        writeEvery: this.settings.writeEvery,
        signal: this.abort.signal,
        write: (updates) => this.queue.run(() => this.writeCurrent(embedder, updates)),
      });
      embedded = report.embedded;
      this.lastRun = { startedAt, finishedAt: new Date().toISOString(), embedded };
      if (report.embedded > 0) this.logger?.info({ embedding: { embedded, model: embedder.id, upToDate: report.upToDate } }, 'embedded new items');
    } catch (error) {
      if (this.abort.signal.aborted) return;
      const message = oneLine(error);
      this.lastRun = { startedAt, finishedAt: new Date().toISOString(), embedded, error: message };
      this.logger?.error({ err: error }, `embedding run failed: ${message}`);
      // The embedder may be gone with the run (its process killed, out of memory): the next run loads a new one
      // instead of failing on the dead one for the rest of the server's life.
      const failed = this.embedder;
      this.embedder = undefined;
      void failed?.then((embedder) => embedder.dispose()).catch(() => undefined);
    } finally {
      this.progress = undefined;
    }
  }

  private async loadEmbedderOrMarkUnavailable(): Promise<TextEmbedder | undefined> {
    this.embedder ??= this.settings.load();
    try {
      const embedder = await this.embedder;
      this.loadedId = embedder.id;
      return embedder;
    } catch (error) {
      this.unavailable = oneLine(error);
      this.logger?.warn(`embedding unavailable: ${this.unavailable}`);
      return undefined;
    }
  }

  /** Inside the selection queue: writes the chunk's embeddings whose item still has the text they were made from. */
  private async writeCurrent(embedder: TextEmbedder, updates: EmbeddingUpdate[]): Promise<void> {
    const current = new Map((await this.store.getItems(updates.map((u) => u.id))).map((item) => [item.id, item.text]));
    const fresh = updates.filter((u) => {
      const text = current.get(u.id);
      return text !== undefined && embeddingKey(embedder.id, text) === u.key;
    });
    if (fresh.length < updates.length) this.again = true;
    if (fresh.length > 0) await this.store.setEmbeddings(fresh);
  }
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, ' ').trim();
}
