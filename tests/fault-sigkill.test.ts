import type { ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { GraphStore } from '../src/store/graph-store.js';
import { MemoryGraphStore } from '../src/store/memory-store.js';
import { kgalBin } from './support/cli.js';
import { tempDir } from './support/fixtures.js';
import { startKgalServe } from './support/serve.js';
import { connectNeo4jStore, freshNeo4jStore, neo4jSkipped, neo4jTestUri } from './support/neo4j.js';

/**
 * Fault test of durability under `kgal serve`, on both stores: several clients post labels while the server
 * is killed with SIGKILL at random moments, again and again; after every kill, every label the server
 * acknowledged with a 2xx must be in the store. With the embedded store's former 5 s snapshots this lost
 * most of the labels of each run (KGAL_FAULT_CLI=<an older dist/src/cli/main.js> runs it against another
 * build). On Neo4j the kgal process dies, the database does not: a 2xx must mean a committed transaction.
 */
const cli = process.env.KGAL_FAULT_CLI || kgalBin;
const KILLS = Number(process.env.KGAL_FAULT_KILLS ?? 12);
const CLIENTS = 4;
const ITEMS = 400;

/** Where the server keeps its data: an embedded store's folder, or the test Neo4j. */
interface Backend {
  name: string;
  skip: boolean;
  env(): Record<string, string>;
  prepare(): Promise<void>;
  /** A store to check against, opened as a new process would (read-only for the embedded store). */
  reader(): Promise<GraphStore>;
}

function startServer(backend: Backend): Promise<{ url: string; child: ChildProcess; exited: Promise<void> }> {
  return startKgalServe({ ...backend.env(), KGAL_LOG_LEVEL: 'silent' }, cli);
}

interface Ack {
  id: string;
  label: string;
}

/** One annotator: posts labels (1-3 per request, overwrite, each a new label) for its own items until the server goes away. */
async function annotate(url: string, client: number, round: number, acked: Ack[], stop: { now: boolean }): Promise<number> {
  let requests = 0;
  for (let n = 0; !stop.now; n += 1) {
    const size = 1 + ((n + client) % 3);
    const labels = Array.from({ length: size }, (_, k) => {
      const index = (client + CLIENTS * ((n * 3 + k) % (ITEMS / CLIENTS))) % ITEMS;
      return { id: `item-${index}`, label: `c${client}-r${round}-n${n}-k${k}`, annotator: `ann-${client}` };
    });
    try {
      const response = await fetch(`${url}/v1/labels`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ labels, overwrite: true }),
      });
      requests += 1;
      if (response.ok) {
        const report = (await response.json()) as { written: string[] };
        if (report.written.length !== labels.length) throw new Error(`unexpected report ${JSON.stringify(report)}`);
        acked.push(...labels.map(({ id, label }) => ({ id, label })));
      } else {
        throw new Error(`HTTP ${response.status}: ${await response.text()}`);
      }
    } catch (error) {
      if (stop.now || (error as { cause?: { code?: string } }).cause?.code !== undefined || (error as Error).message === 'fetch failed') return requests;
      throw error;
    }
  }
  return requests;
}

/** Acknowledged labels missing from the store's label history (read as a new process would, without the lock). */
async function lostLabels(backend: Backend, acked: readonly Ack[]): Promise<Ack[]> {
  const store = await backend.reader();
  try {
    const lost: Ack[] = [];
    const histories = new Map<string, Set<string>>();
    for (const ack of acked) {
      let labels = histories.get(ack.id);
      if (!labels) {
        labels = new Set((await store.getLabelHistory(ack.id)).map((e) => e.label));
        histories.set(ack.id, labels);
      }
      if (!labels.has(ack.label)) lost.push(ack);
    }
    return lost;
  } finally {
    await store.close();
  }
}

function embeddedBackend(): Backend {
  let dataDir = '';
  return {
    name: 'the embedded store',
    skip: false,
    env: () => ({ NEO4J_URI: '', KGAL_DATA_DIR: dataDir }),
    prepare: async () => void (dataDir = await tempDir('kgal-fault-')),
    reader: () => MemoryGraphStore.open({ dataDir, readOnly: true }),
  };
}

function neo4jBackend(): Backend {
  return {
    name: 'Neo4j',
    skip: neo4jSkipped(),
    env: () => ({ NEO4J_URI: neo4jTestUri()!, NEO4J_DATABASE: process.env.NEO4J_DATABASE ?? 'neo4j' }),
    prepare: async () => (await freshNeo4jStore()).close(),
    reader: () => connectNeo4jStore(),
  };
}

describe.each([embeddedBackend(), neo4jBackend()])('kgal serve on $name, killed with SIGKILL while clients post labels', (backend) => {
  it.skipIf(backend.skip)(`keeps every acknowledged label through ${KILLS} kills`, { timeout: 240_000 }, async () => {
    await backend.prepare();
    const first = await startServer(backend);
    const items = Array.from({ length: ITEMS }, (_, i) => ({ id: `item-${i}`, text: `Item ${i} of the fault test.` }));
    expect((await fetch(`${first.url}/v1/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items }) })).status).toBe(200);
    first.child.kill('SIGTERM');
    await first.exited;

    const acked: Ack[] = [];
    const rounds: Array<{ killAfterMs: number; acked: number; lost: number }> = [];
    let seed = 12345;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < KILLS; round += 1) {
      const { url, child, exited } = await startServer(backend);
      const before = acked.length;
      const stop = { now: false };
      const clients = Array.from({ length: CLIENTS }, (_, c) => annotate(url, c, round, acked, stop));
      const killAfterMs = Math.round(200 + random() * 1300);
      await new Promise((resolve) => setTimeout(resolve, killAfterMs));
      child.kill('SIGKILL');
      stop.now = true;
      await exited;
      await Promise.all(clients);
      const lost = await lostLabels(backend, acked);
      rounds.push({ killAfterMs, acked: acked.length - before, lost: lost.length });
      expect(lost, `round ${round}: acknowledged labels missing after kill -9`).toEqual([]);
    }
    const total = rounds.reduce((n, r) => n + r.acked, 0);
    process.stderr.write(`fault test (${backend.name}): ${rounds.length} kills, ${total} labels acknowledged with 2xx, 0 lost (per kill: ${rounds.map((r) => `${r.acked}@${r.killAfterMs}ms`).join(', ')})\n`);
    expect(total).toBeGreaterThan(KILLS * 20);
  });
});
