// Label distribution of the labeled items that mention an entity: is the entity tied to one class or many?
// @param key "denmark"
// @columns label, items, share
MATCH (:Entity {key: $key})<-[:MENTIONS]-(i:Item)
WHERE i.label IS NOT NULL
WITH i.label AS label, count(*) AS items
WITH collect({label: label, items: items}) AS rows, sum(items) AS total
UNWIND rows AS row
RETURN row.label AS label, row.items AS items, toFloat(row.items) / total AS share
ORDER BY items DESC, label;
