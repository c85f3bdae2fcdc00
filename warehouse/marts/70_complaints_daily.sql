-- mart.complaints_daily: one row per day received (local), channel, department, category,
-- priority and product (null: none named): complaints, answered follow-ups and satisfied ones. The improvement-plan views build
-- their before/after comparisons and metric series from it.
-- Kept across nights: only the days with a changed complaint (intermediate.marts_changed_days)
-- or a complaint received since the last build's night are counted again.
CREATE OR REPLACE TEMP TABLE complaints_days AS
SELECT day AS received_day FROM intermediate.marts_changed_days
UNION
SELECT d.received_day FROM intermediate.complaint_received_days d
JOIN core.complaints c USING (complaint_id)
WHERE c.received_at >= getvariable('marts_last_as_of')::TIMESTAMPTZ
  AND c.received_at < getvariable('as_of')::TIMESTAMPTZ;

CREATE OR REPLACE TEMP VIEW changed_complaints_daily AS
WITH tz AS (SELECT stg.reporting_tz() AS tz),
days AS (
    SELECT d.complaint_id FROM intermediate.complaint_received_days d
    SEMI JOIN complaints_days USING (received_day)
),
followups AS (
    SELECT complaint_id, count(*) FILTER (WHERE answered) AS answered,
           count(*) FILTER (WHERE satisfied) AS satisfied
    FROM core.satisfaction SEMI JOIN days USING (complaint_id) GROUP BY 1
)
SELECT (c.received_at AT TIME ZONE (SELECT tz FROM tz))::DATE AS day, c.channel, c.department,
       c.category, c.priority, c.product, count(*) AS complaints,
       coalesce(sum(f.answered), 0)::BIGINT AS followups_answered,
       coalesce(sum(f.satisfied), 0)::BIGINT AS satisfied
FROM core.complaints c SEMI JOIN days USING (complaint_id)
LEFT JOIN followups f USING (complaint_id)
WHERE c.received_at < getvariable('as_of')::TIMESTAMPTZ
GROUP BY ALL;

CREATE TABLE IF NOT EXISTS mart.complaints_daily AS
SELECT * FROM changed_complaints_daily LIMIT 0;  -- noqa: AM09

DELETE FROM mart.complaints_daily WHERE day IN (SELECT received_day FROM complaints_days);

INSERT INTO mart.complaints_daily BY NAME
SELECT * FROM changed_complaints_daily ORDER BY ALL;
