import { html } from 'htm/preact';

/** Small inline SVG charts (no chart library: two shapes are all the lead's view needs). */

const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** Horizontal bars, one per key, largest first. */
export function BarChart({ data, testid }: { data: Record<string, number>; testid?: string }) {
  const rows = Object.entries(data).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (rows.length === 0) return html`<p class="muted">No labels yet.</p>`;
  const max = Math.max(...rows.map(([, v]) => v), 1);
  const rowHeight = 22;
  const labelWidth = 120;
  const width = 420;
  return html`<svg class="chart" data-testid=${testid} viewBox=${`0 0 ${width} ${rows.length * rowHeight + 4}`} width=${width} height=${rows.length * rowHeight + 4} role="img">
    ${rows.map(([key, value], i) => {
      const w = ((width - labelWidth - 50) * value) / max;
      const y = i * rowHeight + 2;
      return html`<g>
        <text x=${labelWidth - 6} y=${y + 15} text-anchor="end" class="axis">${key.length > 18 ? `${key.slice(0, 17)}…` : key}</text>
        <rect x=${labelWidth} y=${y + 3} width=${Math.max(w, 1)} height=${rowHeight - 6} fill=${PALETTE[i % PALETTE.length]} rx="2"></rect>
        <text x=${labelWidth + w + 6} y=${y + 15} class="value">${value}</text>
      </g>`;
    })}
  </svg>`;
}

export interface Series {
  name: string;
  color: string;
  points: Array<{ x: number; y: number }>;
}

/** Lines over rounds (x) for values in [0, 1] (y), with a legend. */
export function LineChart({ series, xLabel, testid }: { series: Series[]; xLabel: string; testid?: string }) {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return html`<p class="muted">No rounds yet: rounds are recorded as queries see new labels.</p>`;
  const width = 460;
  const height = 200;
  const pad = { left: 36, right: 12, top: 10, bottom: 30 };
  const xs = all.map((p) => p.x);
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs, xMin + 1);
  const sx = (x: number) => pad.left + ((x - xMin) / (xMax - xMin)) * (width - pad.left - pad.right);
  const sy = (y: number) => pad.top + (1 - Math.max(0, Math.min(1, y))) * (height - pad.top - pad.bottom);
  return html`<div>
    <svg class="chart" data-testid=${testid} viewBox=${`0 0 ${width} ${height}`} width=${width} height=${height} role="img">
      ${[0, 0.25, 0.5, 0.75, 1].map(
        (t) => html`<g><line x1=${pad.left} x2=${width - pad.right} y1=${sy(t)} y2=${sy(t)} class="grid"></line><text x=${pad.left - 4} y=${sy(t) + 4} text-anchor="end" class="axis">${t}</text></g>`,
      )}
      <text x=${(width + pad.left) / 2} y=${height - 6} text-anchor="middle" class="axis">${xLabel}</text>
      <text x=${pad.left} y=${height - 6} text-anchor="middle" class="axis">${xMin}</text>
      <text x=${width - pad.right} y=${height - 6} text-anchor="end" class="axis">${xMax}</text>
      ${series.map(
        (s) => html`<g>
          <polyline fill="none" stroke=${s.color} stroke-width="2" points=${s.points.map((p) => `${sx(p.x)},${sy(p.y)}`).join(' ')}></polyline>
          ${s.points.map((p) => html`<circle cx=${sx(p.x)} cy=${sy(p.y)} r="2.5" fill=${s.color}></circle>`)}
        </g>`,
      )}
    </svg>
    <p class="legend">${series.map((s) => html`<span><i style=${`background:${s.color}`}></i>${s.name}</span>`)}</p>
  </div>`;
}
