-- Passkeys (WebAuthn): an account's registered credentials, the ceremonies under way, how each
-- session was signed in, and the consultations whose conveners must use a passkey.
-- Kept in step with migrations/postgres/20261207000024_passkeys.sql.

-- The random id an authenticator keeps for the account (WebAuthn's user handle): never the
-- account's number or handle, so a passkey says nothing about who holds it.
ALTER TABLE accounts ADD COLUMN passkey_user_id TEXT;
CREATE UNIQUE INDEX accounts_passkey_user_id ON accounts (passkey_user_id);

CREATE TABLE passkeys (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id       INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- The credential's id, base64url: unique across accounts (WebAuthn 7.1 step 25).
    credential_id    TEXT    NOT NULL UNIQUE,
    -- The owner's name for it ("my phone").
    name             TEXT    NOT NULL,
    -- The public key, its signature counter and flags, as the relying-party library keeps them
    -- (JSON). Nothing here is secret.
    credential       TEXT    NOT NULL,
    -- The last signature counter seen (0: the authenticator keeps none), raised only forwards
    -- so that two processes cannot both accept the same count.
    sign_count       INTEGER NOT NULL DEFAULT 0,
    created_at_ms    INTEGER NOT NULL,
    last_used_at_ms  INTEGER
);
CREATE INDEX passkeys_account ON passkeys (account_id);

-- One row per ceremony under way: its challenge and what it expects, taken (deleted) by the
-- request that finishes it, so a challenge answers once, on whichever process.
CREATE TABLE passkey_ceremonies (
    token_hash     TEXT    PRIMARY KEY,
    -- NULL for a sign-in where the passkey says whose it is.
    account_id     INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
    purpose        TEXT    NOT NULL,
    state          TEXT    NOT NULL,
    created_at_ms  INTEGER NOT NULL
);

-- How each session was signed in: 'password', 'totp', 'recovery_code' or 'passkey'.
ALTER TABLE sessions ADD COLUMN signed_in_with TEXT NOT NULL DEFAULT 'password';

ALTER TABLE consultations ADD COLUMN conveners_need_passkey INTEGER NOT NULL DEFAULT 0;
