import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Neo4jGraphStore } from '../src/store/neo4j-store.js';
import { call, startApi, webnlgRows } from './support/api.js';
import { freshNeo4jStore, neo4jSkipped } from './support/neo4j.js';

const ANNOTATORS = 8;
const CYCLES = 50;

/**
 * Two API instances (each with its own driver, as two processes would be) share one Neo4j; 8 annotators
 * run 50 query/label cycles each at the same time. Every pick comes from the `coverage` preset, so all
 * annotators want the same top items: leases decided in the database must keep them apart.
 */
describe.skipIf(neo4jSkipped())('API under concurrent annotators (Neo4j, two API instances)', () => {
  let stores: Neo4jGraphStore[];
  let apis: Array<Awaited<ReturnType<typeof startApi>>>;
  const rows = webnlgRows(ANNOTATORS * CYCLES + 100);

  beforeAll(async () => {
    const first = await freshNeo4jStore();
    const { connect } = await import('../src/store/neo4j-store.js').then((m) => ({ connect: m.Neo4jGraphStore.connect }));
    const second = await connect({ uri: process.env.NEO4J_URI!, database: process.env.NEO4J_DATABASE ?? 'neo4j' });
    stores = [first, second];
    apis = [await startApi(first), await startApi(second)];
    expect((await call(apis[0]!.url, 'POST', '/v1/items', { items: rows.map(({ id, text }) => ({ id, text })) })).status).toBe(200);
    expect((await call(apis[1]!.url, 'POST', '/v1/graph/refresh', {})).status).toBe(200);
  });
  afterAll(async () => {
    for (const api of apis ?? []) await api.close();
    for (const store of stores ?? []) await store.close();
  });

  it('never leases an item to two annotators, and stores every acknowledged label exactly once', async () => {
    const categoryOf = new Map(rows.map((r) => [r.id, r.category]));
    const pickedBy = new Map<string, string>();
    const violations: string[] = [];
    const acknowledged = new Map<string, string>();
    let picks = 0;
    let reselections = 0;

    const annotator = async (n: number): Promise<void> => {
      const name = `ann-${n}`;
      const url = apis[n % 2]!.url;
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        const query = await call(url, 'POST', '/v1/query', { batchSize: 1, strategy: 'coverage', annotator: name, seed: n });
        expect(query.status).toBe(200);
        reselections += query.body.leaseAttempts - 1;
        for (const pick of query.body.picks as Array<{ id: string }>) {
          picks += 1;
          // Leases never expire during the test and labeled items are never candidates: an item handed out twice is a violation.
          const earlier = pickedBy.get(pick.id);
          if (earlier !== undefined) violations.push(`${pick.id} leased to ${earlier} and then to ${name}`);
          pickedBy.set(pick.id, name);
          const label = await call(url, 'POST', '/v1/labels', { labels: [{ id: pick.id, label: categoryOf.get(pick.id), annotator: name }] });
          expect(label.status).toBe(200);
          if ((label.body.written as string[]).includes(pick.id)) acknowledged.set(pick.id, name);
        }
      }
    };
    await Promise.all(Array.from({ length: ANNOTATORS }, (_, n) => annotator(n)));

    // How often a concurrent query won a pick first and the loser selected again (the race path).
    process.stdout.write(`api-concurrency: ${reselections} reselections after lost lease races\n`);
    expect(violations).toEqual([]);
    expect(picks).toBe(ANNOTATORS * CYCLES);
    expect(acknowledged.size).toBe(ANNOTATORS * CYCLES);
    const stats = await stores[0]!.stats();
    expect(stats.labeledItems).toBe(acknowledged.size);
    expect(await stores[0]!.activeLeases()).toEqual([]);
    for (const [id, name] of acknowledged) {
      const history = await stores[0]!.getLabelHistory(id);
      expect(history.map((e) => [e.label, e.annotator])).toEqual([[categoryOf.get(id), name]]);
    }
  }, 600_000);
});
