-- mart.sla_at_risk: one row per open clock not due yet that has used half its time or more,
-- of complaints open today (an item open in an archive export is at risk of nothing now).
CREATE OR REPLACE TABLE mart.sla_at_risk AS
SELECT complaint_id, clock, instance, channel, department, category, priority, target_label,
       start_at, deadline_at, elapsed_share, paused_seconds, policy_version
FROM mart.sla_clocks
WHERE status = 'open_within' AND elapsed_share >= 0.5
  AND complaint_id IN (SELECT complaint_id FROM mart.complaint_as_of WHERE current)
ORDER BY elapsed_share DESC;
