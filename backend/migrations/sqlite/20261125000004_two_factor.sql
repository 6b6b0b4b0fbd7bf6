-- Two-factor sign-in: a TOTP secret per account, single-use recovery codes, and sign-ins whose
-- password was right and that wait for the second factor.
-- Kept in step with migrations/postgres/20261125000004_two_factor.sql.

CREATE TABLE totp_secrets (
    account_id       INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    secret_base32    TEXT    NOT NULL,
    -- NULL while the participant has not yet proved their app shows the right codes.
    confirmed_at_ms  INTEGER,
    -- The last time step whose code was accepted: a code is accepted once only (ASVS 6.5.1).
    last_step        INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE recovery_codes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    code_hash   TEXT    NOT NULL,
    used_at_ms  INTEGER
);
CREATE INDEX recovery_codes_account ON recovery_codes (account_id);

CREATE TABLE pending_sign_ins (
    token_hash     TEXT    PRIMARY KEY,
    account_id     INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at_ms  INTEGER NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0
);
