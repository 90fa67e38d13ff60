-- Magento's product model on top of 0002's catalog_product (whose rows keep working: their
-- global values stay in catalog_product's columns). Values of other attributes, and store-view
-- overrides of name/status/visibility, live in catalog_product_value by store (0 = default
-- scope); website assignment, media gallery metadata, tier prices and the full stock item have
-- their own tables. The attribute dictionary and attribute sets feed /V1/products/attributes and
-- /V1/products/attribute-sets.

CREATE TABLE eav_attribute_set (
    attribute_set_id INTEGER PRIMARY KEY,
    attribute_set_name TEXT NOT NULL,
    sort_order INTEGER NOT NULL DEFAULT 0,
    entity_type_id INTEGER NOT NULL DEFAULT 4
);
INSERT INTO eav_attribute_set (attribute_set_id, attribute_set_name, sort_order, entity_type_id)
    VALUES (4, 'Default', 1, 4);

-- scope: 0 store view, 1 global, 2 website (Magento's is_global)
CREATE TABLE eav_attribute (
    attribute_id INTEGER PRIMARY KEY,
    attribute_code TEXT NOT NULL UNIQUE,
    frontend_input TEXT NOT NULL,
    backend_type TEXT NOT NULL,
    frontend_label TEXT NOT NULL,
    is_required INTEGER NOT NULL DEFAULT 0,
    is_user_defined INTEGER NOT NULL DEFAULT 0,
    is_unique INTEGER NOT NULL DEFAULT 0,
    scope INTEGER NOT NULL DEFAULT 0,
    is_custom INTEGER NOT NULL DEFAULT 1,
    position INTEGER NOT NULL DEFAULT 0
);
INSERT INTO eav_attribute (attribute_id, attribute_code, frontend_input, backend_type,
    frontend_label, is_required, is_user_defined, is_unique, scope, is_custom, position) VALUES
    (73, 'name', 'text', 'varchar', 'Product Name', 1, 0, 0, 0, 0, 1),
    (74, 'sku', 'text', 'static', 'SKU', 1, 0, 1, 1, 0, 2),
    (75, 'description', 'textarea', 'text', 'Description', 0, 0, 0, 0, 1, 3),
    (76, 'short_description', 'textarea', 'text', 'Short Description', 0, 0, 0, 0, 1, 4),
    (77, 'price', 'price', 'decimal', 'Price', 1, 0, 0, 2, 0, 5),
    (78, 'special_price', 'price', 'decimal', 'Special Price', 0, 0, 0, 2, 1, 6),
    (79, 'special_from_date', 'date', 'datetime', 'Special Price From Date', 0, 0, 0, 2, 1, 7),
    (80, 'special_to_date', 'date', 'datetime', 'Special Price To Date', 0, 0, 0, 2, 1, 8),
    (82, 'weight', 'weight', 'decimal', 'Weight', 0, 0, 0, 1, 0, 9),
    (84, 'meta_title', 'text', 'varchar', 'Meta Title', 0, 0, 0, 0, 1, 10),
    (85, 'meta_keyword', 'textarea', 'text', 'Meta Keywords', 0, 0, 0, 0, 1, 11),
    (86, 'meta_description', 'textarea', 'varchar', 'Meta Description', 0, 0, 0, 0, 1, 12),
    (87, 'image', 'media_image', 'varchar', 'Base', 0, 0, 0, 0, 1, 13),
    (88, 'small_image', 'media_image', 'varchar', 'Small', 0, 0, 0, 0, 1, 14),
    (89, 'thumbnail', 'media_image', 'varchar', 'Thumbnail', 0, 0, 0, 0, 1, 15),
    (93, 'color', 'select', 'int', 'Color', 0, 1, 0, 1, 1, 16),
    (94, 'news_from_date', 'date', 'datetime', 'Set Product as New from Date', 0, 0, 0, 2, 1, 17),
    (95, 'news_to_date', 'date', 'datetime', 'Set Product as New to Date', 0, 0, 0, 2, 1, 18),
    (97, 'status', 'select', 'int', 'Enable Product', 0, 0, 0, 2, 0, 19),
    (99, 'visibility', 'select', 'int', 'Visibility', 0, 0, 0, 0, 0, 20),
    (119, 'url_key', 'text', 'varchar', 'URL Key', 0, 0, 0, 0, 1, 21),
    (132, 'tax_class_id', 'select', 'int', 'Tax Class', 0, 0, 0, 2, 1, 22),
    (134, 'swatch_image', 'media_image', 'varchar', 'Swatch', 0, 0, 0, 0, 1, 23),
    (144, 'size', 'select', 'int', 'Size', 0, 1, 0, 1, 1, 24),
    (145, 'manufacturer', 'select', 'int', 'Manufacturer', 0, 1, 0, 1, 1, 25),
    (146, 'country_of_manufacture', 'select', 'varchar', 'Country of Manufacture', 0, 0, 0, 2, 1, 26),
    (147, 'gift_message_available', 'boolean', 'varchar', 'Allow Gift Message', 0, 0, 0, 0, 1, 27),
    (148, 'options_container', 'select', 'varchar', 'Display Product Options In', 0, 0, 0, 0, 1, 28),
    (149, 'required_options', 'text', 'static', 'Required Options', 0, 0, 0, 1, 1, 29),
    (150, 'has_options', 'text', 'static', 'Has Options', 0, 0, 0, 1, 1, 30);

