-- mart.sla_breaches: one row per clock breached (stopped late, or open past its deadline).
-- Kept across nights: only the clocks of the complaints in scope tonight (intermediate.sla_scope:
-- the only clocks 21_sla_clocks.sql may have changed) are listed again.
CREATE OR REPLACE TEMP VIEW changed_sla_breaches AS
SELECT complaint_id, clock, instance, channel, department, category, priority, target_label,
       start_at, deadline_at, stop_at, status, overrun_seconds,
       round(overrun_seconds / 3600, 2) AS overrun_hours, paused_seconds, policy_version
FROM mart.sla_clocks
SEMI JOIN intermediate.sla_scope USING (complaint_id)
WHERE status IN ('breached', 'open_breached');

CREATE TABLE IF NOT EXISTS mart.sla_breaches AS
SELECT * FROM changed_sla_breaches LIMIT 0;  -- noqa: AM09

DELETE FROM mart.sla_breaches
WHERE complaint_id IN (SELECT complaint_id FROM intermediate.sla_scope);

INSERT INTO mart.sla_breaches BY NAME
SELECT * FROM changed_sla_breaches ORDER BY overrun_seconds DESC;
