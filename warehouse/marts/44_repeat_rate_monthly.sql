-- mart.repeat_rate_monthly: one row per month (received, local time) and breakdown; a breakdown
-- column holds '(all)' on rows that sum over it (GROUPING SETS via CUBE), so every level has
-- exact figures.
-- repeat_rate = repeat_complaints / complaints: of the complaints received in the month, the
--   share that repeat an earlier one (or were reopened).
-- came_back_rate = came_back / window_passed: of the complaints whose repeat window has fully
--   passed as of the night, the share a repeat followed within the window. Complaints whose
--   window is still running are `pending` and left out of this rate, so the latest months are
--   not flattered.
-- Kept across nights: only the months counted differently tonight are counted again: those with
-- a changed complaint (intermediate.marts_changed_days), a complaint whose repeat or coming back
-- changed (intermediate.repeat_changed), or a complaint whose window passed since the last build.
-- A month is counted from intermediate.repeat_flags (43_repeat_flags.sql), not by joining its
-- complaints to the repeats again: a merge of two customers changes a few repeats in every month
-- of their history, and on a 9,000,000-complaint history those joins took 9.8 s of a night.
CREATE OR REPLACE TEMP TABLE repeat_months AS
WITH tz AS (SELECT stg.reporting_tz() AS tz),
window_ends AS (
    -- the days received whose window passes between the last build and tonight
    SELECT (v.t AT TIME ZONE (SELECT tz FROM tz))::DATE
           - getvariable('repeat_window_days')::INTEGER AS d
    FROM (VALUES (getvariable('marts_last_as_of')::TIMESTAMPTZ),
                 (getvariable('as_of')::TIMESTAMPTZ)) AS v (t)
)
SELECT DISTINCT date_trunc('month', day)::DATE AS month FROM intermediate.marts_changed_days
UNION
SELECT DISTINCT date_trunc('month', d.received_day)::DATE
FROM intermediate.complaint_received_days d
SEMI JOIN intermediate.repeat_changed USING (complaint_id)
UNION
SELECT DISTINCT date_trunc('month', d)::DATE
FROM generate_series((SELECT min(d) - 1 FROM window_ends), (SELECT max(d) FROM window_ends),
                     INTERVAL 1 DAY) AS g (d);

CREATE OR REPLACE TEMP VIEW changed_repeat_rate_monthly AS
WITH tz AS (SELECT stg.reporting_tz() AS tz),
as_of_day AS (SELECT (getvariable('as_of')::TIMESTAMPTZ AT TIME ZONE (SELECT tz FROM tz))::DATE AS d),
flagged AS (
    SELECT *, received_day + getvariable('repeat_window_days')::INTEGER < (SELECT d FROM as_of_day)
                  AS window_passed
    FROM intermediate.repeat_flags
    WHERE date_trunc('month', received_day)::DATE IN (SELECT month FROM repeat_months)
       -- a complaint without a received time counts in the month NULL
       OR (received_day IS NULL AND EXISTS (SELECT 1 FROM repeat_months WHERE month IS NULL))
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
GROUP BY date_trunc('month', received_day), CUBE (channel, department, category, priority);

CREATE TABLE IF NOT EXISTS mart.repeat_rate_monthly AS
SELECT * FROM changed_repeat_rate_monthly LIMIT 0;  -- noqa: AM09

DELETE FROM mart.repeat_rate_monthly t
WHERE EXISTS (SELECT 1 FROM repeat_months m WHERE m.month IS NOT DISTINCT FROM t.month);

INSERT INTO mart.repeat_rate_monthly BY NAME
SELECT * FROM changed_repeat_rate_monthly ORDER BY ALL;
