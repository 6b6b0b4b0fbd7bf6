-- Sign-ups of the last hour, by the keyed digest of the address they came from (never the
-- address), shared by every server process: a few a minute from one address, so that nobody
-- can make the server hash passwords without end. Older rows are deleted as new ones arrive.
-- Kept in step with migrations/sqlite/20261206000021_sign_up_throttle.sql.

CREATE TABLE sign_ups (
    address  TEXT    NOT NULL,
    at_ms    BIGINT NOT NULL
);
CREATE INDEX sign_ups_address ON sign_ups (address, at_ms);
