-- mart.repeat_rate_monthly: one row per month (received, local time) and breakdown; a breakdown
-- column holds '(all)' on rows that sum over it (GROUPING SETS via CUBE), so every level has
-- exact figures.
-- repeat_rate = repeat_complaints / complaints: of the complaints received in the month, the
--   share that repeat an earlier one (or were reopened).
-- came_back_rate = came_back / window_passed: of the complaints whose repeat window has fully
--   passed as of the night, the share a repeat followed within the window. Complaints whose
--   window is still running are `pending` and left out of this rate, so the latest months are
--   not flattered.
CREATE OR REPLACE TABLE mart.repeat_rate_monthly AS
WITH tz AS (SELECT stg.reporting_tz() AS tz),
as_of_day AS (SELECT (getvariable('as_of')::TIMESTAMPTZ AT TIME ZONE (SELECT tz FROM tz))::DATE AS d),
c AS (
    SELECT c.complaint_id, c.channel, c.department, c.category, c.priority,
           (c.received_at AT TIME ZONE (SELECT tz FROM tz))::DATE AS received_day,
           r.complaint_id IS NOT NULL AS is_repeat,
           EXISTS (SELECT 1 FROM mart.repeat_complaints f
                   WHERE f.previous_complaint_id = c.complaint_id) AS came_back
    FROM core.complaints c
    LEFT JOIN mart.repeat_complaints r USING (complaint_id)
),
flagged AS (
    SELECT *, received_day + getvariable('repeat_window_days')::INTEGER < (SELECT d FROM as_of_day)
                  AS window_passed
    FROM c
)
SELECT date_trunc('month', received_day)::DATE                 AS month,
       CASE WHEN grouping(channel) = 1 THEN '(all)' ELSE channel END       AS channel,
       CASE WHEN grouping(department) = 1 THEN '(all)' ELSE department END AS department,
       CASE WHEN grouping(category) = 1 THEN '(all)' ELSE category END     AS category,
       CASE WHEN grouping(priority) = 1 THEN '(all)' ELSE priority END     AS priority,
       count(*)                                                AS complaints,
       count(*) FILTER (WHERE is_repeat)                       AS repeat_complaints,
       round(count(*) FILTER (WHERE is_repeat) / count(*), 4)  AS repeat_rate,
       count(*) FILTER (WHERE window_passed)                   AS window_passed,
       count(*) FILTER (WHERE window_passed AND came_back)     AS came_back,
       count(*) FILTER (WHERE NOT window_passed)               AS pending,
       round(count(*) FILTER (WHERE window_passed AND came_back)
             / nullif(count(*) FILTER (WHERE window_passed), 0), 4) AS came_back_rate
FROM flagged
GROUP BY date_trunc('month', received_day), CUBE (channel, department, category, priority)
ORDER BY ALL;
