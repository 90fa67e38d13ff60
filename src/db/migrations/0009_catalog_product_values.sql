-- Products, continued (see 0006): store-scoped values, websites, media gallery metadata, tier
-- prices and the full stock item.

CREATE TABLE catalog_product_value (
    product_id INTEGER NOT NULL REFERENCES catalog_product (entity_id) ON DELETE CASCADE,
    store_id INTEGER NOT NULL,
    attribute_code TEXT NOT NULL,
    value TEXT,
    PRIMARY KEY (product_id, store_id, attribute_code)
);
CREATE INDEX catalog_product_value_store ON catalog_product_value (store_id, attribute_code);

CREATE TABLE catalog_product_website (
    product_id INTEGER NOT NULL REFERENCES catalog_product (entity_id) ON DELETE CASCADE,
    website_id INTEGER NOT NULL,
    PRIMARY KEY (product_id, website_id)
);
INSERT INTO catalog_product_website (product_id, website_id)
    SELECT entity_id, 1 FROM catalog_product;

CREATE TABLE catalog_product_media (
    value_id @AUTO_ID@,
    product_id INTEGER NOT NULL REFERENCES catalog_product (entity_id) ON DELETE CASCADE,
    media_type TEXT NOT NULL DEFAULT 'image',
    label TEXT,
    position INTEGER NOT NULL DEFAULT 0,
    disabled INTEGER NOT NULL DEFAULT 0,
    types TEXT NOT NULL DEFAULT '',
    file TEXT NOT NULL
);
CREATE INDEX catalog_product_media_product ON catalog_product_media (product_id, position);

CREATE TABLE catalog_product_tier_price (
    value_id @AUTO_ID@,
    product_id INTEGER NOT NULL REFERENCES catalog_product (entity_id) ON DELETE CASCADE,
    customer_group_id INTEGER NOT NULL DEFAULT 32000,
    qty DOUBLE PRECISION NOT NULL DEFAULT 1,
    value DOUBLE PRECISION NOT NULL
);
CREATE INDEX catalog_product_tier_price_product ON catalog_product_tier_price (product_id);

-- the stock item's settings beyond 0002's qty and is_in_stock (Magento's defaults)
ALTER TABLE cataloginventory_stock_item ADD COLUMN is_qty_decimal INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cataloginventory_stock_item ADD COLUMN min_qty DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE cataloginventory_stock_item ADD COLUMN min_sale_qty DOUBLE PRECISION NOT NULL DEFAULT 1;
ALTER TABLE cataloginventory_stock_item ADD COLUMN max_sale_qty DOUBLE PRECISION NOT NULL DEFAULT 10000;
ALTER TABLE cataloginventory_stock_item ADD COLUMN backorders INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cataloginventory_stock_item ADD COLUMN notify_stock_qty DOUBLE PRECISION NOT NULL DEFAULT 1;
ALTER TABLE cataloginventory_stock_item ADD COLUMN manage_stock INTEGER NOT NULL DEFAULT 1;
ALTER TABLE cataloginventory_stock_item ADD COLUMN low_stock_date BIGINT;

CREATE INDEX catalog_product_price ON catalog_product (price);
CREATE INDEX catalog_product_updated ON catalog_product (updated_at);
