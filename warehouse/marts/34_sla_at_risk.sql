-- mart.sla_at_risk: one row per open clock not due yet that has used half its time or more,
-- of complaints open today (an item open in an archive export is at risk of nothing now).
-- "Open today" as warehouse/figures.py's OPEN_TODAY writes it: not among the few complaints known
-- only as of an earlier export. Among those that are (every complaint of a history), the test
-- needed all 9,000,000 complaint ids in memory at once.
CREATE OR REPLACE TABLE mart.sla_at_risk AS
SELECT complaint_id, clock, instance, channel, department, category, priority, target_label,
       start_at, deadline_at, elapsed_share, paused_seconds, policy_version
FROM mart.sla_clocks
WHERE status = 'open_within' AND elapsed_share >= 0.5
  AND complaint_id NOT IN (SELECT complaint_id FROM mart.complaint_as_of WHERE NOT current)
ORDER BY elapsed_share DESC;
