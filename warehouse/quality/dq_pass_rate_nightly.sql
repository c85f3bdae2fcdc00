-- mart.dq_pass_rate_nightly: one row per night and source (or core table): the share of its
-- checks that passed.
CREATE OR REPLACE TABLE mart.dq_pass_rate_nightly AS
SELECT r.run_date, d.source,
       round(count(*) FILTER (WHERE d.success) / count(*), 4) AS checks_passed
FROM ops.dq_results d JOIN ops.runs r USING (run_id)
GROUP BY ALL
ORDER BY ALL;
