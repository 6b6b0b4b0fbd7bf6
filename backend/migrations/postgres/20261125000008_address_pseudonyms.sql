-- Sign-in throttling counts failures per network address, but only needs to tell addresses apart:
-- from now on it keeps a keyed digest (HMAC-SHA256) of each address instead of the address, under
-- a random key this table holds, shared by every server process. The rows written before hold
-- plain addresses; they are at most a throttling window old and are dropped.
-- Kept in step with migrations/sqlite/20261125000008_address_pseudonyms.sql.

CREATE TABLE server_keys (
    name           TEXT    PRIMARY KEY,
    key_base64     TEXT    NOT NULL,
    created_at_ms  BIGINT  NOT NULL
);

DELETE FROM sign_in_failures;
