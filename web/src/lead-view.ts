import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, type Campaign, type Gap, type Stats, type StopSignal } from './api.js';
import { BarChart, LineChart } from './charts.js';

interface LeadData {
  stats: Stats;
  /** Absent when the server has no GET /v1/campaign. */
  campaign?: Campaign;
  gaps: Gap[];
}

const share = (v: number | undefined): string => (v === undefined ? '–' : `${(v * 100).toFixed(1)}%`);

/** The lead's view: labels per class and annotator, knowledge coverage over rounds, top gaps, the stop signal. */
export function LeadView() {
  const [data, setData] = useState<LeadData | undefined>(undefined);
  const [error, setError] = useState('');

  useEffect(() => {
    let stop = false;
    const load = async () => {
      try {
        const [stats, campaign, gaps] = await Promise.all([
          api<Stats>('GET', '/v1/stats'),
          api<Campaign>('GET', '/v1/campaign').catch((e: unknown) => {
            if (e instanceof ApiError && e.status === 404) return undefined;
            throw e;
          }),
          api<{ gaps: Gap[] }>('GET', '/v1/entities/gaps?limit=10'),
        ]);
        if (!stop) setData({ stats, gaps: gaps.gaps, ...(campaign ? { campaign } : {}) });
      } catch (e) {
        if (!stop) setError(e instanceof Error ? e.message : String(e));
      }
    };
    void load();
    const timer = setInterval(load, 10_000);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, []);

  if (error) return html`<section class="card error">${error}</section>`;
  if (!data) return html`<section class="card"><p class="muted">Loading the campaign…</p></section>`;
  const { stats, campaign, gaps } = data;
  const stopSignal: StopSignal | undefined = campaign?.stopSignal ?? stats.stopSignal;
  const rounds = campaign?.rounds ?? [];
  return html`
    <div class="lead" data-testid="lead">
      <section class="card figures">
        <div><b>${stats.labeledItems}</b><span>labeled of ${stats.items}</span></div>
        <div><b>${stats.embeddedItems}</b><span>embedded</span></div>
        <div><b>${share(stats.coverage.massShare)}</b><span>centrality mass covered</span></div>
        <div><b>${share(stats.coverage.entityShare)}</b><span>entities covered</span></div>
        <div><b>${stats.activeLeases}</b><span>items reserved now</span></div>
      </section>
      <section class=${`card stop ${stopSignal?.stop ? 'stop-yes' : ''}`} data-testid="stop-signal">
        <h3>Stop signal</h3>
        ${stopSignal
          ? html`<p class="sentence">${stopSignal.sentence}</p>
              <ul class="rules">
                ${stopSignal.rules.map((r) => html`<li class=${r.met ? 'met' : ''}><b>${r.met ? '✓' : '○'} ${r.rule}</b> — ${r.detail}</li>`)}
              </ul>`
          : html`<p class="muted">This server does not compute a stop signal.</p>`}
      </section>
      <div class="columns">
        <section class="card">
          <h3>Labels per class</h3>
          <${BarChart} data=${campaign?.labelsByClass ?? stats.labels} testid="labels-by-class" />
        </section>
        <section class="card">
          <h3>Labels per annotator</h3>
          ${campaign ? html`<${BarChart} data=${campaign.labelsByAnnotator} testid="labels-by-annotator" />` : html`<p class="muted">Needs GET /v1/campaign.</p>`}
        </section>
      </div>
      <section class="card">
        <h3>Knowledge coverage over rounds</h3>
        <${LineChart}
          testid="coverage-chart"
          xLabel="labeled items"
          series=${[
            { name: 'centrality mass covered', color: '#2e7d32', points: rounds.map((r) => ({ x: r.labeled, y: r.coverage })) },
            { name: 'mean model uncertainty', color: '#c62828', points: rounds.filter((r) => r.meanUncertainty !== null).map((r) => ({ x: r.labeled, y: r.meanUncertainty! })) },
            { name: 'agreement with previous round (kappa)', color: '#1565c0', points: rounds.filter((r) => r.kappa !== null).map((r) => ({ x: r.labeled, y: r.kappa! })) },
          ]}
        />
      </section>
      <section class="card">
        <h3>Top gaps: central entities no label covers yet</h3>
        <table class="gaps" data-testid="gaps">
          <thead><tr><th>entity</th><th>type</th><th>centrality</th><th>labeled items</th><th>gap</th></tr></thead>
          <tbody>
            ${gaps.map((g) => html`<tr><td>${g.name}</td><td>${g.type ?? ''}</td><td>${g.centrality.toFixed(4)}</td><td>${g.coverage}</td><td>${g.gap.toFixed(4)}</td></tr>`)}
          </tbody>
        </table>
      </section>
    </div>
  `;
}
