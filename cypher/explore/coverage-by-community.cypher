// How much of each Louvain community of the entity graph the labeled items cover (after `kgal graph refresh`).
// @param limit 20
// @columns community, entities, coveredEntities, mass, coveredMass, coveredShare, topEntities
MATCH (e:Entity)
WHERE e.community IS NOT NULL
WITH e ORDER BY e.centrality DESC
WITH e.community AS community, collect(e) AS members
WITH community, members,
     reduce(m = 0.0, x IN members | m + x.centrality) AS mass,
     reduce(m = 0.0, x IN members | m + CASE WHEN x.coverage > 0 THEN x.centrality ELSE 0.0 END) AS coveredMass
RETURN community, size(members) AS entities, size([x IN members WHERE x.coverage > 0]) AS coveredEntities,
       mass, coveredMass, CASE WHEN mass > 0 THEN coveredMass / mass ELSE 1.0 END AS coveredShare,
       [x IN members[0..5] | x.name] AS topEntities
ORDER BY mass DESC
LIMIT $limit;
