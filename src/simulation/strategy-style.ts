/**
 * How a strategy is drawn in the simulation charts: the same colour in every chart and every run (a fixed
 * table for kgal's presets, a name hash for anything else), kg-guided thick and red so it stands out,
 * peers' runs (`modal-entropy`, `modal-random`) dashed in the colour of the kgal preset they mirror.
 */
import { PRESETS } from '../selector/presets.js';

export interface StrategyStyle {
  color: string;
  /** SVG dash array; empty = solid. */
  dash: number[];
  strokeWidth: number;
}

// Tableau-10 hues, grey for random, red reserved for kg-guided.
const PRESET_COLORS: Record<string, string> = {
  random: '#7f7f7f',
  'least-confidence': '#9467bd',
  margin: '#ff7f0e',
  entropy: '#1f77b4',
  qbc: '#8c564b',
  kl: '#e377c2',
  bald: '#17becf',
  density: '#bcbd22',
  coverage: '#2ca02c',
  coreset: '#637939',
  'kg-guided': '#d62728',
  auto: '#393b79',
};
/** Variants of kg-guided (e.g. with and without an external KG): other reds, away from margin's orange. */
const KG_GUIDED_VARIANTS = ['#7f0000', '#a50026', '#e7298a'];
/** Anything unknown: hues not in the preset table. */
const EXTRA_COLORS = ['#637939', '#8c6d31', '#843c39', '#7b4173', '#3182bd', '#e6550d', '#31a354', '#756bb1'];

const PEER_PREFIX = /^modal-/;
const SOLID: number[] = [];
const DASHED = [6, 3];

/** The kgal preset a peer's run mirrors (`modal-entropy` → `entropy`), or the name itself. */
export function mirroredPreset(strategy: string): string {
  return strategy.replace(PEER_PREFIX, '');
}

export function isPeerRun(strategy: string): boolean {
  return PEER_PREFIX.test(strategy);
}

export function isKgGuided(strategy: string): boolean {
  return /^kg-guided\b/.test(strategy) && !isPeerRun(strategy);
}

export function strategyStyle(strategy: string): StrategyStyle {
  const base = mirroredPreset(strategy);
  const dash = isPeerRun(strategy) ? DASHED : SOLID;
  return { color: colorOf(base), dash, strokeWidth: isKgGuided(strategy) ? 3.5 : 2 };
}

function colorOf(name: string): string {
  const preset = PRESET_COLORS[name];
  if (preset) return preset;
  if (/^kg-guided\b/.test(name)) return KG_GUIDED_VARIANTS[hash(name) % KG_GUIDED_VARIANTS.length]!;
  return EXTRA_COLORS[hash(name) % EXTRA_COLORS.length]!;
}

/** FNV-1a, so an unknown name keeps its colour from run to run. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Distinct strategies in legend order (presets, then others alphabetically, peers' runs last). */
export function orderStrategies(strategies: Iterable<string>): string[] {
  const rank = (s: string): [number, number, string] => {
    const peer = isPeerRun(s) ? 1 : 0;
    // Legend order: kgal's presets in their declared order, then anything else (alphabetical), peers last.
    const index = (PRESETS as readonly string[]).indexOf(mirroredPreset(s));
    return [peer, index < 0 ? PRESETS.length : index, s];
  };
  return [...new Set(strategies)].sort((a, b) => {
    const [pa, ia, na] = rank(a);
    const [pb, ib, nb] = rank(b);
    return pa - pb || ia - ib || (na < nb ? -1 : na > nb ? 1 : 0);
  });
}
