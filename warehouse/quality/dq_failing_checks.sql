-- mart.dq_failing_checks: one row per check that failed on the latest night, per source and
-- suite: deliveries, rows failed of rows checked, what was observed (files that did not load
-- are batch checks).
CREATE OR REPLACE TABLE mart.dq_failing_checks AS
WITH last AS (SELECT run_id FROM ops.runs ORDER BY started_at DESC LIMIT 1)
SELECT d.run_id, d.source, d.suite, d.check_name, count(*) AS deliveries,
       sum(d.rows_failed)::BIGINT AS rows_failed, sum(d.rows_checked)::BIGINT AS rows_checked,
       string_agg(DISTINCT d.observed_value, '; ' ORDER BY d.observed_value) AS observed_value
FROM ops.dq_results d JOIN last USING (run_id)
WHERE NOT d.success
GROUP BY ALL
ORDER BY d.source, d.check_name;
