-- Proposals: participants propose an amendment (new wording for a clause) or an addition (a new
-- clause). A proposal is a row of `clauses` of its round with a kind other than 'text', so that
-- it has its own discussion and takes positions exactly as a clause does; its number is
-- negative (-1, -2, … in the order proposed) and its key `proposal-N`, so it never takes the
-- place of the text's own clauses, and it is never copied into the next round.
-- Kept in step with migrations/postgres/20261125000013_proposals.sql.

ALTER TABLE clauses ADD COLUMN kind TEXT NOT NULL DEFAULT 'text'
    CHECK (kind IN ('text', 'amendment', 'addition'));
ALTER TABLE clauses ADD COLUMN amends_id INTEGER REFERENCES clauses (id) ON DELETE CASCADE;
ALTER TABLE clauses ADD COLUMN proposed_by INTEGER REFERENCES accounts (id);
ALTER TABLE clauses ADD COLUMN proposed_at_ms INTEGER;
