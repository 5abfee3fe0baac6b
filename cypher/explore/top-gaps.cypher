// The most central entities that the labeled items do not cover yet: the gaps kg-guided selection fills.
// Needs `kgal graph refresh` (writes pagerank, community, coverage, gap onto the entities).
// @param limit 20
// @columns key, name, type, pagerank, coverage, gap, community, unlabeledItems
MATCH (e:Entity)
WHERE e.gap IS NOT NULL
WITH e ORDER BY e.gap DESC LIMIT $limit
OPTIONAL MATCH (e)<-[:MENTIONS]-(i:Item)
WHERE i.label IS NULL
RETURN e.key AS key, e.name AS name, e.type AS type, e.centrality AS pagerank, e.coverage AS coverage,
       e.gap AS gap, e.community AS community, count(i) AS unlabeledItems
ORDER BY gap DESC;
