-- Magento_Cms: pages and static blocks with their store assignments (store 0 = all store views).
-- Column names are Magento's (cms_page, cms_page_store, cms_block, cms_block_store); times are
-- Unix seconds like every other table here. Identifiers are unique per store, enforced by the
-- service (Magento's rule spans the store table, so no single index expresses it).

CREATE TABLE cms_page (
    page_id @AUTO_ID@,
    identifier TEXT NOT NULL,
    title TEXT,
    page_layout TEXT,
    meta_title TEXT,
    meta_keywords TEXT,
    meta_description TEXT,
    content_heading TEXT,
    content TEXT,
    creation_time BIGINT NOT NULL,
    update_time BIGINT NOT NULL,
    sort_order INTEGER NOT NULL DEFAULT 0,
    layout_update_xml TEXT,
    custom_theme TEXT,
    custom_root_template TEXT,
    custom_layout_update_xml TEXT,
    custom_theme_from TEXT,
    custom_theme_to TEXT,
    is_active INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX cms_page_identifier ON cms_page (identifier);

CREATE TABLE cms_page_store (
    page_id BIGINT NOT NULL REFERENCES cms_page (page_id) ON DELETE CASCADE,
    store_id INTEGER NOT NULL,
    PRIMARY KEY (page_id, store_id)
);
CREATE INDEX cms_page_store_store ON cms_page_store (store_id);

CREATE TABLE cms_block (
    block_id @AUTO_ID@,
    title TEXT NOT NULL,
    identifier TEXT NOT NULL,
    content TEXT,
    creation_time BIGINT NOT NULL,
    update_time BIGINT NOT NULL,
    is_active INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX cms_block_identifier ON cms_block (identifier);

CREATE TABLE cms_block_store (
    block_id BIGINT NOT NULL REFERENCES cms_block (block_id) ON DELETE CASCADE,
    store_id INTEGER NOT NULL,
    PRIMARY KEY (block_id, store_id)
);
CREATE INDEX cms_block_store_store ON cms_block_store (store_id);

-- The four pages of a fresh Magento install, on all store views.
INSERT INTO cms_page (identifier, title, page_layout, content_heading, content, creation_time,
                      update_time, sort_order, is_active)
    VALUES ('no-route', '404 Not Found', '2columns-right', 'Whoops, our bad...',
            '<dl><dt>The page you requested was not found, and we have a fine guess why.</dt></dl>',
            0, 0, 0, 1);
INSERT INTO cms_page (identifier, title, page_layout, content_heading, content, creation_time,
                      update_time, sort_order, is_active)
    VALUES ('home', 'Home page', '1column', 'Home Page', '<p>CMS homepage content goes here.</p>',
            0, 0, 0, 1);
INSERT INTO cms_page (identifier, title, page_layout, content_heading, content, creation_time,
                      update_time, sort_order, is_active)
    VALUES ('enable-cookies', 'Enable Cookies', '1column', 'What are Cookies?',
            '<div class="enable-cookies"><p>Cookies are short pieces of data that are sent to your computer when you visit a website.</p></div>',
            0, 0, 0, 1);
INSERT INTO cms_page (identifier, title, page_layout, content_heading, content, creation_time,
                      update_time, sort_order, is_active)
    VALUES ('privacy-policy-cookie-restriction-mode', 'Privacy Policy', '1column', 'Privacy Policy',
            '<p>Our privacy policy.</p>', 0, 0, 0, 1);
INSERT INTO cms_page_store (page_id, store_id) SELECT page_id, 0 FROM cms_page;
