import { describe, expect, it, vi } from 'vitest';
import { MemoryGraphStore } from '../src/store/memory-store.js';
import { call, startApi, webnlgRows } from './support/api.js';

describe('GET /v1/stats', () => {
  it('computes the coverage once per state of the store (shared by concurrent calls), and again after a label', async () => {
    const store = await MemoryGraphStore.open();
    const api = await startApi(store);
    try {
      const rows = webnlgRows(30, 97);
      expect((await call(api.url, 'POST', '/v1/items', { items: rows.map(({ id, text }) => ({ id, text })) })).status).toBe(200);
      const entityReads = vi.spyOn(store, 'listItemEntities');
      const replies = await Promise.all(Array.from({ length: 8 }, () => call(api.url, 'GET', '/v1/stats')));
      expect(replies.every((r) => r.status === 200)).toBe(true);
      expect(new Set(replies.map((r) => JSON.stringify(r.body))).size).toBe(1);
      expect(entityReads).toHaveBeenCalledTimes(1);
      expect(replies[0]!.body.coverage.coveredEntities).toBe(0);

      const withEntities = (await store.listItemEntities()).find((e) => e.keys.length > 0)!;
      entityReads.mockClear();
      expect((await call(api.url, 'POST', '/v1/labels', { labels: [{ id: withEntities.id, label: 'City' }] })).status).toBe(200);
      const after = await call(api.url, 'GET', '/v1/stats');
      expect(after.body.labeledItems).toBe(1);
      expect(after.body.coverage.coveredEntities).toBeGreaterThan(0);
      expect(entityReads).toHaveBeenCalledTimes(1);
    } finally {
      await api.close();
      await store.close();
    }
  });
});
