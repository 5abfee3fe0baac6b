import { meanStd } from './metrics.js';
import { COVERAGE_COLUMNS, type RoundRow } from './round-row.js';

/** The per-round numbers a curve can show (all in [0, 1]). */
export const CURVE_METRICS = ['accuracy', 'macroF1', ...COVERAGE_COLUMNS] as const satisfies ReadonlyArray<keyof RoundRow>;
export type CurveMetric = (typeof CURVE_METRICS)[number];

/** One point of a strategy's curve: the metric over repeats at one label count. */
export interface CurvePoint {
  strategy: string;
  labels: number;
  /** Repeats with a value at this label count. */
  n: number;
  mean: number;
  /** Sample standard deviation over repeats (n − 1 in the denominator); 0 with a single repeat. */
  std: number;
}

/**
 * Mean and standard deviation of `metric` over repeats, per strategy and label count. Rows without the
 * metric (absent or NaN, e.g. coverage in modAL's rows) are left out; a strategy without any value has no
 * points. Points come sorted by strategy (first-seen order), then labels.
 */
export function aggregateRounds(rows: readonly RoundRow[], metric: CurveMetric): CurvePoint[] {
  const groups = new Map<string, Map<number, number[]>>();
  for (const row of rows) {
    const value = row[metric];
    if (value === undefined || !Number.isFinite(value)) continue;
    let byLabels = groups.get(row.strategy);
    if (!byLabels) groups.set(row.strategy, (byLabels = new Map()));
    const values = byLabels.get(row.labels);
    if (values) values.push(value);
    else byLabels.set(row.labels, [value]);
  }
  const points: CurvePoint[] = [];
  for (const [strategy, byLabels] of groups) {
    for (const labels of [...byLabels.keys()].sort((a, b) => a - b)) {
      const { mean, std, n } = meanStd(byLabels.get(labels)!);
      points.push({ strategy, labels, n, mean, std });
    }
  }
  return points;
}

/** Whether any row carries a value for `metric` (decides which coverage panels exist). */
export function hasMetric(rows: readonly RoundRow[], metric: CurveMetric): boolean {
  return rows.some((row) => row[metric] !== undefined && Number.isFinite(row[metric]));
}
