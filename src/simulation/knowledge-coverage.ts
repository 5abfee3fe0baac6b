import type { GoldAnnotations } from './labeled-dataset.js';

/** Knowledge coverage of a labeled set (the RoundRow coverage fields). */
export interface KnowledgeCoverage {
  centralityCoverage: number;
  entityCoverage: number;
  goldEntityCoverage?: number;
  goldTripleCoverage?: number;
  goldTripleEndpointCoverage?: number;
}

export interface CoverageMeterInput {
  /** Entity keys each pool item mentions (as extracted into the store the simulation selects from). */
  entitiesByItem: ReadonlyMap<string, readonly string[]>;
  /** Normalised centrality (PageRank by default) per entity key, from the entity-graph analysis. */
  centrality: ReadonlyMap<string, number>;
  /** Gold annotations per pool item (measuring only); omit when the dataset has none. */
  goldByItem?: ReadonlyMap<string, GoldAnnotations>;
}

/**
 * Measures how much of the pool's knowledge a labeled set covers. Denominators are what the pool can
 * cover at all: the entities some pool item mentions (a KG-only entity that no text mentions cannot be
 * covered by labeling), their centrality mass, and the distinct gold entities / triples of the pool.
 */
export class KnowledgeCoverageMeter {
  private readonly coverableMass: number;
  private readonly coverableEntities: number;
  private readonly goldEntities: number;
  private readonly goldTriples: number;
  /** Every distinct gold triple of the pool with its subject and object. */
  private readonly goldTripleEndpoints: Array<{ subject: string; object: string }>;
  readonly hasGold: boolean;

  constructor(private readonly input: CoverageMeterInput) {
    const coverable = new Set<string>();
    for (const keys of input.entitiesByItem.values()) for (const key of keys) coverable.add(key);
    this.coverableEntities = coverable.size;
    let mass = 0;
    for (const key of coverable) mass += input.centrality.get(key) ?? 0;
    this.coverableMass = mass;
    const entities = new Set<string>();
    const triples = new Set<string>();
    for (const gold of input.goldByItem?.values() ?? []) {
      for (const e of gold.entities) entities.add(e);
      for (const t of gold.triples) triples.add(t);
    }
    this.goldEntities = entities.size;
    this.goldTriples = triples.size;
    this.goldTripleEndpoints = [...triples].map((t) => {
      const [subject = '', , object = ''] = t.split('\t');
      return { subject, object };
    });
    this.hasGold = (input.goldByItem?.size ?? 0) > 0;
  }

  measure(labeledIds: Iterable<string>): KnowledgeCoverage {
    const entities = new Set<string>();
    const goldEntities = new Set<string>();
    const goldTriples = new Set<string>();
    for (const id of labeledIds) {
      for (const key of this.input.entitiesByItem.get(id) ?? []) entities.add(key);
      const gold = this.input.goldByItem?.get(id);
      if (gold) {
        for (const e of gold.entities) goldEntities.add(e);
        for (const t of gold.triples) goldTriples.add(t);
      }
    }
    let mass = 0;
    for (const key of entities) mass += this.input.centrality.get(key) ?? 0;
    const coverage: KnowledgeCoverage = {
      centralityCoverage: this.coverableMass > 0 ? mass / this.coverableMass : 0,
      entityCoverage: this.coverableEntities > 0 ? entities.size / this.coverableEntities : 0,
    };
    if (this.hasGold) {
      coverage.goldEntityCoverage = this.goldEntities > 0 ? goldEntities.size / this.goldEntities : 0;
      coverage.goldTripleCoverage = this.goldTriples > 0 ? goldTriples.size / this.goldTriples : 0;
      // The brief's measure: a pool triple counts once both its subject and its object are covered (gold
      // entities of labeled items), whichever items carried the triple itself.
      let linked = 0;
      for (const t of this.goldTripleEndpoints) if (goldEntities.has(t.subject) && goldEntities.has(t.object)) linked += 1;
      coverage.goldTripleEndpointCoverage = this.goldTriples > 0 ? linked / this.goldTriples : 0;
    }
    return coverage;
  }
}
