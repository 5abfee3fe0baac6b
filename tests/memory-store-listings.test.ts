import { describe, expect, it } from 'vitest';
import { MemoryGraphStore } from '../src/store/memory-store.js';

describe('embedded store listings across label writes', () => {
  it('a label write or undo gives a new summary listing equal to a fresh one; the earlier listing stays as it was', async () => {
    const store = await MemoryGraphStore.open();
    const ids = ['c', 'a', 'e', 'b', 'd'];
    await store.upsertItems(ids.map((id) => ({ id, text: `text ${id}`, meta: { n: id } })));
    const fresh = async () => (await store.listItems()).map(({ text: _text, ...summary }) => summary);
    const before = await store.listItemSummaries();
    const snapshot = structuredClone(before);
    const entities = await store.listItemEntities();

    await store.setLabels([
      { id: 'd', label: 'x', annotator: 'ann' },
      { id: 'a', label: 'y' },
    ]);
    const labeled = await store.listItemSummaries();
    expect(labeled).not.toBe(before);
    expect(labeled).toEqual(await fresh());
    expect(labeled.map((s) => [s.id, s.label])).toEqual([['a', 'y'], ['b', undefined], ['c', undefined], ['d', 'x'], ['e', undefined]]);
    expect(before).toEqual(snapshot); // a query holding the earlier listing still reads the earlier labels
    expect(await store.listItemEntities()).toBe(entities); // labels do not change what items mention

    await store.undoLabel('d', 'ann');
    const undone = await store.listItemSummaries();
    expect(undone).toEqual(await fresh());
    expect(undone.find((s) => s.id === 'd')!.label).toBeUndefined();
    expect(await store.listItemSummaries()).toBe(undone); // unchanged until the next write
  });
});
