-- Handles of deleted accounts, as SHA-256 digests of their lower-case form: nobody may sign up
-- under a handle that others knew as someone else's (its comments stay in the record under it),
-- and the list cannot be read back as names.
-- Kept in step with migrations/postgres/20261205000020_retired_handles.sql.

CREATE TABLE retired_handles (
    digest  TEXT PRIMARY KEY
);
