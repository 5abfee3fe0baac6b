/**
 * The local transformer in a child process: the same model and vectors as TransformersEmbedder (the child runs
 * one), but the forward passes never block the caller's event loop. `kgal serve` embeds with it, so requests are
 * answered while the server embeds in the background. The child exits with its parent (IPC disconnect).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../config/package-paths.js';
import type { Matrix } from '../model/matrix.js';
import type { EmbedderConfig } from './embedder-config.js';
import { ModelUnavailableError, type TextEmbedder } from './text-embedder.js';

export type WorkerRequest = { type: 'load'; config: EmbedderConfig } | { type: 'embed'; id: number; texts: string[] };
export type WorkerReply =
  | { type: 'ready'; id: string; dimension: number }
  | { type: 'unavailable'; message: string; kind: string }
  | { type: 'embedded'; id: number; rows: number; cols: number; data: Float32Array }
  | { type: 'failed'; id: number; message: string };

/**
 * The compiled worker script. Under vitest this module runs from its TypeScript source, beside which there is
 * no .js file: the child then runs the built one (the test setup builds dist/ first).
 */
function workerScript(): string {
  const beside = fileURLToPath(new URL('./embedder-worker.js', import.meta.url));
  return existsSync(beside) ? beside : join(packageRoot(), 'dist', 'src', 'embeddings', 'embedder-worker.js');
}

export class WorkerEmbedder implements TextEmbedder {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (m: Matrix<Float32Array>) => void; reject: (e: Error) => void }>();
  private failure?: Error;

  private constructor(
    private readonly child: ChildProcess,
    readonly id: string,
    readonly dimension: number,
  ) {
    child.on('message', (reply: WorkerReply) => {
      if (reply.type !== 'embedded' && reply.type !== 'failed') return;
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      this.holdWhileBusy();
      if (reply.type === 'embedded') waiting?.resolve({ rows: reply.rows, cols: reply.cols, data: reply.data });
      else waiting?.reject(new Error(`embedding failed: ${reply.message}`));
    });
    child.on('exit', (code, signal) => {
      this.failure = new Error(`the embedding process exited (${signal ?? `code ${code}`})`);
      for (const waiting of this.pending.values()) waiting.reject(this.failure);
      this.pending.clear();
    });
  }

  /** Starts the process and loads the model there; a missing model is a ModelUnavailableError, as with TransformersEmbedder. */
  static async load(config: EmbedderConfig): Promise<WorkerEmbedder> {
    // Advanced serialization: vectors cross as typed arrays, not JSON.
    const child = fork(workerScript(), [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let onMessage: (reply: WorkerReply) => void = () => undefined;
    let onExit: (code: number | null, signal: string | null) => void = () => undefined;
    const ready = await new Promise<Extract<WorkerReply, { type: 'ready' }>>((resolve, reject) => {
      onMessage = (reply) => {
        if (reply.type === 'ready') resolve(reply);
        else if (reply.type === 'unavailable') reject(reply.kind === 'model-unavailable' ? new ModelUnavailableError(reply.message) : new Error(reply.message));
      };
      onExit = (code, signal) => reject(new Error(`the embedding process exited (${signal ?? `code ${code}`}) before the model was loaded`));
      child.on('message', onMessage).on('exit', onExit).on('error', reject);
      child.send({ type: 'load', config } satisfies WorkerRequest);
    })
      .catch((error: unknown) => {
        child.kill();
        throw error;
      })
      .finally(() => child.off('message', onMessage).off('exit', onExit));
    const embedder = new WorkerEmbedder(child, ready.id, ready.dimension);
    embedder.holdWhileBusy();
    return embedder;
  }

  embed(texts: readonly string[]): Promise<Matrix<Float32Array>> {
    if (this.failure) return Promise.reject(this.failure);
    if (texts.length === 0) return Promise.resolve({ rows: 0, cols: this.dimension, data: new Float32Array(0) });
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.holdWhileBusy();
      this.child.send({ type: 'embed', id, texts: [...texts] } satisfies WorkerRequest);
    });
  }

  async dispose(): Promise<void> {
    if (this.failure) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.ref();
    this.child.disconnect();
    await exited;
  }

  /** The child keeps this process alive only while a batch is in flight; an idle one never does. */
  private holdWhileBusy(): void {
    const channel = this.child.channel as { ref(): void; unref(): void } | null | undefined;
    if (this.pending.size > 0) {
      this.child.ref();
      channel?.ref();
    } else {
      this.child.unref();
      channel?.unref();
    }
  }
}
