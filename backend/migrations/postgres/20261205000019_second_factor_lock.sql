-- Wrong second-factor codes of each account, counted across all its pending sign-ins until a
-- code is accepted (a correct password does not reset them), and when the last one came: after
-- ten the second factor locks, for longer after each further one.
-- Kept in step with migrations/sqlite/20261205000019_second_factor_lock.sql.

ALTER TABLE accounts ADD COLUMN second_factor_failures BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN second_factor_failed_at_ms BIGINT;
