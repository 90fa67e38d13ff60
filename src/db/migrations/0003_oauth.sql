-- OAuth 1.0a provider (reference section 1): consumers, the integrations they belong to, nonces,
-- customers (accounts and tokens; the full customer resource comes with the Web API), and the
-- authentication-lock log. Consumer and token secrets are sealed with the install key (they must
-- be shown to the admin again); bearer tokens of admins and customers are stored as SHA-256.

CREATE TABLE oauth_consumer (
    entity_id @AUTO_ID@,
    name TEXT NOT NULL,
    key TEXT NOT NULL UNIQUE,
    secret TEXT NOT NULL, -- sealed
    callback_url TEXT,
    rejected_callback_url TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL DEFAULT 0 -- start of the handshake window; 0: never posted
);

CREATE TABLE integration (
    integration_id @AUTO_ID@,
    name TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL DEFAULT '',
    endpoint TEXT,
    identity_link_url TEXT,
    status INTEGER NOT NULL DEFAULT 0, -- 0 inactive, 1 active, 2 reset
    consumer_id INTEGER UNIQUE REFERENCES oauth_consumer (entity_id) ON DELETE CASCADE,
    setup_type INTEGER NOT NULL DEFAULT 0, -- 0 manual, 1 config
    all_resources INTEGER NOT NULL DEFAULT 0,
    diagnostics_until BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Resources granted to an integration with Custom access (one row per ticked ACL id).
CREATE TABLE integration_resource (
    integration_id INTEGER NOT NULL REFERENCES integration (integration_id) ON DELETE CASCADE,
    resource_id TEXT NOT NULL,
    PRIMARY KEY (integration_id, resource_id)
);

CREATE TABLE customer_entity (
    entity_id @AUTO_ID@,
    website_id INTEGER NOT NULL DEFAULT 1,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL, -- lower-cased
    group_id INTEGER NOT NULL DEFAULT 1,
    store_id INTEGER NOT NULL DEFAULT 1,
    created_in TEXT NOT NULL DEFAULT 'Default Store View',
    firstname TEXT NOT NULL,
    lastname TEXT NOT NULL,
    password_hash TEXT,
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (email_key, website_id)
);

-- Integration tokens (user_type 1) join the admin (2) and customer (3) tokens of 0001.
CREATE INDEX oauth_token_consumer ON oauth_token (consumer_id);
CREATE INDEX oauth_token_customer ON oauth_token (customer_id);

CREATE TABLE oauth_nonce (
    nonce TEXT NOT NULL,
    consumer_id INTEGER NOT NULL REFERENCES oauth_consumer (entity_id) ON DELETE CASCADE,
    timestamp BIGINT NOT NULL,
    PRIMARY KEY (nonce, consumer_id)
);
CREATE INDEX oauth_nonce_timestamp ON oauth_nonce (timestamp);

CREATE TABLE oauth_token_request_log (
    log_id @AUTO_ID@,
    user_name TEXT NOT NULL,
    user_type INTEGER NOT NULL, -- 2 customer, 3 admin (Magento's RequestThrottler values)
    failures_count INTEGER NOT NULL DEFAULT 0,
    lock_expires_at BIGINT NOT NULL DEFAULT 0,
    UNIQUE (user_name, user_type)
);
