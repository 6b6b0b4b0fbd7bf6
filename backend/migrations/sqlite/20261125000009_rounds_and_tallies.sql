-- Annual rounds and their tallies: a round knows the round it follows, its schedule and whether
-- results stay hidden until it closes; clauses say what led to their change; participants state
-- their stakeholder group and region, which each position keeps as cast; counts by stance, group
-- and region are maintained as positions change, so reading a tally never counts rows; every cast
-- gets a receipt the voter can find in the published record.
-- Kept in step with migrations/postgres/20261125000009_rounds_and_tallies.sql.

ALTER TABLE rounds ADD COLUMN previous_round_id INTEGER REFERENCES rounds (id);
ALTER TABLE rounds ADD COLUMN hide_results INTEGER NOT NULL DEFAULT 0;
-- When the round moves on by itself; NULL when not scheduled.
ALTER TABLE rounds ADD COLUMN commenting_at_ms INTEGER;
ALTER TABLE rounds ADD COLUMN voting_at_ms INTEGER;
ALTER TABLE rounds ADD COLUMN closing_at_ms INTEGER;

ALTER TABLE clauses ADD COLUMN change_note TEXT NOT NULL DEFAULT '';

-- The comments of the previous round that led to a clause's change.
CREATE TABLE clause_responses (
    clause_id   INTEGER NOT NULL REFERENCES clauses (id) ON DELETE CASCADE,
    comment_id  INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    PRIMARY KEY (clause_id, comment_id)
);

ALTER TABLE participants ADD COLUMN region TEXT NOT NULL DEFAULT '';

-- '' stands for "not stated" (positions cast before groups were recorded).
ALTER TABLE positions ADD COLUMN stakeholder_group TEXT NOT NULL DEFAULT '';
ALTER TABLE positions ADD COLUMN region TEXT NOT NULL DEFAULT '';
ALTER TABLE positions ADD COLUMN receipt TEXT NOT NULL DEFAULT '';
ALTER TABLE position_changes ADD COLUMN stakeholder_group TEXT NOT NULL DEFAULT '';
ALTER TABLE position_changes ADD COLUMN region TEXT NOT NULL DEFAULT '';
ALTER TABLE position_changes ADD COLUMN receipt TEXT NOT NULL DEFAULT '';

CREATE TABLE tally_counts (
    clause_id          INTEGER NOT NULL REFERENCES clauses (id) ON DELETE CASCADE,
    stance             TEXT    NOT NULL,
    stakeholder_group  TEXT    NOT NULL,
    region             TEXT    NOT NULL,
    n                  INTEGER NOT NULL,
    PRIMARY KEY (clause_id, stance, stakeholder_group, region)
);

INSERT INTO tally_counts (clause_id, stance, stakeholder_group, region, n)
    SELECT clause_id, stance, '', '', COUNT(*) FROM positions GROUP BY clause_id, stance;

-- Rounds loaded before: each follows the newest earlier round of its consultation.
UPDATE rounds SET previous_round_id = (
    SELECT earlier.id FROM rounds earlier
    WHERE earlier.consultation_id = rounds.consultation_id
      AND earlier.opened_at_ms < rounds.opened_at_ms
    ORDER BY earlier.opened_at_ms DESC, earlier.id DESC LIMIT 1
);
