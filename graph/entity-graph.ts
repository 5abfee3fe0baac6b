import Graph from 'graphology';

/** The entity graph as read from a store (see GraphStore.getEntityGraph); structurally typed so this
 * module stays free of application and driver imports. */
export interface EntityGraphInput {
  entities: ReadonlyArray<{ key: string; name: string; type: string; kg: boolean }>;
  cooccurrences: ReadonlyArray<{ a: string; b: string; weight: number }>;
  relations: ReadonlyArray<{ subject: string; predicate: string; object: string }>;
}

export interface EntityGraphOptions {
  /** Weight a KG fact adds to the edge between its subject and object (co-occurrence adds its count). */
  relationWeight?: number;
}

export interface EntityNodeAttributes {
  name: string;
  type: string;
  kg: boolean;
}

export interface EntityEdgeAttributes {
  /** Co-occurrence count plus relationWeight per KG fact between the two entities. */
  weight: number;
  cooccurrence: number;
  predicates: string[];
}

export type EntityGraph = Graph<EntityNodeAttributes, EntityEdgeAttributes>;

/**
 * One undirected, weighted graphology graph over the entities: co-occurrence and KG facts merged into a
 * single edge per pair, which is what centrality and community detection need. Self-loops are dropped.
 */
export function buildEntityGraph(input: EntityGraphInput, options: EntityGraphOptions = {}): EntityGraph {
  const relationWeight = options.relationWeight ?? 1;
  const graph: EntityGraph = new Graph({ type: 'undirected', multi: false, allowSelfLoops: false });
  for (const entity of input.entities) {
    graph.addNode(entity.key, { name: entity.name, type: entity.type, kg: entity.kg });
  }
  const add = (a: string, b: string, cooccurrence: number, predicate?: string): void => {
    if (a === b || !graph.hasNode(a) || !graph.hasNode(b)) return;
    graph.updateEdge(a, b, (attributes: Partial<EntityEdgeAttributes>) => ({
      cooccurrence: (attributes.cooccurrence ?? 0) + cooccurrence,
      predicates: predicate ? [...(attributes.predicates ?? []), predicate] : (attributes.predicates ?? []),
      weight: (attributes.weight ?? 0) + (predicate ? relationWeight : cooccurrence),
    }));
  };
  for (const edge of input.cooccurrences) add(edge.a, edge.b, edge.weight);
  for (const relation of input.relations) add(relation.subject, relation.object, 0, relation.predicate);
  return graph;
}
