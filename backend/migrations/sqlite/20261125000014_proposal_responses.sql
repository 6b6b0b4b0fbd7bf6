-- The conveners' official response to a proposal (an amendment or an addition), as to a comment.
-- Kept in step with migrations/postgres/20261125000014_proposal_responses.sql.

CREATE TABLE proposal_responses (
    clause_id    INTEGER PRIMARY KEY REFERENCES clauses (id) ON DELETE CASCADE,
    verdict      TEXT    NOT NULL
        CHECK (verdict IN ('noted', 'accepted', 'partly_accepted', 'not_accepted')),
    explanation  TEXT    NOT NULL,
    account_id   INTEGER NOT NULL REFERENCES accounts (id),
    at_ms        INTEGER NOT NULL
);
