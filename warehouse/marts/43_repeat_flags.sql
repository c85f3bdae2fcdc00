-- intermediate.repeat_flags: one row per complaint: its day received (local) and breakdown,
-- whether it is a repeat and whether a repeat followed it. Kept across nights: written again for
-- the changed complaints (intermediate.marts_changed) and those whose repeat or coming back
-- changed (intermediate.repeat_changed, 41_repeat_changed.sql).
CREATE TABLE IF NOT EXISTS intermediate.repeat_flags (
    complaint_id VARCHAR,
    received_day DATE,
    channel VARCHAR,
    department VARCHAR,
    category VARCHAR,
    priority VARCHAR,
    is_repeat BOOLEAN,
    came_back BOOLEAN
);

CREATE OR REPLACE TEMP TABLE repeat_flags_changed AS
SELECT complaint_id FROM intermediate.marts_changed
UNION
SELECT complaint_id FROM intermediate.repeat_changed;

DELETE FROM intermediate.repeat_flags
WHERE complaint_id IN (SELECT complaint_id FROM repeat_flags_changed);

INSERT INTO intermediate.repeat_flags
SELECT c.complaint_id, (c.received_at AT TIME ZONE stg.reporting_tz())::DATE AS received_day,
       c.channel, c.department, c.category, c.priority,
       r.complaint_id IS NOT NULL AS is_repeat,
       EXISTS (SELECT 1 FROM mart.repeat_complaints f
               WHERE f.previous_complaint_id = c.complaint_id) AS came_back
FROM core.complaints c
SEMI JOIN repeat_flags_changed USING (complaint_id)
LEFT JOIN mart.repeat_complaints r USING (complaint_id);
