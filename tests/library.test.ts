import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ActiveLearner, InputValidationError } from '../src/index.js';
import { modelSkipped } from './support/model.js';

describe('library API (ActiveLearner)', () => {
  it('validates rows given in code like file rows, and writes nothing from a bad batch', async () => {
    const learner = await ActiveLearner.open();
    try {
      await learner.ingest([{ id: 'a', text: 'Airbus builds planes in Toulouse.' }]);
      const error = await learner.ingest([{ id: 'b', text: 'fine' }, { id: 'c', text: 42 }]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputValidationError);
      expect((error as Error).message).toContain('rows:2: field "text": must be a string');
      expect((await learner.stats()).items).toBe(1);
      const picks = await learner.query(1, { strategy: 'coverage', record: false });
      expect(picks.picks.map((p) => p.id)).toEqual(['a']);
    } finally {
      await learner.close();
    }
  });

  it.skipIf(modelSkipped())('the documented example runs: ingest, embed, query, teach, query', () => {
    const result = spawnSync(process.execPath, [join(__dirname, '..', 'examples', 'library.mjs')], { encoding: 'utf8', timeout: 120_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/round 1 \(model\)/);
    expect(result.stdout).toMatch(/round 2 \(model on 8 labels\)/);
    expect(JSON.parse(result.stdout.trim().split('\n').at(-1)!)).toMatchObject({ items: 25, labeledItems: 8, embeddedItems: 25, rounds: 2 });
  });

  it.skipIf(modelSkipped())('the custom-strategy example runs: a strategy value of the caller chooses, kgal explains with predictions', () => {
    const result = spawnSync(process.execPath, [join(__dirname, '..', 'examples', 'custom-strategy.mjs')], { encoding: 'utf8', timeout: 120_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const picks = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Array<{ id: string; strategy: string; predicted?: string }>;
    expect(picks).toHaveLength(4);
    expect(new Set(picks.map((p) => p.id)).size).toBe(4);
    for (const pick of picks) {
      expect(pick.strategy).toBe('balanced-margin');
      expect(['Business', 'Sports']).toContain(pick.predicted);
    }
  });
});
