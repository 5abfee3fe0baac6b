/** The pure score functions, for use on your own probability matrices (see docs/scores.md). */
export { leastConfidence, margin, entropy, normalizedEntropy } from './uncertainty.js';
export { voteEntropy, consensusEntropy, klMaxDisagreement, mutualInformation, meanProbabilities } from './disagreement.js';
export { meanCosineSimilarity, informationDensity } from './density.js';
