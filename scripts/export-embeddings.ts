/**
 * Exports the labeled, embedded items of a store for side-by-side runs with Python peers: `<out>.f32`
 * (N × dims float32, little-endian, row-major, no header), `<out>.labels.json` (N labels) and
 * `<out>.ids.json` (N item ids), in item-id order.
 *
 *   KGAL_DATA_DIR=.kgal node dist/scripts/export-embeddings.js --out /tmp/ag_news   # or NEO4J_URI=...
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { storeConfigFromEnv } from '../src/config/store-config.js';
import { rowOf, stackRows } from '../src/model/matrix.js';
import { loadEmbeddedPool } from '../src/model/pool-model.js';
import { openStore } from '../src/store/open-store.js';

const { values } = parseArgs({ options: { out: { type: 'string' } } });
if (!values.out) throw new Error('usage: export-embeddings --out PREFIX');
const store = await openStore(storeConfigFromEnv(), { readOnly: true });
try {
  const pool = await loadEmbeddedPool(store);
  const rows = pool.ids.map((id, row) => ({ id, row, label: pool.labels[row] })).filter((r) => r.label !== undefined);
  rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const matrix = stackRows(rows.map((r) => rowOf(pool.embeddings, r.row)), pool.embeddings.cols);
  await writeFile(`${values.out}.f32`, new Uint8Array(matrix.data.buffer, matrix.data.byteOffset, matrix.data.byteLength));
  await writeFile(`${values.out}.labels.json`, JSON.stringify(rows.map((r) => r.label)));
  await writeFile(`${values.out}.ids.json`, JSON.stringify(rows.map((r) => r.id)));
  process.stdout.write(`${rows.length} labeled items × ${matrix.cols} dims -> ${values.out}.f32, .labels.json, .ids.json\n`);
} finally {
  await store.close();
}
