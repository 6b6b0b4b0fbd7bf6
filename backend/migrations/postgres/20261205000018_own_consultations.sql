-- Consultations that administrators set up themselves: a title in each of the interface's
-- languages that has one, the stakeholder groups taking part, the list of regions participants
-- choose from, archiving; and the preamble of a round's text (what comes before its clauses).
-- Kept in step with migrations/sqlite/20261205000018_own_consultations.sql.

CREATE TABLE consultation_titles (
    consultation_id  BIGINT NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    language         TEXT   NOT NULL CHECK (language IN ('en', 'fr', 'es', 'ar')),
    title            TEXT   NOT NULL,
    PRIMARY KEY (consultation_id, language)
);

-- The groups taking part, space-separated, in the order offered.
ALTER TABLE consultations ADD COLUMN stakeholder_groups TEXT NOT NULL
    DEFAULT 'civil_society private_sector government academia technical_community intergovernmental';
-- Set once the consultation is archived: read-only, still readable, records still downloadable.
ALTER TABLE consultations ADD COLUMN archived_at_ms BIGINT;

CREATE TABLE consultation_regions (
    consultation_id  BIGINT NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    position         BIGINT NOT NULL,
    name             TEXT   NOT NULL,
    PRIMARY KEY (consultation_id, name)
);

-- Consultations made before: the UN geoscheme's regions, then every region their participants
-- already gave in their own words, kept exactly as written.
INSERT INTO consultation_regions (consultation_id, position, name)
    SELECT c.id, r.column1, r.column2 FROM consultations c CROSS JOIN (VALUES
        (1, 'Northern Africa'), (2, 'Eastern Africa'), (3, 'Middle Africa'),
        (4, 'Southern Africa'), (5, 'Western Africa'), (6, 'Caribbean'),
        (7, 'Central America'), (8, 'South America'), (9, 'Northern America'),
        (10, 'Central Asia'), (11, 'Eastern Asia'), (12, 'South-eastern Asia'),
        (13, 'Southern Asia'), (14, 'Western Asia'), (15, 'Eastern Europe'),
        (16, 'Northern Europe'), (17, 'Southern Europe'), (18, 'Western Europe'),
        (19, 'Australia and New Zealand'), (20, 'Melanesia'), (21, 'Micronesia'),
        (22, 'Polynesia')
    ) AS r;
INSERT INTO consultation_regions (consultation_id, position, name)
    SELECT consultation_id, 100 + ROW_NUMBER() OVER (PARTITION BY consultation_id ORDER BY region),
        region
    FROM (SELECT DISTINCT p.consultation_id, p.region FROM participants p
          WHERE p.region <> '' AND NOT EXISTS (
              SELECT 1 FROM consultation_regions r
              WHERE r.consultation_id = p.consultation_id AND r.name = p.region)) AS given;

ALTER TABLE rounds ADD COLUMN preamble_md TEXT NOT NULL DEFAULT '';
