-- Accounts can be deleted: the row stays as an anonymous tombstone so that comments and closed
-- tallies keep their shape, but it holds no handle, password or session any more.
-- Kept in step with migrations/sqlite/20261125000003_account_deletion.sql.

ALTER TABLE accounts ADD COLUMN deleted_at_ms BIGINT;
