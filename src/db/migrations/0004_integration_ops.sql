-- Integration operations: the per-integration activation log (what the admin and the third party
-- did, and when) and usage counters ("last used" and request count), which every node adds into
-- with atomic increments from its in-memory tallies, never with a write per request.

CREATE TABLE integration_log (
    log_id @AUTO_ID@,
    integration_id INTEGER NOT NULL REFERENCES integration (integration_id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    event TEXT NOT NULL,
    admin_id INTEGER,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX integration_log_integration ON integration_log (integration_id, log_id);

CREATE TABLE integration_usage (
    integration_id INTEGER PRIMARY KEY REFERENCES integration (integration_id) ON DELETE CASCADE,
    last_used_at BIGINT NOT NULL DEFAULT 0,
    request_count BIGINT NOT NULL DEFAULT 0
);
