-- Core schema: store structure (Magento_Store), configuration rows (core_config_data), cache
-- versions, admin users and the token table shared by admin, customer and integration tokens.
-- Times are Unix seconds (BIGINT), rendered as "YYYY-MM-DD HH:MM:SS" UTC in JSON.

CREATE TABLE store_website (
    website_id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    sort_order INTEGER NOT NULL DEFAULT 0,
    default_group_id INTEGER NOT NULL DEFAULT 0,
    is_default INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE store_group (
    group_id INTEGER PRIMARY KEY,
    website_id INTEGER NOT NULL REFERENCES store_website (website_id),
    name TEXT NOT NULL,
    root_category_id INTEGER NOT NULL DEFAULT 0,
    default_store_id INTEGER NOT NULL DEFAULT 0,
    code TEXT NOT NULL UNIQUE
);

CREATE TABLE store (
    store_id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    website_id INTEGER NOT NULL REFERENCES store_website (website_id),
    group_id INTEGER NOT NULL REFERENCES store_group (group_id),
    name TEXT NOT NULL,
    sort_order INTEGER NOT NULL DEFAULT 0,
    is_active INTEGER NOT NULL DEFAULT 1
);

-- A fresh Magento install: admin scope 0, website 1 "base", group 1, store view 1 "default".
INSERT INTO store_website (website_id, code, name, sort_order, default_group_id, is_default)
    VALUES (0, 'admin', 'Admin', 0, 0, 0), (1, 'base', 'Main Website', 0, 1, 1);
INSERT INTO store_group (group_id, website_id, name, root_category_id, default_store_id, code)
    VALUES (0, 0, 'Default', 0, 0, 'default'),
           (1, 1, 'Main Website Store', 2, 1, 'main_website_store');
INSERT INTO store (store_id, code, website_id, group_id, name, sort_order, is_active)
    VALUES (0, 'admin', 0, 0, 'Admin', 0, 1), (1, 'default', 1, 1, 'Default Store View', 0, 1);

CREATE TABLE core_config_data (
    config_id @AUTO_ID@,
    scope TEXT NOT NULL DEFAULT 'default',
    scope_id INTEGER NOT NULL DEFAULT 0,
    path TEXT NOT NULL,
    value TEXT,
    updated_at BIGINT NOT NULL DEFAULT 0,
    UNIQUE (scope, scope_id, path)
);

-- One row per cache; a writer bumps the version in the same transaction as its change, and every
-- worker compares versions before trusting its cached copy.
CREATE TABLE cache_version (
    name TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO cache_version (name, version) VALUES ('config', 1), ('store', 1);

CREATE TABLE admin_user (
    user_id @AUTO_ID@,
    username TEXT NOT NULL,
    username_key TEXT NOT NULL UNIQUE, -- lower-cased: user names match case-insensitively
    email TEXT NOT NULL,
    firstname TEXT NOT NULL DEFAULT '',
    lastname TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Magento's oauth_token. Bearer tokens of admins and customers are stored only as SHA-256 hex
-- in token (user_type 2/3); integration tokens (user_type 1) come with the OAuth provider.
CREATE TABLE oauth_token (
    entity_id @AUTO_ID@,
    consumer_id INTEGER,
    admin_id INTEGER REFERENCES admin_user (user_id) ON DELETE CASCADE,
    customer_id INTEGER,
    type TEXT NOT NULL,
    token TEXT NOT NULL UNIQUE,
    secret TEXT NOT NULL DEFAULT '',
    verifier TEXT,
    callback_url TEXT NOT NULL DEFAULT 'oob',
    revoked INTEGER NOT NULL DEFAULT 0,
    authorized INTEGER NOT NULL DEFAULT 0,
    user_type INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL DEFAULT 0 -- 0: never
);
CREATE INDEX oauth_token_admin ON oauth_token (admin_id);
CREATE INDEX oauth_token_created ON oauth_token (created_at);
