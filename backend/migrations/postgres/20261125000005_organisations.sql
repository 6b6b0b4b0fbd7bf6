-- Administrators, and organisations with their stakeholder group and region.
-- Kept in step with migrations/sqlite/20261125000005_organisations.sql.

ALTER TABLE accounts ADD COLUMN role TEXT NOT NULL DEFAULT 'participant';

CREATE TABLE organisations (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug               TEXT    NOT NULL UNIQUE,
    name               TEXT    NOT NULL,
    stakeholder_group  TEXT    NOT NULL
        CHECK (stakeholder_group IN ('civil_society', 'private_sector', 'government', 'academia',
                                     'technical_community', 'intergovernmental')),
    region             TEXT    NOT NULL,
    -- 1 once an administrator has checked that the organisation is who it says it is.
    verified           BIGINT  NOT NULL DEFAULT 0,
    created_at_ms      BIGINT  NOT NULL
);
