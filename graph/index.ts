/** Graph analytics for kgal: pure functions over the entity graph (see docs/graph-analytics.md). */
export * from './entity-graph.js';
export * from './entity-index.js';
export * from './adjacency.js';
export * from './centrality.js';
export * from './communities.js';
export * from './coverage.js';
export * from './refresh.js';
export { seededRandom, sampleIndices, type RandomFunction } from './random.js';
