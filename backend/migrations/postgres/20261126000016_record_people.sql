-- People of a round imported from another instance's record (`concord import`): the pseudonym
-- and handle that record gave them, so that exporting the round again gives the same files.
-- Their accounts cannot sign in (no password).
CREATE TABLE record_people (
    account_id       BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    consultation_id  BIGINT  NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    pseudonym        TEXT,
    handle           TEXT
);
CREATE INDEX record_people_consultation ON record_people (consultation_id);
