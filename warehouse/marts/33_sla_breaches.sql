-- mart.sla_breaches: one row per clock breached (stopped late, or open past its deadline).
CREATE OR REPLACE TABLE mart.sla_breaches AS
SELECT complaint_id, clock, instance, channel, department, category, priority, target_label,
       start_at, deadline_at, stop_at, status, overrun_seconds,
       round(overrun_seconds / 3600, 2) AS overrun_hours, paused_seconds, policy_version
FROM mart.sla_clocks
WHERE status IN ('breached', 'open_breached')
ORDER BY overrun_seconds DESC;
