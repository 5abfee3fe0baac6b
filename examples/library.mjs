// kgal as a library: the active-learning loop in a few lines (run `npm run build` first; in your own
// project, import from 'kgal' instead of the dist path).
//
//   node examples/library.mjs
import { fileURLToPath } from 'node:url';
import { ActiveLearner } from '../dist/src/index.js';

const here = (name) => fileURLToPath(new URL(name, import.meta.url));

// In memory here; pass { dataDir: '.kgal' } for the persistent embedded store or { neo4j: {...} } for Neo4j.
const learner = await ActiveLearner.open();
try {
  await learner.ingest({ files: [here('news-pool.jsonl')] }, { kgFile: here('kg.tsv') });
  await learner.ingest([{ id: 'extra-1', text: 'NASA and SpaceX prepare a crewed launch from Kennedy Space Center.' }]);
  await learner.embed(); // local all-MiniLM-L6-v2 (npm run model builds it offline)

  const first = await learner.query(3); // kg-guided by default
  console.log(`round 1 (${first.coldStart ? 'cold start' : 'model'}):`);
  for (const pick of first.picks) {
    console.log(`  ${pick.rank}. ${pick.id} fills ${pick.entities.slice(0, 2).map((e) => e.name).join(', ')}`);
  }

  // Your annotators answer; teach the learner and ask again.
  await learner.teach(first.picks.map((pick, i) => ({ id: pick.id, label: ['Business', 'Sports', 'Sci/Tech'][i % 3], annotator: 'me' })));
  const second = await learner.query(3, { strategy: 'kg-guided' });
  console.log(`round 2 (${second.coldStart ? 'cold start' : `model on ${second.model.trainedOn} labels`}):`);
  for (const pick of second.picks) console.log(`  ${pick.rank}. ${pick.id} score ${pick.score.toFixed(3)}`);
  console.log(JSON.stringify(await learner.stats()));
} finally {
  await learner.close();
}
