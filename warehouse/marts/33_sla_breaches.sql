-- mart.sla_breaches: one row per clock breached (stopped late, or open past its deadline).
-- Kept across nights: only the clocks of the complaints in scope tonight (intermediate.sla_scope:
-- the only clocks 21_sla_clocks.sql may have changed) are listed again, and the clocks breached
-- without a stop that 23_sla_refreshed.sql brought up to the night (intermediate.sla_refreshed).
-- sla_breach_rows(computed_since): the breached clocks computed as of that instant or later (NULL:
-- all); those computed tonight are at the table's end, and DuckDB skips the row groups before.
CREATE OR REPLACE TEMP MACRO sla_breach_rows(computed_since) AS TABLE
SELECT complaint_id, clock, instance, channel, department, category, priority, target_label,
       start_at, deadline_at, stop_at, status, overrun_seconds,
       round(overrun_seconds / 3600, 2) AS overrun_hours, paused_seconds, policy_version
FROM mart.sla_clocks
WHERE status IN ('breached', 'open_breached')
  AND (computed_since IS NULL OR computed_as_of >= computed_since);

CREATE TABLE IF NOT EXISTS mart.sla_breaches AS
SELECT * FROM sla_breach_rows(NULL) LIMIT 0;  -- noqa: AM09

DELETE FROM mart.sla_breaches
WHERE complaint_id IN (SELECT complaint_id FROM intermediate.sla_scope);

INSERT INTO mart.sla_breaches BY NAME
SELECT * FROM sla_breach_rows(NULL)
SEMI JOIN intermediate.sla_scope USING (complaint_id)
ORDER BY overrun_seconds DESC;

DELETE FROM mart.sla_breaches b
USING intermediate.sla_refreshed r
WHERE b.complaint_id = r.complaint_id AND b.clock = r.clock AND b.instance = r.instance;

INSERT INTO mart.sla_breaches BY NAME
SELECT * FROM sla_breach_rows(getvariable('as_of')::TIMESTAMPTZ)
SEMI JOIN intermediate.sla_refreshed USING (complaint_id, clock, instance);
