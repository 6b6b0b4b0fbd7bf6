-- The audit log: every state change appended in the same transaction as the change, each entry
-- carrying the hash of the one before, so that `concord verify` can tell whether any entry was
-- altered, removed or inserted since. `audit_head` holds the last entry's id and hash; a writer
-- reads it inside its transaction (with PostgreSQL, locking it), so entries follow one another.
-- Entries are never updated or deleted.
-- Kept in step with migrations/sqlite/20261125000015_audit_log.sql.

CREATE TABLE audit_log (
    id               BIGINT  PRIMARY KEY,
    at_ms            BIGINT  NOT NULL,
    actor_id         BIGINT,
    action           TEXT    NOT NULL,
    consultation_id  BIGINT,
    subject          TEXT    NOT NULL,
    details          TEXT    NOT NULL,
    prev_hash        TEXT    NOT NULL,
    hash             TEXT    NOT NULL
);
CREATE INDEX audit_log_consultation ON audit_log (consultation_id, id);

CREATE TABLE audit_head (
    one        BIGINT  PRIMARY KEY CHECK (one = 1),
    last_id    BIGINT  NOT NULL,
    last_hash  TEXT    NOT NULL
);
INSERT INTO audit_head (one, last_id, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
