import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphStore } from '../src/store/graph-store.js';
import { MemoryGraphStore } from '../src/store/memory-store.js';
import { call, startApi, storeFingerprint, webnlgRows } from './support/api.js';
import { freshNeo4jStore, neo4jSkipped } from './support/neo4j.js';

// A lower text limit than the default 1,000,000 characters (which the 1 MB body limit would hit first).
process.env.KGAL_MAX_TEXT_CHARS = '100000';

const API_KEY = 'test-key';
const INJECTION = "'}) DETACH DELETE n //";
const auth = { authorization: `Bearer ${API_KEY}` };

interface Case {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  status: number;
  /** The error message must match (and so say what is wrong, and where). */
  message: RegExp;
}

const rows = webnlgRows(20, 401);
const known = rows[0]!.id;
const leasedToOther = rows[1]!.id;
const labeled = rows[2]!.id;
const item = (over: Record<string, unknown>) => ({ items: [{ id: 'new-1', text: 'A new text about Copenhagen.', ...over }] });
/** A 10 KB body whose item metadata nests 5,000 levels deep (the request that took a 500). */
const deepMetaBody = `{"items":[{"id":"deep-1","text":"A text with deep metadata.","meta":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}]}`;

const cases: Case[] = [
  // POST /v1/items
  { name: 'malformed JSON', method: 'POST', path: '/v1/items', body: '{"items": [', status: 400, message: /malformed JSON/ },
  { name: 'items missing', method: 'POST', path: '/v1/items', body: {}, status: 400, message: /body\.items: .*expected array/ },
  { name: 'items not an array', method: 'POST', path: '/v1/items', body: { items: 'x' }, status: 400, message: /body\.items: .*expected array/ },
  { name: 'items empty', method: 'POST', path: '/v1/items', body: { items: [] }, status: 400, message: /body\.items: must contain at least one item/ },
  { name: 'item without text', method: 'POST', path: '/v1/items', body: { items: [{ id: 'n1' }] }, status: 400, message: /body\.items\[0\]\.text: is required/ },
  { name: 'item text is a number', method: 'POST', path: '/v1/items', body: item({ text: 42 }), status: 400, message: /body\.items\[0\]\.text: must be a string/ },
  { name: 'item text blank', method: 'POST', path: '/v1/items', body: item({ text: '   ' }), status: 400, message: /body\.items\[0\]\.text: must not be empty/ },
  { name: 'item id blank', method: 'POST', path: '/v1/items', body: item({ id: ' ' }), status: 400, message: /body\.items\[0\]\.id: must be a non-empty string/ },
  { name: 'item id an object', method: 'POST', path: '/v1/items', body: item({ id: { $ne: 1 } }), status: 400, message: /body\.items\[0\]\.id/ },
  { name: 'item not an object', method: 'POST', path: '/v1/items', body: { items: ['just text'] }, status: 400, message: /body\.items\[0\]: expected a JSON object/ },
  { name: 'text over KGAL_MAX_TEXT_CHARS (100,000 here)', method: 'POST', path: '/v1/items', body: item({ text: 'x'.repeat(100_001) }), status: 400, message: /body\.items\[0\]\.text: must be at most 100000 characters.*KGAL_MAX_TEXT_CHARS/ },
  { name: 'meta nested 5,000 levels deep', method: 'POST', path: '/v1/items', body: deepMetaBody, status: 400, message: /body\.items\[0\]\.meta(\.a)+: nested more than 32 levels deep.*nothing written/ },
  { name: 'meta over 64 KiB as JSON', method: 'POST', path: '/v1/items', body: item({ notes: 'n'.repeat(70_000) }), status: 400, message: /body\.items\[0\]: metadata is \d+ bytes as JSON, over the limit of 65536/ },
  { name: '__proto__ key in meta', method: 'POST', path: '/v1/items', body: '{"items":[{"id":"p-1","text":"A text.","meta":{"__proto__":{"polluted":true}}}]}', status: 400, message: /body\.items\[0\]\.meta\.__proto__: the key "__proto__" is not allowed/ },
  { name: 'item label outside KGAL_LABELS', method: 'POST', path: '/v1/items', body: item({ label: 'Food' }), status: 400, message: /body\.items\[0\]\.label: unknown label "Food" \(allowed: Airport, City, Astronaut/ },
  { name: 'item upsert relabeling an item leased to another annotator', method: 'POST', path: '/v1/items', body: { items: [{ id: leasedToOther, text: rows[1]!.text, label: 'City' }] }, status: 409, message: /lease conflict: .*is leased to "ann-1"/ },
  { name: 'item upsert with a label different from the stored one', method: 'POST', path: '/v1/items', body: { items: [{ id: labeled, text: rows[2]!.text, label: 'City' }] }, status: 409, message: /label conflict: .*is labeled "Airport", not "City"/ },
  { name: 'read without the API key', method: 'GET', path: '/v1/stats', headers: { authorization: '' }, status: 401, message: /API key/ },
  { name: 'item (text, annotator, history) without the API key', method: 'GET', path: `/v1/items/${encodeURIComponent(known)}`, headers: { authorization: '' }, status: 401, message: /API key/ },
  {
    name: 'one bad row among good ones (nothing written)',
    method: 'POST',
    path: '/v1/items',
    body: { items: [{ id: 'ok-1', text: 'Fine text.' }, { id: 'ok-2', text: '' }] },
    status: 400,
    message: /body\.items\[1\]\.text: must not be empty.*nothing written/,
  },
  {
    name: 'conflicting duplicate ids in one batch',
    method: 'POST',
    path: '/v1/items',
    body: { items: [{ id: 'd1', text: 'one' }, { id: 'd1', text: 'two' }] },
    status: 400,
    message: /body\.items\[1\]\.id: duplicate id "d1"/,
  },
  { name: 'unknown top-level field', method: 'POST', path: '/v1/items', body: { items: [{ id: 'a', text: 'b' }], extra: 1 }, status: 400, message: /body: unknown field\(s\): extra/ },
  { name: 'body over the size limit', method: 'POST', path: '/v1/items', body: { items: [{ id: 'big', text: 'y'.repeat(1_200_000) }] }, status: 413, message: /too large/ },
  { name: 'write without the API key', method: 'POST', path: '/v1/items', body: item({}), headers: { authorization: '' }, status: 401, message: /API key/ },
  { name: 'write with a wrong API key', method: 'POST', path: '/v1/labels', body: { labels: [{ id: known, label: 'City' }] }, headers: { 'x-api-key': 'nope', authorization: '' }, status: 401, message: /API key/ },
  // POST /v1/query
  { name: 'query without batchSize', method: 'POST', path: '/v1/query', body: {}, status: 400, message: /body\.batchSize/ },
  { name: 'batchSize 0', method: 'POST', path: '/v1/query', body: { batchSize: 0 }, status: 400, message: /body\.batchSize: must be >= 1/ },
  { name: 'batchSize as a string', method: 'POST', path: '/v1/query', body: { batchSize: '10' }, status: 400, message: /body\.batchSize: .*expected number/ },
  { name: 'batchSize too large', method: 'POST', path: '/v1/query', body: { batchSize: 1_000_000 }, status: 400, message: /body\.batchSize: must be <= 500/ },
  { name: 'batchSize not an integer', method: 'POST', path: '/v1/query', body: { batchSize: 2.5 }, status: 400, message: /body\.batchSize: must be an integer/ },
  { name: 'unknown strategy', method: 'POST', path: '/v1/query', body: { batchSize: 2, strategy: 'magic' }, status: 400, message: /body\.strategy: Invalid option/ },
  { name: 'negative weight', method: 'POST', path: '/v1/query', body: { batchSize: 2, weights: { coverage: -1 } }, status: 400, message: /body\.weights\.coverage: must be >= 0/ },
  { name: 'unknown weight component', method: 'POST', path: '/v1/query', body: { batchSize: 2, weights: { luck: 1 } }, status: 400, message: /body\.weights: unknown field\(s\): luck/ },
  { name: 'blank annotator', method: 'POST', path: '/v1/query', body: { batchSize: 2, annotator: '  ' }, status: 400, message: /body\.annotator: must be a non-empty string/ },
  { name: 'huge annotator', method: 'POST', path: '/v1/query', body: { batchSize: 2, annotator: 'a'.repeat(10_000) }, status: 400, message: /body\.annotator: must be at most 200 characters/ },
  { name: 'query body is an array', method: 'POST', path: '/v1/query', body: [1, 2], status: 400, message: /body: .*expected object/ },
  // POST /v1/labels
  { name: 'labels missing', method: 'POST', path: '/v1/labels', body: {}, status: 400, message: /body\.labels/ },
  { name: 'label missing', method: 'POST', path: '/v1/labels', body: { labels: [{ id: known }] }, status: 400, message: /body\.labels\[0\]\.label/ },
  { name: 'label not a string', method: 'POST', path: '/v1/labels', body: { labels: [{ id: known, label: 7 }] }, status: 400, message: /body\.labels\[0\]\.label: .*expected string/ },
  { name: 'label blank', method: 'POST', path: '/v1/labels', body: { labels: [{ id: known, label: ' ' }] }, status: 400, message: /body\.labels\[0\]\.label: must be a non-empty string/ },
  { name: 'label outside the label set', method: 'POST', path: '/v1/labels', body: { labels: [{ id: known, label: 'Weather' }] }, status: 400, message: /body\.labels\[0\]\.label: unknown label "Weather"/ },
  {
    name: 'two different labels for one item in a batch',
    method: 'POST',
    path: '/v1/labels',
    body: { labels: [{ id: known, label: 'City' }, { id: known, label: 'Airport' }] },
    status: 400,
    message: /body\.labels\[1\]\.id: item .* is labeled "City" at labels\[0\] and "Airport" here/,
  },
  {
    name: 'unknown item id among known ones (nothing written)',
    method: 'POST',
    path: '/v1/labels',
    body: { labels: [{ id: known, label: 'City' }, { id: 'ghost', label: 'City' }] },
    status: 404,
    message: /unknown item id\(s\): "ghost"; nothing written/,
  },
  { name: 'injection string as an unknown id', method: 'POST', path: '/v1/labels', body: { labels: [{ id: INJECTION, label: 'City' }] }, status: 404, message: /unknown item id/ },
  {
    name: 'a different label for a labeled item without overwrite',
    method: 'POST',
    path: '/v1/labels',
    body: { labels: [{ id: labeled, label: 'City' }] },
    status: 409,
    message: /label conflict: .* is labeled "Airport", not "City"/,
  },
  {
    name: 'a label for an item leased to another annotator',
    method: 'POST',
    path: '/v1/labels',
    body: { labels: [{ id: leasedToOther, label: 'City', annotator: 'ann-2' }] },
    status: 409,
    message: /lease conflict: .* is leased to "ann-1"/,
  },
  { name: 'labels sent as text/plain', method: 'POST', path: '/v1/labels', body: 'labels=1', headers: { 'content-type': 'text/plain' }, status: 400, message: /body: .*expected object/ },
  // GET routes
  { name: 'unknown item', method: 'GET', path: '/v1/items/ghost', status: 404, message: /unknown item id "ghost"/ },
  { name: 'item id over 512 characters', method: 'GET', path: `/v1/items/${'i'.repeat(600)}`, status: 400, message: /params\.id: must be at most 512 characters/ },
  { name: 'injection string as an item id', method: 'GET', path: `/v1/items/${encodeURIComponent(INJECTION)}`, status: 404, message: /unknown item id/ },
  { name: 'gaps limit not a number', method: 'GET', path: '/v1/entities/gaps?limit=abc', status: 400, message: /query\.limit/ },
  { name: 'gaps limit 0', method: 'GET', path: '/v1/entities/gaps?limit=0', status: 400, message: /query\.limit: must be >= 1/ },
  { name: 'gaps unknown parameter', method: 'GET', path: '/v1/entities/gaps?sort=asc', status: 400, message: /query: unknown field\(s\): sort/ },
  { name: 'graph refresh with an unknown centrality', method: 'POST', path: '/v1/graph/refresh', body: { centrality: 'fame' }, status: 400, message: /body\.centrality: Invalid option/ },
  { name: 'unknown route', method: 'GET', path: '/v1/nothing', status: 404, message: /no route GET \/v1\/nothing/ },
];

const backends: Array<{ name: string; skip: boolean; open: () => Promise<GraphStore> }> = [
  { name: 'MemoryGraphStore', skip: false, open: () => MemoryGraphStore.open() },
  { name: 'Neo4jGraphStore', skip: neo4jSkipped(), open: () => freshNeo4jStore() },
];

for (const backend of backends) {
  describe.skipIf(backend.skip)(`API bad input (${cases.length} cases): ${backend.name}`, () => {
    let store: GraphStore;
    let api: Awaited<ReturnType<typeof startApi>>;
    beforeAll(async () => {
      store = await backend.open();
      api = await startApi(store, { apiKey: API_KEY, labels: ['Airport', 'City', 'Astronaut'] });
      expect((await call(api.url, 'POST', '/v1/items', { items: rows.map(({ id, text }) => ({ id, text })) }, auth)).status).toBe(200);
      expect((await call(api.url, 'POST', '/v1/labels', { labels: [{ id: labeled, label: 'Airport' }] }, auth)).status).toBe(200);
      await store.leaseItems({ ids: [leasedToOther], holder: 'ann-1', durationMs: 3_600_000 });
    });
    afterAll(async () => {
      await api?.close();
      await store?.close();
    });

    it('has at least 30 cases', () => {
      expect(cases.length).toBeGreaterThanOrEqual(30);
    });

    for (const c of cases) {
      it(`${c.method} ${c.path.slice(0, 40)}: ${c.name} → ${c.status}, store unchanged`, async () => {
        const before = await storeFingerprint(store);
        const reply = await call(api.url, c.method, c.path, c.body, { ...auth, ...c.headers });
        expect(reply.status).toBe(c.status);
        expect(reply.body.error).toMatch(c.message);
        expect(JSON.stringify(reply.body)).not.toMatch(/\n\s+at /); // no stack traces
        expect(await storeFingerprint(store)).toBe(before);
      });
    }

    it('an injection string is stored literally, as data', async () => {
      // As a label it is outside KGAL_LABELS (400); as id and text it is stored as given.
      expect((await call(api.url, 'POST', '/v1/items', { items: [{ id: INJECTION, text: 'x', label: INJECTION }] }, auth)).status).toBe(400);
      const reply = await call(api.url, 'POST', '/v1/items', { items: [{ id: INJECTION, text: `${INJECTION} in a text`, label: 'City' }] }, auth);
      expect(reply.status).toBe(200);
      const stored = await call(api.url, 'GET', `/v1/items/${encodeURIComponent(INJECTION)}`, undefined, auth);
      expect(stored.body).toMatchObject({ id: INJECTION, text: `${INJECTION} in a text`, label: 'City' });
      expect((await store.stats()).items).toBe(rows.length + 1);
    });

    it('a label given with an item is a label event in its history, once', async () => {
      const body = { items: [{ id: 'with-label', text: 'Kastrup is the airport of Copenhagen.', label: 'Airport' }] };
      expect((await call(api.url, 'POST', '/v1/items', body, auth)).status).toBe(200);
      expect((await call(api.url, 'POST', '/v1/items', body, auth)).status).toBe(200); // same label again: no new event
      const stored = await call(api.url, 'GET', '/v1/items/with-label', undefined, auth);
      expect(stored.body).toMatchObject({ label: 'Airport' });
      expect(stored.body.labelHistory.map((e: { label: string }) => e.label)).toEqual(['Airport']);
    });

    it('an item upsert with overwrite: true relabels (with a history event); a lease still refuses it', async () => {
      const body = { items: [{ id: 'relabel-1', text: 'Billund Airport is in Denmark.', label: 'City' }] };
      expect((await call(api.url, 'POST', '/v1/items', body, auth)).status).toBe(200);
      const relabel = { items: [{ ...body.items[0]!, label: 'Airport' }] };
      expect((await call(api.url, 'POST', '/v1/items', relabel, auth)).status).toBe(409);
      expect((await call(api.url, 'POST', '/v1/items', { ...relabel, overwrite: true }, auth)).status).toBe(200);
      const stored = await call(api.url, 'GET', '/v1/items/relabel-1', undefined, auth);
      expect(stored.body.labelHistory.map((e: { label: string }) => e.label)).toEqual(['City', 'Airport']);
      const leased = { items: [{ id: leasedToOther, text: rows[1]!.text, label: 'City' }], overwrite: true };
      expect((await call(api.url, 'POST', '/v1/items', leased, auth)).status).toBe(409);
    });

    it('liveness, readiness and the OpenAPI document stay open; every error carries its kind', async () => {
      for (const path of ['/health', '/ready', '/openapi.json']) expect((await call(api.url, 'GET', path)).status, path).toBe(200);
      expect((await call(api.url, 'GET', '/v1/stats', undefined, { 'x-api-key': API_KEY })).status).toBe(200);
      expect((await call(api.url, 'GET', '/v1/stats')).body).toMatchObject({ code: 'rejected' });
      expect((await call(api.url, 'POST', '/v1/items', deepMetaBody, auth)).body).toMatchObject({ code: 'rejected' });
      expect((await call(api.url, 'POST', '/v1/labels', { labels: [{ id: labeled, label: 'City' }] }, auth)).body).toMatchObject({ code: 'conflict' });
    });
  });
}
