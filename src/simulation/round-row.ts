/**
 * One evaluated round of a simulated annotation campaign: the shared row format of `rounds.csv`
 * (kgal's strategies) and `modal-rounds.csv` (the modAL side-by-side script), which the summary and the
 * charts read alike. Coverage fields are absent (empty CSV cells) where a run cannot measure them.
 */
export interface RoundRow {
  /** kgal preset (`random`, `entropy`, `kg-guided`, ...) or a peer's run (`modal-entropy`, `modal-random`). */
  strategy: string;
  /** 0-based repeat index; the same repeat index means the same seed, split and initial labeled set. */
  repeat: number;
  seed: number;
  /** 0 = the initial labeled set (before any query), then 1, 2, ... */
  round: number;
  /** Labeled items after this round. */
  labels: number;
  accuracy: number;
  macroF1: number;
  /** Share of the entity graph's centrality (PageRank) mass whose entities are mentioned by a labeled item. */
  centralityCoverage?: number;
  /** Share of entities mentioned by at least one labeled item. */
  entityCoverage?: number;
  /** With a gold KG: share of the pool's gold entities / triples present in the labeled set. */
  goldEntityCoverage?: number;
  goldTripleCoverage?: number;
  /** With a gold KG: share of the pool's gold triples whose subject and object are both covered gold entities. */
  goldTripleEndpointCoverage?: number;
  /** Wall time of this round's selection (+ training), milliseconds. */
  millis?: number;
}

/** The knowledge-coverage fields (shares in [0, 1]), in column order: one list for the CSV, the curves and the summary. */
export const COVERAGE_COLUMNS = [
  'centralityCoverage',
  'entityCoverage',
  'goldEntityCoverage',
  'goldTripleCoverage',
  'goldTripleEndpointCoverage',
] as const satisfies ReadonlyArray<keyof RoundRow>;

/** Column order of rounds.csv / modal-rounds.csv (files are read by header, so older column sets still parse). */
export const ROUND_COLUMNS = [
  'strategy',
  'repeat',
  'seed',
  'round',
  'labels',
  'accuracy',
  'macroF1',
  ...COVERAGE_COLUMNS,
  'millis',
] as const satisfies ReadonlyArray<keyof RoundRow>;
