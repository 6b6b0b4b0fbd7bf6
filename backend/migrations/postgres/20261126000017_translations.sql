-- The conveners' translations of a clause, one per language; each keeps the original's title
-- and wording it was made from, so that readers are told when the original changed since.
CREATE TABLE clause_translations (
    clause_id        BIGINT NOT NULL REFERENCES clauses (id) ON DELETE CASCADE,
    language         TEXT   NOT NULL CHECK (language IN ('en', 'fr', 'es', 'ar')),
    title            TEXT   NOT NULL,
    body_md          TEXT   NOT NULL,
    source_title     TEXT   NOT NULL,
    source_body_md   TEXT   NOT NULL,
    updated_at_ms    BIGINT NOT NULL,
    PRIMARY KEY (clause_id, language)
);

-- The language a comment is written in, when its author said (one of the interface's).
ALTER TABLE comments ADD COLUMN language TEXT CHECK (language IN ('en', 'fr', 'es', 'ar'));
