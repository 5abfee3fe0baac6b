import Graph from 'graphology';
import forceAtlas2 from 'graphology-layout-forceatlas2';
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import Sigma from 'sigma';
import { seededRandom } from '../../graph/random.js';
import { api } from './api.js';
import { setGraphState } from './page-log.js';

/** Colours: covered entities green, gaps red, the gaps the next batch fills blue. */
export const GRAPH_COLORS = { covered: '#1a9850', gap: '#d73027', nextBatch: '#2c7bb6' } as const;
const LIMIT = 300;
const NEXT_BATCH = 10;

interface EntityItems {
  key: string;
  name: string;
  total: number;
  items: Array<{ id: string; text: string; label?: string; annotator?: string }>;
}

/**
 * The knowledge graph drawn: GET /v1/graph (graphology's format) laid out with ForceAtlas2 and rendered by
 * sigma.js (WebGL); size by centrality, colour by coverage, the next batch's entities highlighted; a click
 * on an entity lists the items that mention it.
 */
export function GraphView() {
  const container = useRef<HTMLDivElement>(null);
  const [summary, setSummary] = useState('');
  const [error, setError] = useState('');
  const [selected, setSelected] = useState<EntityItems | undefined>(undefined);

  useEffect(() => {
    let renderer: Sigma | undefined;
    let stopped = false;
    (async () => {
      const body = await api<Parameters<typeof Graph.from>[0]>('GET', `/v1/graph?limit=${LIMIT}&nextBatch=${NEXT_BATCH}`);
      if (stopped || !container.current) return;
      const graph = Graph.from(body);
      const random = seededRandom(42); // the same graph is laid out the same way each time
      let covered = 0;
      let gaps = 0;
      let next = 0;
      graph.forEachNode((key, a) => {
        const kind = a.covered ? 'covered' : a.nextBatch ? 'nextBatch' : 'gap';
        if (kind === 'covered') covered += 1;
        else if (kind === 'nextBatch') next += 1;
        else gaps += 1;
        graph.mergeNodeAttributes(key, {
          x: random() * 100,
          y: random() * 100,
          color: GRAPH_COLORS[kind],
          // Entities the next batch fills stand out: drawn larger, above the rest, with their names.
          ...(kind === 'nextBatch' ? { size: (a.size as number) + 1.5, zIndex: 2 } : { zIndex: kind === 'covered' ? 1 : 0 }),
        });
      });
      graph.forEachEdge((edge, a) => graph.mergeEdgeAttributes(edge, { color: '#cfd8dc', size: Math.min(3, 0.5 + Math.log1p(a.weight as number) / 2) }));
      // Strong gravity keeps the many small components (texts that share no entity) near the centre.
      if (graph.order > 1) {
        forceAtlas2.assign(graph, { iterations: 300, settings: { ...forceAtlas2.inferSettings(graph), strongGravityMode: true, gravity: 0.05, scalingRatio: 20, barnesHutOptimize: graph.order > 500 } });
      }
      renderer = new Sigma(graph, container.current, {
        zIndex: true,
        labelRenderedSizeThreshold: 9,
        defaultEdgeColor: '#cfd8dc',
        labelFont: 'system-ui, sans-serif',
      });
      renderer.on('clickNode', ({ node }) => {
        api<EntityItems>('GET', `/v1/entities/${encodeURIComponent(node)}/items?limit=20`)
          .then(setSelected)
          .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
      });
      const attributes = graph.getAttributes() as { entities?: number; nextBatch?: { items: string[] } };
      setSummary(
        `${graph.order} most central of ${attributes.entities ?? graph.order} entities, ${graph.size} edges: ${covered} covered, ${gaps + next} gaps` +
          (attributes.nextBatch ? `, ${next} of them in the next ${attributes.nextBatch.items.length} items` : ''),
      );
      setGraphState({ rendered: true, nodes: graph.order, edges: graph.size, covered, gaps, nextBatch: next, colors: { ...GRAPH_COLORS } });
    })().catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
    return () => {
      stopped = true;
      renderer?.kill();
    };
  }, []);

  return html`
    <div class="graph-layout">
      <section class="card graph-card">
        <div class="graph-head">
          <span data-testid="graph-summary">${error || summary || 'Laying out the graph…'}</span>
          <span class="legend">
            <span><i style=${`background:${GRAPH_COLORS.covered}`}></i>covered by labels</span>
            <span><i style=${`background:${GRAPH_COLORS.gap}`}></i>gap</span>
            <span><i style=${`background:${GRAPH_COLORS.nextBatch}`}></i>gap the next batch fills</span>
          </span>
        </div>
        <div class="graph" ref=${container} data-testid="graph"></div>
        <p class="muted">Size: centrality. Click an entity to see the items that mention it.</p>
      </section>
      <aside class="card entity-items" data-testid="entity-items">
        ${selected
          ? html`<h3>${selected.name}</h3>
              <p class="muted">${selected.total} item(s) mention it</p>
              <ul>
                ${selected.items.map((i) => html`<li><code>${i.id}</code> ${i.label ? html`<span class="tag">${i.label}</span>` : html`<span class="tag open">unlabeled</span>`}<br />${i.text.length > 240 ? `${i.text.slice(0, 240)}…` : i.text}</li>`)}
              </ul>`
          : html`<p class="muted">Click an entity.</p>`}
      </aside>
    </div>
  `;
}
