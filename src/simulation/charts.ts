import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { aggregateRounds, hasMetric, type CurveMetric } from './aggregate-rounds.js';
import type { RoundRow } from './round-row.js';
import { isPeerRun, orderStrategies, strategyStyle } from './strategy-style.js';

/**
 * Charts of a simulation for people who would rather look than read: learning curves (accuracy and macro-F1
 * vs labels) and knowledge-coverage curves, each strategy's mean over repeats with a mean ± std band. Vega-Lite
 * specs compiled and rendered headlessly by Vega to SVG, then rasterised to PNG by resvg (no browser, no
 * canvas). Written as SVG (scalable, for browsers) and PNG (for READMEs and image viewers).
 */
export interface ChartOptions {
  /** Heading over every chart (e.g. the dataset and budget); default none. */
  title?: string;
  /** Extra font files for the PNG; system fonts are loaded anyway (docs: text needs at least one font). */
  fontFiles?: string[];
}

interface Panel {
  metric: CurveMetric;
  title: string;
  /** Coverage is a share of something: show it as percent from 0; accuracy zooms to where the curves are. */
  percent: boolean;
  /** Only rounds with at least this many labels (a zoom on the end of the campaign). */
  fromLabels?: number;
}

const LEARNING_PANELS: Panel[] = [
  { metric: 'accuracy', title: 'Accuracy', percent: false },
  { metric: 'macroF1', title: 'Macro-F1', percent: false },
];
const COVERAGE_PANELS: Panel[] = [
  { metric: 'centralityCoverage', title: 'Centrality (PageRank) mass covered', percent: true },
  { metric: 'entityCoverage', title: 'Entities covered', percent: true },
  { metric: 'goldEntityCoverage', title: 'Gold entities covered', percent: true },
  { metric: 'goldTripleCoverage', title: 'Gold triples covered', percent: true },
  { metric: 'goldTripleEndpointCoverage', title: 'Gold triples with subject and object covered', percent: true },
];

// A sans-serif list that resolves on common Linux, macOS and Windows installs; resvg maps the generic last.
const FONT_FAMILY = 'DejaVu Sans, Liberation Sans, Noto Sans, Helvetica, Arial, sans-serif';
/** Where Linux distributions put a sans-serif font; the first found names resvg's sans-serif family. */
const FONT_FILE_CANDIDATES = [
  { file: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', family: 'DejaVu Sans' },
  { file: '/usr/share/fonts/dejavu/DejaVuSans.ttf', family: 'DejaVu Sans' },
  { file: '/usr/share/fonts/TTF/DejaVuSans.ttf', family: 'DejaVu Sans' },
  { file: '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf', family: 'Liberation Sans' },
  { file: '/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf', family: 'Liberation Sans' },
];
const PANEL_WIDTH = 420;
const PANEL_HEIGHT = 280;
/** PNG pixels per SVG pixel: sharp on high-density screens, still small files. */
const PNG_ZOOM = 2;

/**
 * Writes `learning-curves.svg/.png` (accuracy and macro-F1 panels, plus a zoom on the second half of
 * the campaign when it has 6+ label counts) and, when any row has coverage figures,
 * `coverage.svg/.png` (one panel per coverage figure present) into `outDir`; returns the written paths.
 */
export async function renderCharts(rows: readonly RoundRow[], outDir: string, options: ChartOptions = {}): Promise<string[]> {
  if (rows.length === 0) throw new RangeError('renderCharts: no rows to draw');
  await mkdir(outDir, { recursive: true });
  const repeats = new Set(rows.map((r) => r.repeat)).size;
  const written: string[] = [];

  const learning = chartSpec(rows, [...LEARNING_PANELS, ...zoomPanels(rows)], { ...options, heading: 'Learning curves', columns: 2, repeats });
  written.push(...(await writeChart(learning, join(outDir, 'learning-curves'), options)));

  const coveragePanels = COVERAGE_PANELS.filter((p) => hasMetric(rows, p.metric));
  if (coveragePanels.length > 0) {
    const coverage = chartSpec(rows, coveragePanels, { ...options, heading: 'Knowledge coverage', columns: 2, repeats });
    written.push(...(await writeChart(coverage, join(outDir, 'coverage'), options)));
  }
  return written;
}

/**
 * The second half of the campaign, again, with the y axis fitted to it: early rounds (few labels, cold-start
 * dips) span most of the full panels' range, and the differences that matter at the budget would be a
 * pixel or two there. None for short campaigns (fewer than 6 label counts).
 */
function zoomPanels(rows: readonly RoundRow[]): Panel[] {
  const counts = [...new Set(rows.map((r) => r.labels))].sort((a, b) => a - b);
  if (counts.length < 6) return [];
  const from = counts[Math.floor(counts.length / 2)]!;
  return LEARNING_PANELS.map((p) => ({ ...p, title: `${p.title} from ${from} labels (zoom)`, fromLabels: from }));
}

interface SpecOptions {
  /** What the chart shows ("Learning curves"), before the caller's title. */
  heading: string;
  title?: string;
  columns: number;
  repeats: number;
}

/** A Vega-Lite spec: one layered (band + line) panel per metric, laid out in `columns`, one shared legend. */
export function chartSpec(rows: readonly RoundRow[], panels: readonly Panel[], options: SpecOptions): TopLevelSpec {
  const strategies = orderStrategies(rows.filter((r) => panels.some((p) => hasMetric([r], p.metric))).map((r) => r.strategy));
  const styles = strategies.map(strategyStyle);
  // All three channels on the same field with the same domain: Vega-Lite merges them into one legend.
  const strategyChannel = { field: 'strategy', type: 'nominal' as const, title: 'strategy', sort: strategies };
  const color = { ...strategyChannel, scale: { domain: strategies, range: styles.map((s) => s.color) } };
  // The bands take their colour straight from the data (scale null: no scale, so no legend): a second
  // legend-less encoding of the shared strategy scale would hide the line legend too.
  const fill = { field: 'color', type: 'nominal' as const, scale: null };
  const colorOf = new Map(strategies.map((s, i) => [s, styles[i]!.color]));
  const strokeDash = { ...strategyChannel, scale: { domain: strategies, range: styles.map((s) => s.dash) } };
  // 'ordinal', not Vega-Lite's default 'point' for widths, which would interpolate between the range's ends.
  const strokeWidth = { ...strategyChannel, scale: { type: 'ordinal' as const, domain: strategies, range: styles.map((s) => s.strokeWidth) } };

  const subtitle = [
    `mean over ${options.repeats} repeat${options.repeats === 1 ? '' : 's'}` + (options.repeats > 1 ? ', band = ± 1 std' : ''),
    ...(strategies.some(isPeerRun) ? ['dashed: modAL + scikit-learn on the same embeddings, splits and seeds'] : []),
  ].join('; ');

  const panelSpecs = panels.map((panel) => {
    const from = panel.fromLabels ?? Number.NEGATIVE_INFINITY;
    const values = aggregateRounds(rows, panel.metric).filter((p) => p.labels >= from).map((p) => ({
      strategy: p.strategy,
      color: colorOf.get(p.strategy),
      labels: p.labels,
      mean: p.mean,
      lo: p.mean - p.std,
      hi: p.mean + p.std,
    }));
    const y = {
      type: 'quantitative' as const,
      title: null, // the panel title says it; an axis title too would shift panels out of line
      scale: { zero: panel.percent },
      axis: panel.percent ? { format: '.0%' } : { format: '.2f' },
    };
    const x = { field: 'labels', type: 'quantitative' as const, title: 'labels', scale: { nice: false } };
    return {
      title: panel.title,
      width: PANEL_WIDTH,
      height: PANEL_HEIGHT,
      data: { values },
      layer: [
        {
          mark: { type: 'area' as const, opacity: 0.15 },
          encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, fill, detail: { field: 'strategy' } },
        },
        {
          mark: { type: 'line' as const },
          encoding: { x, y: { ...y, field: 'mean' }, color, strokeDash, strokeWidth },
        },
      ],
    };
  });

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: options.title ? `${options.heading}: ${options.title}` : options.heading, subtitle, anchor: 'start' },
    background: 'white',
    padding: 12,
    columns: options.columns,
    concat: panelSpecs,
    resolve: { scale: { color: 'shared', strokeDash: 'shared', strokeWidth: 'shared' }, legend: { color: 'shared' } },
    config: {
      font: FONT_FAMILY,
      legend: { symbolType: 'stroke', symbolSize: 300, labelFontSize: 12, titleFontSize: 12, orient: 'right' },
      title: { fontSize: 15, subtitleFontSize: 11, subtitleColor: '#555' },
      axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e6e6e6' },
      // End labels inside the plot, so a tick at the very top does not push that panel's title up.
      axisY: { labelFlush: true },
      view: { stroke: '#ccc' },
    },
  } as TopLevelSpec; // Vega-Lite's spec union is too deep for TypeScript to check this literal member by member.
}

/** Renders a spec to `<base>.svg` and `<base>.png`. */
async function writeChart(spec: TopLevelSpec, base: string, options: ChartOptions): Promise<string[]> {
  const svg = await renderSvg(spec);
  const png = new Resvg(svg, resvgOptions(options)).render().asPng();
  await writeFile(`${base}.svg`, svg);
  await writeFile(`${base}.png`, png);
  return [`${base}.svg`, `${base}.png`];
}

/** Vega headless: renderer 'none' computes the scenegraph without a canvas or DOM; toSVG serialises it. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function resvgOptions(options: ChartOptions): ResvgRenderOptions {
  const found = FONT_FILE_CANDIDATES.filter((c) => existsSync(c.file));
  const family = found[0]?.family;
  return {
    // System fonts too: without any font resvg silently drops the text. resvg's own generic sans-serif is
    // Arial, absent on most Linux machines, so name one that is there.
    font: {
      loadSystemFonts: true,
      fontFiles: [...(options.fontFiles ?? []), ...found.map((c) => c.file)],
      ...(family ? { sansSerifFamily: family, defaultFontFamily: family } : {}),
    },
    fitTo: { mode: 'zoom', value: PNG_ZOOM },
    background: 'white',
    logLevel: 'off',
  };
}
