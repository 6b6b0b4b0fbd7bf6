-- Participants belong to organisations: they ask to join, an administrator accepts.
-- Kept in step with migrations/postgres/20261125000006_memberships.sql.

CREATE TABLE memberships (
    account_id       INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    organisation_id  INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    status           TEXT    NOT NULL CHECK (status IN ('requested', 'member')),
    requested_at_ms  INTEGER NOT NULL,
    PRIMARY KEY (account_id, organisation_id)
);
CREATE INDEX memberships_organisation ON memberships (organisation_id, status);
