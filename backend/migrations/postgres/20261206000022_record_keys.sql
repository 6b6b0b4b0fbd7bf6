-- The public halves of the keys that have signed this instance's records, each with the time
-- it signed from and until (NULL: the key in use). The secret halves live outside the
-- database, in the key file given by --record-key; public keys are not secret, and keeping
-- them here lets `concord verify` and `/.well-known/concord-record-key.pub` name every key
-- a genuine bundle may carry after the key is rotated.
-- Kept in step with migrations/sqlite/20261206000022_record_keys.sql.

CREATE TABLE record_keys (
    key_id            TEXT    PRIMARY KEY,
    public_key        TEXT    NOT NULL,
    signed_from_ms    BIGINT NOT NULL,
    signed_until_ms   BIGINT
);
