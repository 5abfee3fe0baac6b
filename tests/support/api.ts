import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Express } from 'express';
import { pino } from 'pino';
import { createApp, type AppOptions } from '../../src/api/app.js';
import type { GraphStore } from '../../src/store/graph-store.js';
import { sharedData } from './fixtures.js';

/** A real HTTP server in-process on a random loopback port. */
export async function startApi(store: GraphStore, options: AppOptions = {}): Promise<{ url: string; server: Server; app: Express; close: () => Promise<void> }> {
  const app = createApp(store, { logger: pino({ level: 'silent' }), ...options });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    app,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** `n` WebNLG train entries (every `step`-th, so several categories) as API rows: id and text, category kept aside. */
export function webnlgRows(n: number, step = 1): Array<{ id: string; text: string; category: string }> {
  return readFileSync(sharedData('webnlg', 'webnlg_train.jsonl'), 'utf8')
    .split('\n')
    .filter((line, i) => line.length > 0 && i % step === 0)
    .slice(0, n)
    .map((line) => JSON.parse(line) as { id: string; text: string; category: string })
    .map(({ id, text, category }) => ({ id, text, category }));
}

/** A deterministic unit vector per text (stands in for the transformer where a test needs a model, not semantics). */
export function hashVector(text: string, dimension = 384): Float32Array {
  const bytes = createHash('sha512').update(text).digest();
  const v = Float32Array.from({ length: dimension }, (_, d) => (bytes[d % bytes.length]! - 127.5) / 127.5 + Math.sin(d * (bytes[0]! + 1)));
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

/** Everything a client could change, for "the store is unchanged" checks. */
export async function storeFingerprint(store: GraphStore): Promise<string> {
  const [stats, items, leases] = await Promise.all([store.stats(), store.listItems(), store.activeLeases()]);
  const rows = items.map(({ id, text, label, annotator, meta }) => ({ id, text, label, annotator, meta })).sort((a, b) => (a.id < b.id ? -1 : 1));
  return JSON.stringify({ stats, rows, leases: leases.map((l) => [l.itemId, l.holder]).sort() });
}

export interface Reply {
  status: number;
  // Test code reads arbitrary JSON paths; the API's types are checked where the app builds them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** One JSON request (or a raw string body) against the running API. */
export async function call(url: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const init: RequestInit = { method, headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers } };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await fetch(url + path, init);
  const text = await response.text();
  return { status: response.status, body: text.length > 0 ? JSON.parse(text) : undefined };
}
