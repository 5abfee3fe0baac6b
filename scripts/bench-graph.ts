/**
 * Graph refresh at scale: a seeded synthetic entity graph (default 100k entities, 1M distinct co-occurring
 * pairs, power-law-ish degrees with planted communities) analysed in one run by
 *   naive: buildEntityGraph (graphology) + graphology-metrics pagerank + graphology-communities-louvain,
 *   kgal:  analyzeEntityGraph (CSR adjacency + CSR PageRank + the same Louvain over a CSR view),
 * plus the other centrality measures and the coverage gain of 100k items. Prints a table.
 *
 *   npx tsc -p . && node dist/scripts/bench-graph.js [--nodes 100000] [--edges 1000000] [--seed 1] [--skip-naive]
 */
import { parseArgs } from 'node:util';
import louvain from 'graphology-communities-louvain';
import pagerankGraphology from 'graphology-metrics/centrality/pagerank.js';
import { computeCentrality } from '../graph/centrality.js';
import { detectCommunities, modularity } from '../graph/communities.js';
import { coverageCounts, entityGaps, itemCommunityTerms, communityCoverage, itemGains } from '../graph/coverage.js';
import { buildEntityGraph, type EntityGraphInput } from '../graph/entity-graph.js';
import { packItemIds } from '../graph/entity-index.js';
import { seededRandom } from '../graph/random.js';
import { analyzeEntityGraph } from '../graph/refresh.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '100000' },
    edges: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '1' },
    'skip-naive': { type: 'boolean', default: false },
  },
});
const nodeCount = Number(values.nodes);
const edgeCount = Number(values.edges);
const seed = Number(values.seed);

/**
 * Chung–Lu-style sampling: node weights w_i ∝ (rank + 1)^-0.6 (shuffled), so degrees are heavy-tailed;
 * 70% of edges stay inside a block of 100 consecutive ids (planted communities), 30% go anywhere.
 * Distinct pairs only; co-occurrence weights uniform in 1..5; keys "e<i>" with a < b as the stores emit.
 */
function syntheticEntityGraph(n: number, m: number, seedValue: number): EntityGraphInput {
  const random = seededRandom(seedValue);
  const weight = new Float64Array(n);
  for (let i = 0; i < n; i++) weight[i] = Math.pow(i + 1, -0.6);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = weight[i]!;
    weight[i] = weight[j]!;
    weight[j] = t;
  }
  const cumulative = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) cumulative[i + 1] = cumulative[i]! + weight[i]!;
  const pick = (lo: number, hi: number): number => {
    const r = cumulative[lo]! + random() * (cumulative[hi]! - cumulative[lo]!);
    let a = lo;
    let b = hi - 1;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (cumulative[mid + 1]! <= r) a = mid + 1;
      else b = mid;
    }
    return a;
  };
  const block = 100;
  const keys = Array.from({ length: n }, (_, i) => `e${i}`);
  const seen = new Set<number>();
  const cooccurrences: Array<{ a: string; b: string; weight: number }> = [];
  while (cooccurrences.length < m) {
    const a = pick(0, n);
    const start = Math.floor(a / block) * block;
    const b = random() < 0.7 ? pick(start, Math.min(n, start + block)) : pick(0, n);
    if (a === b) continue;
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    const pair = lo * n + hi;
    if (seen.has(pair)) continue;
    seen.add(pair);
    const [ka, kb] = [keys[lo]!, keys[hi]!].sort();
    cooccurrences.push({ a: ka!, b: kb!, weight: 1 + Math.floor(random() * 5) });
  }
  return { entities: keys.map((key) => ({ key, name: key, type: 'topic', kg: false })), cooccurrences, relations: [] };
}

const ms = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1)).padStart(8);
const time = <T>(fn: () => T): [T, number] => {
  const start = performance.now();
  const result = fn();
  return [result, performance.now() - start];
};

const [input, generateMs] = time(() => syntheticEntityGraph(nodeCount, edgeCount, seed));
console.log(`synthetic entity graph: ${nodeCount} nodes, ${input.cooccurrences.length} co-occurring pairs (seed ${seed}, generated in ${ms(generateMs).trim()} ms)`);
console.log(`node ${process.version}, ${(await import('node:os')).cpus().length} CPUs\n`);

const runs = [analyzeEntityGraph(input), analyzeEntityGraph(input)];
const [cold, warm] = runs as [ReturnType<typeof analyzeEntityGraph>, ReturnType<typeof analyzeEntityGraph>];

const rows: Array<[string, string, string, string]> = [];
const kgalRow = (label: string, a: typeof cold): void => {
  rows.push([`kgal ${label}: build (CSR from edge lists)`, ms(a.stats.millis.build), '', '']);
  rows.push([`kgal ${label}: PageRank (weighted, CSR)`, ms(a.stats.millis.centrality), `${a.stats.centralityIterations} iterations`, '']);
  rows.push([`kgal ${label}: Louvain (library, CSR view)`, ms(a.stats.millis.communities), `${a.stats.communities} communities`, `Q = ${a.stats.modularity.toFixed(4)}`]);
  rows.push([`kgal ${label}: total`, ms(a.stats.millis.total), '', '']);
};
kgalRow('cold', cold);
kgalRow('warm', warm);

const adjacency = warm.adjacency;
{
  // graphology's default tolerance, and how far its result is from a tightly converged one.
  const [r, t] = time(() => computeCentrality(adjacency, { tolerance: 1e-6 }));
  const [tight] = time(() => computeCentrality(adjacency, { tolerance: 1e-12, maxIterations: 1000 }));
  const l1 = (a: Float64Array): string => {
    let sum = 0;
    for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - tight.values[i]!);
    return sum.toExponential(1);
  };
  rows.push([`kgal PageRank, tolerance 1e-6 (graphology's default)`, ms(t), `${r.iterations} iterations`, `L1 to converged ${l1(r.values)} (default: ${l1(warm.centrality.values)})`]);
}
for (const measure of ['degree', 'eigenvector'] as const) {
  const [r, t] = time(() => computeCentrality(adjacency, { measure }));
  rows.push([`kgal ${measure} centrality`, ms(t), r.iterations ? `${r.iterations} iterations` : '', '']);
}
for (const [label, options] of [
  ['fastLocalMoves: false', { fastLocalMoves: false }],
  ['randomWalk: false', { randomWalk: false }],
  ['resolution: 2', { resolution: 2 }],
] as const) {
  const [r, t] = time(() => detectCommunities(adjacency, options));
  rows.push([`kgal Louvain, ${label}`, ms(t), `${r.count} communities`, `Q = ${r.modularity.toFixed(4)}`]);
}
{
  const [r, t] = time(() => computeCentrality(adjacency, { measure: 'betweenness', betweennessSamples: 32 }));
  rows.push([`kgal betweenness, ${r.pivots} pivots (weighted)`, ms(t), `${(t / (r.pivots ?? 1)).toFixed(0)} ms / pivot`, '']);
}
{
  // 100k items x ~5 entities, 1k labeled.
  const random = seededRandom(seed + 1);
  const itemIds = Array.from({ length: 100_000 }, () =>
    Array.from({ length: 3 + Math.floor(random() * 5) }, () => Math.floor(random() * adjacency.order)),
  );
  const items = packItemIds(itemIds);
  const labeled = packItemIds(itemIds.slice(0, 1000));
  const centrality = warm.centrality.values;
  const [gains, t] = time(() => {
    const counts = coverageCounts(adjacency.order, labeled);
    const gaps = entityGaps(centrality, counts);
    const gain = itemGains(items, gaps);
    const communityGaps = communityCoverage(centrality, counts, warm.community.community).gap;
    itemCommunityTerms(items, warm.community.community, communityGaps);
    return gain;
  });
  rows.push([`coverage: gaps + G(x) + T(x) for ${items.count} items (${items.entities.length} mentions)`, ms(t), `max G = ${Math.max(...gains).toExponential(2)}`, '']);
}

if (!values['skip-naive']) {
  const [graph, buildMs] = time(() => buildEntityGraph(input));
  const [pr, prMs] = time(() => pagerankGraphology(graph, { getEdgeWeight: 'weight', tolerance: 1e-9, maxIterations: 200 }));
  const [communities, louvainMs] = time(() => louvain.detailed(graph, { getEdgeWeight: 'weight', rng: seededRandom(42) }));
  rows.push(['naive: buildEntityGraph (graphology updateEdge)', ms(buildMs), `${graph.order} nodes, ${graph.size} edges`, '']);
  rows.push(['naive: graphology-metrics pagerank (weighted, tolerance 1e-9)', ms(prMs), '', '']);
  rows.push(['naive: graphology-communities-louvain', ms(louvainMs), `${communities.count} communities`, `Q = ${communities.modularity.toFixed(4)}`]);
  rows.push(['naive: total', ms(buildMs + prMs + louvainMs), '', '']);
  let maxDiff = 0;
  const keys = cold.index.keys;
  for (let i = 0; i < keys.length; i++) maxDiff = Math.max(maxDiff, Math.abs(cold.centrality.raw[i]! - pr[keys[i]!]!));
  const naiveLabels = Int32Array.from(keys, (key) => communities.communities[key]!);
  rows.push(['check: max |PageRank kgal - graphology|', '', maxDiff.toExponential(2), '']);
  rows.push(['check: modularity of naive partition (recomputed)', '', '', `Q = ${modularity(adjacency, naiveLabels).toFixed(4)}`]);
}

const header = ['phase', 'ms', 'detail', 'quality'];
const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
const line = (r: readonly string[]): string => `| ${r.map((cell, c) => (c === 1 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w, c) => (c === 1 ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|')}|`);
for (const r of rows) console.log(line(r));
