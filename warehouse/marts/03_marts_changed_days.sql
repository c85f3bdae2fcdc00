-- intermediate.marts_changed_days: the days received (local) whose complaints changed since the
-- marts' last build, as they were (received_days_before: 02_complaint_received_days.sql) and as
-- they are. NULL: a complaint without a received time.
CREATE OR REPLACE TABLE intermediate.marts_changed_days AS
SELECT received_day AS day FROM received_days_before
UNION
SELECT d.received_day FROM intermediate.complaint_received_days d
SEMI JOIN intermediate.marts_changed USING (complaint_id);
