// An entity's neighbours in the knowledge graph (co-occurrence and KG facts), with their coverage.
// @param key "denmark"
// @param limit 25
// @columns key, name, relation, weight, predicate, coverage, gap
MATCH (e:Entity {key: $key})-[r:CO_OCCURS|RELATED]-(n:Entity)
RETURN n.key AS key, n.name AS name, type(r) AS relation, r.weight AS weight, r.predicate AS predicate,
       n.coverage AS coverage, n.gap AS gap
ORDER BY coalesce(weight, 0) DESC, key
LIMIT $limit;
