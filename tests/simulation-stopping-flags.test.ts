import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STOPPING_RULES, stoppingRulesFrom } from '../src/simulation/stopping-criteria.js';
import type { SimulationSummary } from '../src/simulation/summary.js';
import { runKgal } from './support/cli.js';
import { tempDir } from './support/fixtures.js';

describe('stopping rules from the command line', () => {
  it('overrides a threshold, and its rounds when given, keeping the other defaults', () => {
    expect(stoppingRulesFrom({})).toEqual(DEFAULT_STOPPING_RULES);
    const rules = stoppingRulesFrom({ coverage: '0.005', kappa: '0.95:2' });
    expect(rules.coverageSaturation).toEqual({ minGain: 0.005, rounds: DEFAULT_STOPPING_RULES.coverageSaturation.rounds });
    expect(rules.stablePredictions).toEqual({ kappa: 0.95, rounds: 2 });
    expect(rules.uncertaintyPlateau).toEqual(DEFAULT_STOPPING_RULES.uncertaintyPlateau);
    expect(DEFAULT_STOPPING_RULES.coverageSaturation.minGain).toBe(0.01); // the defaults were not touched
  });

  it('names the flag of a malformed value', () => {
    expect(() => stoppingRulesFrom({ coverage: 'abc' })).toThrow(/--stop-coverage must be <threshold>\[:<rounds>\]/);
    expect(() => stoppingRulesFrom({ uncertainty: '0' })).toThrow(/--stop-uncertainty/);
    expect(() => stoppingRulesFrom({ kappa: '1.5' })).toThrow(/--stop-kappa/);
    expect(() => stoppingRulesFrom({ kappa: '0.9:0' })).toThrow(/--stop-kappa: rounds must be an integer ≥ 1/);
    expect(() => stoppingRulesFrom({ kappa: '0.9:2:3' })).toThrow(/--stop-kappa/);
  });

  it('`kgal simulate report --stop-*` re-judges a finished campaign with other thresholds', async () => {
    const dir = await tempDir('kgal-stop-');
    // Coverage gains 5, 2, 1.5, 1.5 pt per round: below 2 pt in rounds 3 and 4 (labels 40, 50), below 1 pt never.
    const coverage = [0.1, 0.15, 0.17, 0.185, 0.2];
    const rows = coverage.map((c, round) => `random,0,1,${round},${10 + 10 * round},0.5,0.5,${c},${c},,,,`);
    await writeFile(join(dir, 'rounds.csv'), `strategy,repeat,seed,round,labels,accuracy,macroF1,centralityCoverage,entityCoverage,goldEntityCoverage,goldTripleCoverage,millis,goldTripleEndpointCoverage\n${rows.join('\n')}\n`);
    const summary = async (): Promise<SimulationSummary> => JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as SimulationSummary;

    expect(runKgal(['simulate', 'report', dir, '--no-charts']).status).toBe(0);
    expect((await summary()).strategies[0]!.stopping.coverageSaturation).toBeUndefined(); // default: 1 pt for 3 rounds

    expect(runKgal(['simulate', 'report', dir, '--no-charts', '--stop-coverage', '0.02:2']).status).toBe(0);
    const rejudged = await summary();
    expect(rejudged.stoppingRules.coverageSaturation).toEqual({ minGain: 0.02, rounds: 2 });
    expect(rejudged.strategies[0]!.stopping.coverageSaturation).toMatchObject({ fired: 1, labels: { mean: 50 } }); // 2 rounds in a row: round 4

    const bad = runKgal(['simulate', 'report', dir, '--stop-kappa', 'high']);
    expect(bad.status).toBe(64); // usage
    expect(bad.stderr).toContain('--stop-kappa must be <threshold>[:<rounds>]');
  });
});
