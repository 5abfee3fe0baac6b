// Unlabeled items that would fill the gap of one entity, those touching the most other uncovered entities first.
// @param key "denmark"
// @param limit 20
// @columns id, text, uncoveredEntities, entities
MATCH (:Entity {key: $key})<-[:MENTIONS]-(i:Item)
WHERE i.label IS NULL
MATCH (i)-[:MENTIONS]->(other:Entity)
WITH i, collect(other.name) AS entities, sum(CASE WHEN coalesce(other.coverage, 0) = 0 THEN 1 ELSE 0 END) AS uncoveredEntities
RETURN i.id AS id, left(i.text, 160) AS text, uncoveredEntities, entities
ORDER BY uncoveredEntities DESC, id
LIMIT $limit;
