-- intermediate.complaint_received_days: each complaint's day received (local) as the marts last
-- counted it. Kept across nights: the changed complaints' days are replaced, after
-- received_days_before keeps what they were, so a complaint corrected to another day, or gone,
-- changes the day it left too (03_marts_changed_days.sql).
CREATE TABLE IF NOT EXISTS intermediate.complaint_received_days (
    complaint_id VARCHAR,
    received_day DATE
);

CREATE OR REPLACE TEMP TABLE received_days_before AS
SELECT d.received_day FROM intermediate.complaint_received_days d
SEMI JOIN intermediate.marts_changed USING (complaint_id);

DELETE FROM intermediate.complaint_received_days
WHERE complaint_id IN (SELECT complaint_id FROM intermediate.marts_changed);

INSERT INTO intermediate.complaint_received_days
SELECT c.complaint_id, (c.received_at AT TIME ZONE stg.reporting_tz())::DATE
FROM core.complaints c
SEMI JOIN intermediate.marts_changed USING (complaint_id);
