-- Categories by store view (Magento's catalog_eav_attribute for the category entity). The columns
-- of catalog_category (name, is_active, include_in_menu) hold the default scope (store 0);
-- catalog_category_value (0010) holds the other attributes' default values under store 0 and every
-- store view's own values under its store id, the store view's value winning over the default.
-- scope: 0 store view, 1 global, 2 website (Magento's is_global), as eav_attribute for products.

CREATE TABLE catalog_category_attribute (
    attribute_code TEXT PRIMARY KEY,
    frontend_label TEXT NOT NULL,
    scope INTEGER NOT NULL DEFAULT 0
);
INSERT INTO catalog_category_attribute (attribute_code, frontend_label, scope) VALUES
    ('name', 'Name', 0),
    ('is_active', 'Enable Category', 0),
    ('description', 'Description', 0),
    ('image', 'Image', 0),
    ('meta_title', 'Page Title', 0),
    ('meta_keywords', 'Meta Keywords', 0),
    ('meta_description', 'Meta Description', 0),
    ('display_mode', 'Display Mode', 0),
    ('landing_page', 'CMS Block', 0),
    ('is_anchor', 'Anchor', 1),
    ('available_sort_by', 'Available Product Listing Sort By', 0),
    ('default_sort_by', 'Default Product Listing Sort By', 0),
    ('include_in_menu', 'Include in Menu', 0),
    ('custom_use_parent_settings', 'Use Parent Category Settings', 0),
    ('custom_apply_to_products', 'Apply Design to Products', 0),
    ('custom_design', 'Theme', 0),
    ('custom_design_from', 'Active From', 0),
    ('custom_design_to', 'Active To', 0),
    ('page_layout', 'Layout', 0),
    ('custom_layout_update', 'Layout Update XML', 0),
    ('custom_layout_update_file', 'Custom Layout Update', 0),
    ('filter_price_range', 'Layered Navigation Price Step', 0),
    ('url_key', 'URL Key', 0),
    ('url_path', 'URL Path', 0);

-- a store view's overrides of a list's columns are found without reading every category's values
CREATE INDEX catalog_category_value_store ON catalog_category_value (store_id, attribute_code);
