// Items most similar in meaning to one item, through the vector index on item embeddings (`kgal embed` first).
// @param id "a1"
// @param k 10
// @columns id, score, label, text
MATCH (i:Item {id: $id})
CALL db.index.vector.queryNodes('item_embedding', $k + 1, i.embedding) YIELD node, score
WHERE node <> i
RETURN node.id AS id, score, node.label AS label, left(node.text, 160) AS text
ORDER BY score DESC
LIMIT $k;
