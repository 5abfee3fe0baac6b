// The history of selection rounds: what each round picked, by which strategy, and what the items were labeled since.
// @param limit 50
// @columns round, strategy, at, rank, id, score, label
MATCH (r:Round)-[p:PICKED]->(i:Item)
RETURN r.n AS round, r.strategy AS strategy, r.at AS at, p.rank AS rank, i.id AS id, p.score AS score, i.label AS label
ORDER BY round DESC, rank
LIMIT $limit;
