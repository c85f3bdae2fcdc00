-- mart.complaints_daily: one row per day received (local), channel, department, category,
-- priority and product (null: none named): complaints, answered follow-ups and satisfied ones. The improvement-plan views build
-- their before/after comparisons and metric series from it.
CREATE OR REPLACE TABLE mart.complaints_daily AS
WITH tz AS (SELECT stg.reporting_tz() AS tz),
followups AS (
    SELECT complaint_id, count(*) FILTER (WHERE answered) AS answered,
           count(*) FILTER (WHERE satisfied) AS satisfied
    FROM core.satisfaction GROUP BY 1
)
SELECT (c.received_at AT TIME ZONE (SELECT tz FROM tz))::DATE AS day, c.channel, c.department,
       c.category, c.priority, c.product, count(*) AS complaints,
       coalesce(sum(f.answered), 0)::BIGINT AS followups_answered,
       coalesce(sum(f.satisfied), 0)::BIGINT AS satisfied
FROM core.complaints c LEFT JOIN followups f USING (complaint_id)
WHERE c.received_at < getvariable('as_of')::TIMESTAMPTZ
GROUP BY ALL
ORDER BY ALL;
