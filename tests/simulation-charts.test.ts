import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aggregateRounds, hasMetric } from '../src/simulation/aggregate-rounds.js';
import { renderCharts } from '../src/simulation/charts.js';
import type { RoundRow } from '../src/simulation/round-row.js';
import { orderStrategies, strategyStyle } from '../src/simulation/strategy-style.js';
import { tempDir } from './support/fixtures.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * A hand-made campaign: per strategy a saturating curve with a strategy-specific speed, three repeats that
 * differ by a small offset, coverage for kgal's strategies, gold coverage for two of them, none for modAL.
 */
function campaignRows(): RoundRow[] {
  const speeds: Record<string, number> = { random: 1, entropy: 1.5, 'kg-guided': 2.2, coverage: 1.2, 'modal-entropy': 1.45, 'modal-random': 1 };
  const rows: RoundRow[] = [];
  for (const [strategy, speed] of Object.entries(speeds)) {
    for (let repeat = 0; repeat < 3; repeat++) {
      for (let round = 0; round <= 10; round++) {
        const labels = 20 + 50 * round;
        const accuracy = 0.25 + 0.65 * (1 - Math.exp((-speed * labels) / 250)) + (repeat - 1) * 0.01;
        const covered = 1 - Math.exp((-speed * labels) / 400);
        const kgal = !strategy.startsWith('modal-');
        rows.push({
          strategy,
          repeat,
          seed: repeat + 1,
          round,
          labels,
          accuracy,
          macroF1: accuracy - 0.03,
          ...(kgal ? { centralityCoverage: covered, entityCoverage: covered * 0.8 } : {}),
          ...(strategy === 'kg-guided' || strategy === 'entropy' ? { goldEntityCoverage: covered * 0.9, goldTripleCoverage: covered * 0.6 } : {}),
          millis: 10,
        });
      }
    }
  }
  return rows;
}

function row(strategy: string, repeat: number, labels: number, accuracy: number, extra: Partial<RoundRow> = {}): RoundRow {
  return { strategy, repeat, seed: repeat + 1, round: labels / 10, labels, accuracy, macroF1: accuracy / 2, ...extra };
}

describe('aggregateRounds', () => {
  it('takes mean and sample std over repeats per strategy and label count', () => {
    const rows = [
      row('entropy', 0, 10, 0.5),
      row('entropy', 1, 10, 0.7),
      row('entropy', 2, 10, 0.6),
      row('entropy', 0, 20, 0.8),
      row('entropy', 1, 20, 0.9),
      row('random', 0, 10, 0.4),
    ];
    const points = aggregateRounds(rows, 'accuracy');
    expect(points.map((p) => [p.strategy, p.labels, p.n])).toEqual([
      ['entropy', 10, 3],
      ['entropy', 20, 2],
      ['random', 10, 1],
    ]);
    expect(points[0]!.mean).toBeCloseTo(0.6, 12);
    expect(points[0]!.std).toBeCloseTo(0.1, 12); // √((0.01 + 0.01 + 0) / 2)
    expect(points[1]!.mean).toBeCloseTo(0.85, 12);
    expect(points[1]!.std).toBeCloseTo(Math.SQRT1_2 * 0.1, 12); // |0.8 − 0.9| / √2
    expect(points[2]).toMatchObject({ mean: 0.4, std: 0 });
    expect(aggregateRounds(rows, 'macroF1')[0]!.mean).toBeCloseTo(0.3, 12);
  });

  it('leaves out rows without the metric, and says whether any row has it', () => {
    const rows = [row('kg-guided', 0, 10, 0.5, { entityCoverage: 0.2 }), row('kg-guided', 1, 10, 0.5, { entityCoverage: 0.4 }), row('modal-entropy', 0, 10, 0.5)];
    expect(aggregateRounds(rows, 'entityCoverage')).toEqual([{ strategy: 'kg-guided', labels: 10, n: 2, mean: 0.30000000000000004, std: expect.closeTo(0.1414213562, 9) as number }]);
    expect(hasMetric(rows, 'entityCoverage')).toBe(true);
    expect(hasMetric(rows, 'goldTripleCoverage')).toBe(false);
  });
});

describe('strategy styles', () => {
  it('are stable, highlight kg-guided and dash modAL in the colour of the preset it mirrors', () => {
    expect(strategyStyle('kg-guided').strokeWidth).toBeGreaterThan(strategyStyle('entropy').strokeWidth);
    expect(strategyStyle('modal-entropy')).toEqual({ ...strategyStyle('entropy'), dash: [6, 3] });
    expect(strategyStyle('entropy').dash).toEqual([]);
    expect(strategyStyle('my-own')).toEqual(strategyStyle('my-own'));
    const presets = ['random', 'entropy', 'margin', 'bald', 'coverage', 'kg-guided', 'auto', 'qbc'];
    expect(new Set(presets.map((s) => strategyStyle(s).color)).size).toBe(presets.length);
    expect(orderStrategies(['modal-entropy', 'kg-guided', 'zeta', 'random', 'entropy', 'random'])).toEqual([
      'random',
      'entropy',
      'kg-guided',
      'zeta',
      'modal-entropy',
    ]);
  });
});

describe('renderCharts', () => {
  it('writes learning-curve and coverage charts as SVG and PNG', async () => {
    const out = join(await tempDir('kgal-charts-'), 'charts');
    const rows = campaignRows();
    const paths = await renderCharts(rows, out, { title: 'Synthetic campaign' });
    const names = ['learning-curves.svg', 'learning-curves.png', 'coverage.svg', 'coverage.png'];
    expect(paths).toEqual(names.map((n) => join(out, n)));

    for (const path of paths.filter((p) => p.endsWith('.png'))) {
      const png = await readFile(path);
      expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
      // IHDR: width and height (big-endian) at bytes 16 and 20; 2× zoom of two 420-px panels plus legend.
      expect(png.readUInt32BE(16)).toBeGreaterThan(1600);
      expect(png.readUInt32BE(20)).toBeGreaterThan(500);
      expect((await stat(path)).size).toBeGreaterThan(20_000);
    }

    const learning = await readFile(join(out, 'learning-curves.svg'), 'utf8');
    expect(learning.startsWith('<svg')).toBe(true);
    for (const strategy of ['random', 'entropy', 'kg-guided', 'coverage', 'modal-entropy', 'modal-random']) {
      expect(learning).toContain(`>${strategy}</text>`);
    }
    for (const text of ['Learning curves: Synthetic campaign', 'Accuracy', 'Macro-F1', 'mean over 3 repeats', 'dashed: modAL']) expect(learning).toContain(text);
    expect(learning).toContain('stroke-dasharray="6,3"');
    expect(learning).toMatch(/stroke="#d62728" stroke-width="3.5"/); // kg-guided, thicker than the rest
    // 11 label counts (20 … 520): a zoom row on the second half, from the 6th count (270).
    for (const text of ['Accuracy from 270 labels (zoom)', 'Macro-F1 from 270 labels (zoom)']) expect(learning).toContain(text);

    // Coverage: only strategies that measure it (not modAL's), one panel per figure present.
    const coverage = await readFile(join(out, 'coverage.svg'), 'utf8');
    for (const strategy of ['random', 'entropy', 'kg-guided', 'coverage']) expect(coverage).toContain(`>${strategy}</text>`);
    expect(coverage).not.toContain('>modal-entropy</text>');
    for (const title of ['Centrality (PageRank) mass covered', 'Entities covered', 'Gold entities covered', 'Gold triples covered']) {
      expect(coverage).toContain(title);
    }
  });

  it('skips the coverage chart when no row has coverage, and draws one repeat without a band label', async () => {
    const out = await tempDir('kgal-charts-');
    const rows = [row('random', 0, 10, 0.4), row('random', 0, 20, 0.5), row('entropy', 0, 10, 0.45), row('entropy', 0, 20, 0.6)];
    const paths = await renderCharts(rows, out);
    expect(paths.map((p) => p.slice(out.length + 1))).toEqual(['learning-curves.svg', 'learning-curves.png']);
    const svg = await readFile(paths[0]!, 'utf8');
    expect(svg).toContain('mean over 1 repeat<');
    expect(svg).not.toContain('(zoom)'); // two label counts: nothing to zoom on
    await expect(renderCharts([], out)).rejects.toThrow(/no rows/);
  });
});
