-- The phase a round was in when each comment and each position was written, for the conveners'
-- view of participation per phase. Rows written before hold ''.
-- Kept in step with migrations/postgres/20261125000011_activity_phase.sql.

ALTER TABLE comments ADD COLUMN phase TEXT NOT NULL DEFAULT '';
ALTER TABLE position_changes ADD COLUMN phase TEXT NOT NULL DEFAULT '';
