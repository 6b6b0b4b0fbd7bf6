-- How a round decides and counts: its rule (a majority of all, or of endorsements in every
-- stakeholder group's house), whether abstentions count as not endorsing, and whether it counts
-- one position per person or per organisation (cast by its representative). After a round
-- closes, conveners designate each clause's consensus level and organisations that reserved or
-- opposed may attach a minority statement.
-- Kept in step with migrations/postgres/20261125000010_chambers_and_statements.sql.

ALTER TABLE rounds ADD COLUMN rule TEXT NOT NULL DEFAULT 'majority'
    CHECK (rule IN ('majority', 'every_house'));
ALTER TABLE rounds ADD COLUMN abstentions_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rounds ADD COLUMN counting TEXT NOT NULL DEFAULT 'person'
    CHECK (counting IN ('person', 'organisation'));

ALTER TABLE clauses ADD COLUMN consensus TEXT
    CHECK (consensus IN ('full_consensus', 'consensus', 'strong_support', 'divergence'));

-- In a round counting per organisation, the organisation a position speaks for.
ALTER TABLE positions ADD COLUMN organisation_id INTEGER REFERENCES organisations (id);
ALTER TABLE position_changes ADD COLUMN organisation_id INTEGER REFERENCES organisations (id);
CREATE INDEX positions_organisation ON positions (clause_id, organisation_id);

CREATE TABLE minority_statements (
    clause_id        INTEGER NOT NULL REFERENCES clauses (id) ON DELETE CASCADE,
    organisation_id  INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    body             TEXT    NOT NULL,
    written_by       INTEGER NOT NULL REFERENCES accounts (id),
    written_at_ms    INTEGER NOT NULL,
    PRIMARY KEY (clause_id, organisation_id)
);
