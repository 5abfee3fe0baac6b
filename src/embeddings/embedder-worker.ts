/**
 * The process behind WorkerEmbedder: loads the local transformer once and answers embedding requests over the
 * IPC channel. ONNX Runtime (onnxruntime-node 1.14, under transformers.js 2.17) runs inference synchronously on
 * the calling thread, so a server that embedded on its own thread could not answer requests during a forward
 * pass; and one process cannot safely run its native addon on two threads, so this is a process of its own.
 */
import type { EmbedderConfig } from './embedder-config.js';
import { TransformersEmbedder } from './transformers-embedder.js';
import type { WorkerReply, WorkerRequest } from './worker-embedder.js';

const send = (reply: WorkerReply): void => {
  process.send?.(reply);
};
// The parent is gone (exited, killed): so is the reason to run.
process.on('disconnect', () => process.exit(0));

let embedder: TransformersEmbedder | undefined;
process.on('message', (request: WorkerRequest) => {
  if (request.type === 'load') {
    TransformersEmbedder.load(request.config as EmbedderConfig).then(
      (loaded) => {
        embedder = loaded;
        send({ type: 'ready', id: loaded.id, dimension: loaded.dimension });
      },
      (error: unknown) => send({ type: 'unavailable', message: (error as Error).message, kind: (error as { kind?: string }).kind ?? 'internal' }),
    );
    return;
  }
  if (!embedder) {
    send({ type: 'failed', id: request.id, message: 'the model is not loaded' });
    return;
  }
  embedder.embed(request.texts).then(
    (matrix) => send({ type: 'embedded', id: request.id, rows: matrix.rows, cols: matrix.cols, data: matrix.data }),
    (error: unknown) => send({ type: 'failed', id: request.id, message: (error as Error).message }),
  );
});
