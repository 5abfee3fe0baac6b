// kgal schema: applied on every connect by Neo4jGraphStore (each statement is idempotent).
// Statements are separated by a semicolon at the end of a line.

// Identity: MERGE on these keys relies on the uniqueness constraints (they also create the lookup indexes).
CREATE CONSTRAINT item_id IF NOT EXISTS FOR (i:Item) REQUIRE i.id IS UNIQUE;
CREATE CONSTRAINT entity_key IF NOT EXISTS FOR (e:Entity) REQUIRE e.key IS UNIQUE;
CREATE CONSTRAINT round_n IF NOT EXISTS FOR (r:Round) REQUIRE r.n IS UNIQUE;
CREATE CONSTRAINT counter_name IF NOT EXISTS FOR (c:KgalCounter) REQUIRE c.name IS UNIQUE;

// Lookups used by selection and exploration.
CREATE INDEX item_label IF NOT EXISTS FOR (i:Item) ON (i.label);
CREATE INDEX entity_kg IF NOT EXISTS FOR (e:Entity) ON (e.kg);
CREATE INDEX entity_type IF NOT EXISTS FOR (e:Entity) ON (e.type);
CREATE INDEX entity_pagerank IF NOT EXISTS FOR (e:Entity) ON (e.pagerank);
CREATE INDEX entity_community IF NOT EXISTS FOR (e:Entity) ON (e.community);
// Active leases (items reserved for an annotator until leaseUntil, epoch ms of the database clock).
CREATE INDEX item_lease IF NOT EXISTS FOR (i:Item) ON (i.leaseUntil);

// Item embeddings (all-MiniLM-L6-v2: 384 dimensions, L2-normalised, so cosine is the natural similarity).
CREATE VECTOR INDEX item_embedding IF NOT EXISTS
FOR (i:Item) ON i.embedding
OPTIONS { indexConfig: { `vector.dimensions`: 384, `vector.similarity_function`: 'cosine' } };

// Label history: one node per label given (who, when), looked up by item.
CREATE INDEX label_event_item IF NOT EXISTS FOR (e:LabelEvent) ON (e.itemId);

// State of stateful strategies (the `auto` bandit), one node per strategy, JSON in `json`.
CREATE CONSTRAINT kgal_state_name IF NOT EXISTS FOR (s:KgalState) REQUIRE s.name IS UNIQUE;
