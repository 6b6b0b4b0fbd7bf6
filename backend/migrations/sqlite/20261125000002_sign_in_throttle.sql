-- Failed sign-ins of the last few minutes, shared by every server process, for throttling.
-- Kept in step with migrations/postgres/20261125000002_sign_in_throttle.sql.
-- Rows older than the throttling window are deleted as new ones arrive.

CREATE TABLE sign_in_failures (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    handle_key  TEXT    NOT NULL,
    address     TEXT    NOT NULL,
    at_ms       INTEGER NOT NULL
);
CREATE INDEX sign_in_failures_handle ON sign_in_failures (handle_key, at_ms);
CREATE INDEX sign_in_failures_address ON sign_in_failures (address, at_ms);
