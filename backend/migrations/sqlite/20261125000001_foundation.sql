-- Accounts, sessions, consultations, rounds, clauses, comments and positions.
-- Kept in step with migrations/postgres/20261125000001_foundation.sql.

CREATE TABLE accounts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    handle         TEXT    NOT NULL UNIQUE,
    password_hash  TEXT    NOT NULL,
    created_at_ms  INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash       TEXT    PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at_ms    INTEGER NOT NULL,
    last_seen_at_ms  INTEGER NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE consultations (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    slug           TEXT    NOT NULL UNIQUE,
    title          TEXT    NOT NULL,
    description    TEXT    NOT NULL,
    created_at_ms  INTEGER NOT NULL
);

CREATE TABLE rounds (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    consultation_id  INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    slug             TEXT    NOT NULL,
    title            TEXT    NOT NULL,
    phase            TEXT    NOT NULL
        CHECK (phase IN ('draft', 'commenting', 'voting', 'closed', 'published')),
    opened_at_ms     INTEGER NOT NULL,
    UNIQUE (consultation_id, slug)
);

CREATE TABLE clauses (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id  INTEGER NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    key       TEXT    NOT NULL,
    number    INTEGER NOT NULL,
    title     TEXT    NOT NULL,
    body_md   TEXT    NOT NULL,
    UNIQUE (round_id, key),
    UNIQUE (round_id, number)
);

CREATE TABLE comments (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    clause_id      INTEGER NOT NULL REFERENCES clauses (id) ON DELETE CASCADE,
    account_id     INTEGER NOT NULL REFERENCES accounts (id),
    body           TEXT    NOT NULL,
    created_at_ms  INTEGER NOT NULL
);
CREATE INDEX comments_clause ON comments (clause_id, id);

-- The current position of each account on each clause.
CREATE TABLE positions (
    clause_id      INTEGER NOT NULL REFERENCES clauses (id) ON DELETE CASCADE,
    account_id     INTEGER NOT NULL REFERENCES accounts (id),
    stance         TEXT    NOT NULL
        CHECK (stance IN ('endorse', 'endorse_with_reservation', 'oppose', 'abstain')),
    reason         TEXT,
    updated_at_ms  INTEGER NOT NULL,
    PRIMARY KEY (clause_id, account_id)
);

-- Every position ever cast, so that changes are kept.
CREATE TABLE position_changes (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    clause_id      INTEGER NOT NULL REFERENCES clauses (id) ON DELETE CASCADE,
    account_id     INTEGER NOT NULL REFERENCES accounts (id),
    stance         TEXT    NOT NULL,
    reason         TEXT,
    cast_at_ms     INTEGER NOT NULL
);
