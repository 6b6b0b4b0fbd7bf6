-- Deliberation: replies nest under the comment they answer (`thread_id` is the id of the thread's
-- first comment, NULL for that first comment itself), a comment may quote a passage of its clause
-- (the exact words with a few words before and after, to find it again when the wording
-- changes), edits keep the earlier versions, anyone signed in may flag a comment, conveners hide
-- and restore comments (each action in a public log) and answer comments officially.
-- Kept in step with migrations/postgres/20261125000012_deliberation.sql.

ALTER TABLE comments ADD COLUMN parent_id INTEGER REFERENCES comments (id);
ALTER TABLE comments ADD COLUMN thread_id INTEGER REFERENCES comments (id);
ALTER TABLE comments ADD COLUMN depth INTEGER NOT NULL DEFAULT 0;
ALTER TABLE comments ADD COLUMN passage_exact TEXT;
ALTER TABLE comments ADD COLUMN passage_prefix TEXT;
ALTER TABLE comments ADD COLUMN passage_suffix TEXT;
ALTER TABLE comments ADD COLUMN edited_at_ms INTEGER;
ALTER TABLE comments ADD COLUMN hidden_reason TEXT;
CREATE INDEX comments_roots ON comments (clause_id, parent_id, id);
CREATE INDEX comments_thread ON comments (thread_id, id);

CREATE TABLE comment_versions (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    comment_id     INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    body           TEXT    NOT NULL,
    written_at_ms  INTEGER NOT NULL
);
CREATE INDEX comment_versions_comment ON comment_versions (comment_id, id);

CREATE TABLE comment_flags (
    comment_id     INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    account_id     INTEGER NOT NULL REFERENCES accounts (id),
    reason         TEXT    NOT NULL,
    flagged_at_ms  INTEGER NOT NULL,
    PRIMARY KEY (comment_id, account_id)
);

CREATE TABLE moderation_log (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    consultation_id  INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    comment_id       INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    action           TEXT    NOT NULL CHECK (action IN ('hide', 'restore')),
    reason           TEXT    NOT NULL,
    account_id       INTEGER NOT NULL REFERENCES accounts (id),
    at_ms            INTEGER NOT NULL
);
CREATE INDEX moderation_log_consultation ON moderation_log (consultation_id, id);

CREATE TABLE comment_responses (
    comment_id   INTEGER PRIMARY KEY REFERENCES comments (id) ON DELETE CASCADE,
    verdict      TEXT    NOT NULL
        CHECK (verdict IN ('noted', 'accepted', 'partly_accepted', 'not_accepted')),
    explanation  TEXT    NOT NULL,
    account_id   INTEGER NOT NULL REFERENCES accounts (id),
    at_ms        INTEGER NOT NULL
);
