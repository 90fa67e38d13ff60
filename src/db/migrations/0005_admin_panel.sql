-- The admin panel: roles with resources from the ACL tree (Magento_Authorization's
-- authorization_role/authorization_rule, flattened), each admin user in one role, and browser
-- sessions. Sessions live in the database so that every node sees a sign-in and a sign-out at once;
-- only the SHA-256 of a session token is stored.

CREATE TABLE admin_role (
    role_id @AUTO_ID@,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE, -- lower-cased: role names are unique case-insensitively
    all_resources INTEGER NOT NULL DEFAULT 0, -- 1: Magento_Backend::all
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Resources of a role with Custom access (one row per ticked ACL id).
CREATE TABLE admin_role_resource (
    role_id INTEGER NOT NULL REFERENCES admin_role (role_id) ON DELETE CASCADE,
    resource_id TEXT NOT NULL,
    PRIMARY KEY (role_id, resource_id)
);

ALTER TABLE admin_user ADD COLUMN role_id INTEGER REFERENCES admin_role (role_id);

-- Magento's fresh install: one role, "Administrators", with every resource, held by every admin
-- created so far.
INSERT INTO admin_role (name, name_key, all_resources, created_at, updated_at)
    VALUES ('Administrators', 'administrators', 1, 0, 0);
UPDATE admin_user SET role_id = (SELECT role_id FROM admin_role WHERE name_key = 'administrators');

CREATE TABLE admin_session (
    session_id @AUTO_ID@,
    token_hash TEXT NOT NULL UNIQUE, -- SHA-256 hex of the cookie's value
    admin_id INTEGER NOT NULL REFERENCES admin_user (user_id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL -- the idle timeout counts from here
);
CREATE INDEX admin_session_admin ON admin_session (admin_id);
CREATE INDEX admin_session_seen ON admin_session (last_seen_at);
