-- Two-factor sign-in: a TOTP secret per account, single-use recovery codes, and sign-ins whose
-- password was right and that wait for the second factor.
-- Kept in step with migrations/sqlite/20261125000004_two_factor.sql.

CREATE TABLE totp_secrets (
    account_id       BIGINT  PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    secret_base32    TEXT    NOT NULL,
    -- NULL while the participant has not yet proved their app shows the right codes.
    confirmed_at_ms  BIGINT,
    -- The last time step whose code was accepted: a code is accepted once only (ASVS 6.5.1).
    last_step        BIGINT  NOT NULL DEFAULT 0
);

CREATE TABLE recovery_codes (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id  BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    code_hash   TEXT    NOT NULL,
    used_at_ms  BIGINT
);
CREATE INDEX recovery_codes_account ON recovery_codes (account_id);

CREATE TABLE pending_sign_ins (
    token_hash     TEXT    PRIMARY KEY,
    account_id     BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at_ms  BIGINT  NOT NULL,
    attempts       BIGINT  NOT NULL DEFAULT 0
);
