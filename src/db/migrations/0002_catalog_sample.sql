-- A first catalog (categories, products, stock) that sampledata:deploy fills so a new store has
-- demo data. The Web API issue grows these tables into Magento's full product model.

CREATE TABLE catalog_category (
    entity_id INTEGER PRIMARY KEY,
    parent_id INTEGER NOT NULL DEFAULT 0,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    level INTEGER NOT NULL DEFAULT 0,
    position INTEGER NOT NULL DEFAULT 0,
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
INSERT INTO catalog_category (entity_id, parent_id, name, path, level, position, is_active,
                              created_at, updated_at)
    VALUES (1, 0, 'Root Catalog', '1', 0, 0, 1, 0, 0),
           (2, 1, 'Default Category', '1/2', 1, 1, 1, 0, 0);

CREATE TABLE catalog_product (
    entity_id @AUTO_ID@,
    sku TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    attribute_set_id INTEGER NOT NULL DEFAULT 4,
    price DOUBLE PRECISION NOT NULL DEFAULT 0,
    status INTEGER NOT NULL DEFAULT 1,
    visibility INTEGER NOT NULL DEFAULT 4,
    type_id TEXT NOT NULL DEFAULT 'simple',
    weight DOUBLE PRECISION,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE catalog_category_product (
    category_id INTEGER NOT NULL REFERENCES catalog_category (entity_id) ON DELETE CASCADE,
    product_id INTEGER NOT NULL REFERENCES catalog_product (entity_id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (category_id, product_id)
);

CREATE TABLE cataloginventory_stock_item (
    product_id INTEGER PRIMARY KEY REFERENCES catalog_product (entity_id) ON DELETE CASCADE,
    qty DOUBLE PRECISION NOT NULL DEFAULT 0,
    is_in_stock INTEGER NOT NULL DEFAULT 1
);
