// A strategy of your own, passed as a value (like modAL's `query_strategy`): here "margin, at most two picks
// per predicted class while others are left, then by margin alone", built from the round context kgal hands every strategy. The query path around
// it (loading, leases, explanations with the model's prediction, the round record) is kgal's.
//
//   npm run build && node examples/custom-strategy.mjs
import { fileURLToPath } from 'node:url';
import { ActiveLearner, STRATEGIES } from '../dist/src/index.js';

const here = (name) => fileURLToPath(new URL(name, import.meta.url));

/** @type {import('../dist/src/index.js').SelectionStrategy} */
const balancedMargin = {
  name: 'balanced-margin',
  needs: {}, // the classifier is always there when it can be trained; `{ committee: true }` adds the committee
  choose(context) {
    const margin = context.uncertainty('margin');
    if (!margin) return STRATEGIES['kg-guided'].choose(context); // cold start: no model yet, let kg-guided decide
    const classifier = context.model.status === 'trained' ? context.model : undefined;
    // Most uncertain first (1 − margin, higher = more uncertain).
    const order = Array.from(margin.normalized.keys()).sort((a, b) => margin.normalized[b] - margin.normalized[a] || a - b);
    const perClass = new Map();
    const chosen = [];
    for (const candidate of order) {
      if (chosen.length === context.batchSize) break;
      const predicted = classifier ? predictedClass(context, candidate) : 'any';
      if ((perClass.get(predicted) ?? 0) >= 2) continue;
      perClass.set(predicted, (perClass.get(predicted) ?? 0) + 1);
      chosen.push(candidate);
    }
    for (const candidate of order) if (chosen.length < context.batchSize && !chosen.includes(candidate)) chosen.push(candidate);
    const picks = [];
    for (const candidate of chosen) {
      picks.push({
        candidate,
        id: context.candidateIds[candidate],
        rank: picks.length + 1,
        score: margin.normalized[candidate],
        components: { uncertainty: { raw: margin.raw[candidate], normalized: margin.normalized[candidate] }, coverage: { raw: 0, normalized: 0 } },
        entities: [],
      });
    }
    return { picks, evaluations: order.length, weights: { uncertainty: 1, coverage: 0, density: 0, diversity: 0 }, coldStart: false, uncertaintySource: 'model' };
  },
};

/** The classifier's most probable class for a candidate (the context carries the trained model). */
function predictedClass(context, candidate) {
  const { classifier, classNames } = context.model;
  const row = context.rows[candidate];
  const { cols, data } = context.embeddings;
  let best = 0;
  let bestLogit = -Infinity;
  for (const k of classifier.trainedClasses) {
    let z = classifier.intercepts[k];
    for (let d = 0; d < cols; d += 1) z += classifier.weights[k * cols + d] * data[row * cols + d];
    if (z > bestLogit) [best, bestLogit] = [k, z];
  }
  return classNames[best];
}

const learner = await ActiveLearner.open();
try {
  await learner.ingest({ files: [here('news-pool.jsonl')] }, { kgFile: here('kg.tsv') });
  await learner.embed();
  const seed = await learner.query(4, { strategy: 'coverage' });
  await learner.teach(seed.picks.map((pick, i) => ({ id: pick.id, label: ['Business', 'Sports'][i % 2] })));
  const result = await learner.query(4, { strategy: balancedMargin });
  console.log(`strategy ${result.strategy}, model on ${result.model.trainedOn} labels:`);
  for (const pick of result.picks) {
    console.log(`  ${pick.rank}. ${pick.id} predicted ${pick.prediction?.label} (${pick.prediction?.probability.toFixed(2)}) by ${pick.strategy}`);
  }
  console.log(JSON.stringify(result.picks.map((p) => ({ id: p.id, strategy: p.strategy, predicted: p.prediction?.label }))));
} finally {
  await learner.close();
}
