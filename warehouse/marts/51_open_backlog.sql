-- mart.open_backlog: complaints not closed as of the night, by age (days since received) band,
-- department, channel, category and priority. Only complaints open today: an item open in an
-- archive export, or in the last export of a source that stopped delivering, is not
-- (mart.complaint_as_of; mart.open_at_export lists those).
CREATE OR REPLACE TABLE mart.open_backlog AS
WITH as_of AS (SELECT getvariable('as_of')::TIMESTAMPTZ AS as_of),
open AS (
    SELECT c.*, (epoch((SELECT as_of FROM as_of)) - epoch(c.received_at)) / 86400 AS age_days
    FROM core.complaints c
    WHERE c.status <> 'closed' AND c.received_at <= (SELECT as_of FROM as_of)
      -- open today as 34_sla_at_risk.sql and figures.OPEN_TODAY say it: not among the few
      -- complaints known only as of an earlier export
      AND c.complaint_id NOT IN (
          SELECT k.complaint_id FROM mart.complaint_as_of k WHERE NOT k.current
      )
)
SELECT CASE WHEN age_days < 1 THEN '0-1d' WHEN age_days < 3 THEN '1-3d'
            WHEN age_days < 7 THEN '3-7d' WHEN age_days < 30 THEN '7-30d' ELSE '30d+' END
                                             AS age_band,
       department, channel, category, priority,
       count(*)                              AS open_complaints,
       round(max(age_days), 1)               AS oldest_age_days,
       (SELECT as_of FROM as_of)             AS as_of
FROM open
GROUP BY ALL
ORDER BY ALL;
