/** kgal's programmatic API. See README ("Library") and examples/library.mjs. */
export { ActiveLearner, type ActiveLearnerOptions } from './learner/active-learner.js';
export type { QueryOptions, QueryResult, ExplainedPick, ExplainedEntity, PickPrediction } from './selector/query-pool.js';
export type { SelectionStrategy, RoundContext, StrategyRun, StrategyNeeds } from './selector/strategy.js';
export { STRATEGIES, resolveStrategy } from './selector/registry.js';
export { topK } from './selector/top-k.js';
export { PRESETS, PRESET_DEFINITIONS, type PresetName, type ComponentWeights } from './selector/presets.js';
export type { GraphStore, StoreStats, LabelAssignment, StoredItem } from './store/graph-store.js';
export { MemoryGraphStore } from './store/memory-store.js';
export { Neo4jGraphStore, type Neo4jConnection } from './store/neo4j-store.js';
export { InputValidationError } from './pool/input-error.js';
export type { TextEmbedder } from './embeddings/text-embedder.js';
export { TransformersEmbedder } from './embeddings/transformers-embedder.js';
export type { EntityExtractor, EntityMention } from './entities/entity-extractor.js';
export { CompromiseExtractor } from './entities/compromise-extractor.js';
export * as scores from './strategies/scores.js';
export { uncertaintySampling, type SamplingMeasure, type UncertaintySamplingOptions, type UncertaintySamplingResult } from './selector/uncertainty-sampling.js';
export { predictProbaMany, type PoolProbabilityOptions } from './model/pool-probabilities.js';
export { trainLogisticRegression, predictProba, type LogisticRegressionModel, type LogisticRegressionOptions } from './model/logistic-regression.js';
