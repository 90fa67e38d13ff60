-- The trigram index of product names (0010) is rewritten only when a name really changes: a save
-- always names the column (UPDATE ... SET name = CASE ...), and most saves from an ERP change
-- prices and stock, not names. Each rewrite costs the index a delete and an insert, and makes it
-- flush its pending terms at the next statement of the transaction.
{{sqlite:
DROP TRIGGER catalog_product_name_fts_au;
CREATE TRIGGER catalog_product_name_fts_au AFTER UPDATE OF name ON catalog_product
WHEN old.name IS NOT new.name BEGIN
    INSERT INTO catalog_product_name_fts (catalog_product_name_fts, rowid, name)
        VALUES ('delete', old.entity_id, old.name);
    INSERT INTO catalog_product_name_fts (rowid, name) VALUES (new.entity_id, new.name);
END;
}}
