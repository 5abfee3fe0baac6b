/**
 * Hostile input against a real `kgal serve` process, on both stores: deep and huge bodies, prototype keys,
 * a lease hijack, path traversal, missing keys. Every answer must be a 4xx naming the problem, the process
 * must still be serving afterwards (no request may take it down, now or at a later write), and the store
 * must hold exactly what it held before. tests/api-bad-input.test.ts has the full table in-process.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { webnlgRows } from './support/api.js';
import { tempDir } from './support/fixtures.js';
import { freshNeo4jStore, neo4jSkipped, neo4jTestUri } from './support/neo4j.js';
import { startKgalServe, type ServeProcess } from './support/serve.js';

const KEY = 'hostile-test-key';
const auth = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
const rows = webnlgRows(30, 97);

interface Hostile {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  headers?: Record<string, string>;
  status: number;
}

function hostileCases(leased: string): Hostile[] {
  const deep = `{"items":[{"id":"deep-1","text":"deep","meta":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}]}`;
  const huge = JSON.stringify({ items: Array.from({ length: 60_000 }, (_, i) => ({ id: `h-${i}`, text: 'x' })) });
  return [
    { name: 'metadata nested 5,000 deep', method: 'POST', path: '/v1/items', body: deep, status: 400 },
    { name: 'a body over the size limit (60,000 items)', method: 'POST', path: '/v1/items', body: huge, status: 413 },
    { name: '__proto__ in metadata', method: 'POST', path: '/v1/items', body: '{"items":[{"id":"p-1","text":"t","meta":{"__proto__":{"admin":true}}}]}', status: 400 },
    { name: 'an upsert relabelling an item leased to another annotator', method: 'POST', path: '/v1/items', body: JSON.stringify({ items: [{ id: leased, text: rows.find((r) => r.id === leased)!.text, label: 'Food' }] }), status: 409 },
    { name: 'a label for an item leased to another annotator', method: 'POST', path: '/v1/labels', body: JSON.stringify({ labels: [{ id: leased, label: 'Food', annotator: 'ann-B' }] }), status: 409 },
    { name: 'path traversal in an item id', method: 'GET', path: '/v1/items/..%2F..%2F..%2Fetc%2Fpasswd', status: 404 },
    { name: 'a read without the key', method: 'GET', path: `/v1/items/${encodeURIComponent(rows[3]!.id)}`, headers: {}, status: 401 },
    { name: 'a write without the key', method: 'POST', path: '/v1/labels', body: JSON.stringify({ labels: [{ id: rows[3]!.id, label: 'Food' }] }), headers: { 'content-type': 'application/json' }, status: 401 },
    { name: 'malformed JSON', method: 'POST', path: '/v1/labels', body: '{"labels": [', status: 400 },
    { name: 'an annotator name of 100,000 characters', method: 'POST', path: '/v1/labels', body: JSON.stringify({ labels: [{ id: rows[3]!.id, label: 'Food', annotator: 'a'.repeat(100_000) }] }), status: 400 },
    { name: 'a batch size of a billion', method: 'POST', path: '/v1/query', body: '{"batchSize": 1000000000}', status: 400 },
  ];
}

const backends = [
  { name: 'the embedded store', skip: false, env: async () => ({ NEO4J_URI: '', KGAL_DATA_DIR: await tempDir('kgal-hostile-') }) },
  {
    name: 'Neo4j',
    skip: neo4jSkipped(),
    env: async () => {
      await (await freshNeo4jStore()).close();
      return { NEO4J_URI: neo4jTestUri()!, NEO4J_DATABASE: process.env.NEO4J_DATABASE ?? 'neo4j' };
    },
  },
];

describe.each(backends)('hostile input against kgal serve on $name', (backend) => {
  let server: ServeProcess | undefined;
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
  });

  it.skipIf(backend.skip)('answers every case with its 4xx, keeps serving, and writes nothing', { timeout: 180_000 }, async () => {
    server = await startKgalServe({ ...(await backend.env()), KGAL_API_KEY: KEY, KGAL_LOG_LEVEL: 'silent' });
    const send = (method: string, path: string, body?: string, headers: Record<string, string> = auth) =>
      fetch(`${server!.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    expect((await send('POST', '/v1/items', JSON.stringify({ items: rows.map(({ id, text }) => ({ id, text })) }))).status).toBe(200);
    const query = (await (await send('POST', '/v1/query', JSON.stringify({ batchSize: 1, strategy: 'coverage', annotator: 'ann-A' }))).json()) as { picks: Array<{ id: string }> };
    const leased = query.picks[0]!.id;
    const state = async (): Promise<unknown> => {
      const stats = (await (await send('GET', '/v1/stats')).json()) as Record<string, unknown>;
      const item = (await (await send('GET', `/v1/items/${encodeURIComponent(leased)}`)).json()) as Record<string, unknown>;
      return { items: stats.items, labeledItems: stats.labeledItems, entities: stats.entities, mentions: stats.mentions, leasedLabel: item.label ?? null };
    };
    const before = await state();
    for (const c of hostileCases(leased)) {
      const response = await send(c.method, c.path, c.body, c.headers ?? auth);
      const text = await response.text();
      expect(response.status, `${c.name}: ${text.slice(0, 300)}`).toBe(c.status);
      expect(text, c.name).not.toMatch(/at .+\.(js|ts):\d+/); // no stack trace
      expect(server.child.exitCode, `${c.name}: the server exited`).toBeNull();
    }
    // A later write goes through: nothing pending blew up (the embedded store's former snapshots died later).
    expect((await send('POST', '/v1/labels', JSON.stringify({ labels: [{ id: leased, label: 'Airport', annotator: 'ann-A' }] }))).status).toBe(200);
    expect((await send('GET', '/health', undefined, {})).status).toBe(200);
    expect(server.child.exitCode).toBeNull();
    const after = (await state()) as Record<string, unknown>;
    expect({ ...after, labeledItems: (after.labeledItems as number) - 1, leasedLabel: null }).toEqual(before);
    expect(after.leasedLabel).toBe('Airport');
  });
});
