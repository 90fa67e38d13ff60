-- Indexes for the product searches integrators run most: name LIKE 'prefix%' with a status
-- filter and a price sort, and name LIKE '%word%' anywhere. Magento's MySQL LIKE ignores case, so
-- do these: SQLite with a NOCASE index (its LIKE optimization) and an FTS5 trigram index kept in
-- step by triggers; PostgreSQL (ILIKE) with a pg_trgm index, which serves both.
CREATE INDEX catalog_category_product_product ON catalog_category_product (product_id);
{{sqlite:
CREATE INDEX catalog_product_name_ci ON catalog_product (name COLLATE NOCASE, status, price);
CREATE VIRTUAL TABLE catalog_product_name_fts USING fts5(name, content='catalog_product',
    content_rowid='entity_id', tokenize='trigram');
INSERT INTO catalog_product_name_fts (rowid, name) SELECT entity_id, name FROM catalog_product;
CREATE TRIGGER catalog_product_name_fts_ai AFTER INSERT ON catalog_product BEGIN
    INSERT INTO catalog_product_name_fts (rowid, name) VALUES (new.entity_id, new.name);
END;
CREATE TRIGGER catalog_product_name_fts_ad AFTER DELETE ON catalog_product BEGIN
    INSERT INTO catalog_product_name_fts (catalog_product_name_fts, rowid, name)
        VALUES ('delete', old.entity_id, old.name);
END;
CREATE TRIGGER catalog_product_name_fts_au AFTER UPDATE OF name ON catalog_product BEGIN
    INSERT INTO catalog_product_name_fts (catalog_product_name_fts, rowid, name)
        VALUES ('delete', old.entity_id, old.name);
    INSERT INTO catalog_product_name_fts (rowid, name) VALUES (new.entity_id, new.name);
END;
}}
{{postgresql:
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX catalog_product_name_trgm ON catalog_product USING gin (name gin_trgm_ops);
CREATE INDEX catalog_product_status_price ON catalog_product (status, price);
}}

-- Categories (reference 8.2): the menu flag and the values of other attributes (url_key,
-- description, display_mode, is_anchor, ...) by store, 0 being the default scope.
ALTER TABLE catalog_category ADD COLUMN include_in_menu INTEGER NOT NULL DEFAULT 1;
CREATE TABLE catalog_category_value (
    category_id INTEGER NOT NULL REFERENCES catalog_category (entity_id) ON DELETE CASCADE,
    store_id INTEGER NOT NULL,
    attribute_code TEXT NOT NULL,
    value TEXT,
    PRIMARY KEY (category_id, store_id, attribute_code)
);
CREATE INDEX catalog_category_parent ON catalog_category (parent_id, position);
