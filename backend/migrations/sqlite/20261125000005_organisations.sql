-- Administrators, and organisations with their stakeholder group and region.
-- Kept in step with migrations/postgres/20261125000005_organisations.sql.

ALTER TABLE accounts ADD COLUMN role TEXT NOT NULL DEFAULT 'participant';

CREATE TABLE organisations (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    slug               TEXT    NOT NULL UNIQUE,
    name               TEXT    NOT NULL,
    stakeholder_group  TEXT    NOT NULL
        CHECK (stakeholder_group IN ('civil_society', 'private_sector', 'government', 'academia',
                                     'technical_community', 'intergovernmental')),
    region             TEXT    NOT NULL,
    -- 1 once an administrator has checked that the organisation is who it says it is.
    verified           INTEGER NOT NULL DEFAULT 0,
    created_at_ms      INTEGER NOT NULL
);
