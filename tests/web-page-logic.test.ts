import { describe, expect, it } from 'vitest';
import { highlightEntities } from '../web/src/highlight.js';
import { labelSet, shortcutOf } from '../web/src/shortcuts.js';

describe('labeling page logic', () => {
  it('highlights entity names across punctuation and case, longest first, without overlaps', () => {
    const text = 'Gov. James E. McGreevey said so, sources told The ASSOCIATED PRESS; York and New York City agree.';
    const segments = highlightEntities(text, [
      { key: 'mcgreevey', name: 'Gov James E McGreevey' },
      { key: 'ap', name: 'Associated Press' },
      { key: 'york', name: 'York' },
      { key: 'nyc', name: 'New York City' },
      { key: 'absent', name: 'Nowhere' },
    ]);
    expect(segments.map((s) => s.text).join('')).toBe(text);
    expect(segments.filter((s) => s.entity).map((s) => [s.entity, s.text])).toEqual([
      ['mcgreevey', 'Gov. James E. McGreevey'],
      ['ap', 'ASSOCIATED PRESS'],
      ['york', 'York'],
      ['nyc', 'New York City'],
    ]);
    // Whole words only: "York" is not found inside "Yorkshire".
    expect(highlightEntities('Yorkshire', [{ key: 'york', name: 'York' }])).toEqual([{ text: 'Yorkshire' }]);
  });

  it('keys: 1-9 select, Enter confirms, S skips, U undoes; modified keys are left to the browser', () => {
    const key = (k: string, mod = false) => shortcutOf({ key: k, ctrlKey: mod, metaKey: false, altKey: false });
    expect(key('1')).toEqual({ kind: 'select', index: 0 });
    expect(key('9')).toEqual({ kind: 'select', index: 8 });
    expect(key('0')).toBeUndefined();
    expect(key('Enter')).toEqual({ kind: 'confirm' });
    expect(key('s')).toEqual({ kind: 'skip' });
    expect(key('U')).toEqual({ kind: 'undo' });
    expect(key('u', true)).toBeUndefined();
  });

  it('the label set: configured labels in their order, then model classes and labels seen', () => {
    expect(labelSet(['World', 'Sports'], ['Sports', 'Business'], ['Sci/Tech', 'World'])).toEqual(['World', 'Sports', 'Business', 'Sci/Tech']);
    expect(labelSet([], [], ['b', 'a'])).toEqual(['a', 'b']);
  });
});
