-- Conveners per consultation, open or invitation-only consultations, invitation links, the
-- participants they let in, organisations' representatives, and the organisation a participant
-- chooses to show next to their handle.
-- Kept in step with migrations/postgres/20261125000007_conveners_and_invitations.sql.

ALTER TABLE consultations ADD COLUMN access TEXT NOT NULL DEFAULT 'open'
    CHECK (access IN ('open', 'invitation'));

CREATE TABLE conveners (
    consultation_id  INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    account_id       INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (consultation_id, account_id)
);
CREATE INDEX conveners_account ON conveners (account_id);

-- An invitation link's token is stored only as its digest.
CREATE TABLE invitations (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    consultation_id    INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    token_hash         TEXT    NOT NULL UNIQUE,
    -- Set for an invitation on behalf of an organisation: accepting it makes one a member.
    organisation_id    INTEGER REFERENCES organisations (id) ON DELETE CASCADE,
    stakeholder_group  TEXT    NOT NULL
        CHECK (stakeholder_group IN ('civil_society', 'private_sector', 'government', 'academia',
                                     'technical_community', 'intergovernmental')),
    -- The convener's own reminder of whom the link is for; never shown to anybody else.
    note               TEXT    NOT NULL,
    created_by         INTEGER NOT NULL REFERENCES accounts (id),
    created_at_ms      INTEGER NOT NULL,
    expires_at_ms      INTEGER NOT NULL,
    accepted_by        INTEGER REFERENCES accounts (id),
    accepted_at_ms     INTEGER,
    revoked_at_ms      INTEGER
);
CREATE INDEX invitations_consultation ON invitations (consultation_id, id);

-- Who takes part in a consultation, in which stakeholder group and for which organisation.
CREATE TABLE participants (
    consultation_id    INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    account_id         INTEGER NOT NULL REFERENCES accounts (id),
    stakeholder_group  TEXT    NOT NULL
        CHECK (stakeholder_group IN ('civil_society', 'private_sector', 'government', 'academia',
                                     'technical_community', 'intergovernmental')),
    organisation_id    INTEGER REFERENCES organisations (id) ON DELETE SET NULL,
    joined_at_ms       INTEGER NOT NULL,
    PRIMARY KEY (consultation_id, account_id)
);

ALTER TABLE organisations ADD COLUMN representative_id INTEGER REFERENCES accounts (id);
ALTER TABLE accounts ADD COLUMN shown_organisation_id INTEGER REFERENCES organisations (id);
