-- mart.dq_volume_nightly: one row per night and source: the rows it loaded.
CREATE OR REPLACE TABLE mart.dq_volume_nightly AS
SELECT r.run_date, f.source, sum(f.rows_loaded)::BIGINT AS rows_loaded
FROM ops.file_loads f JOIN ops.runs r USING (run_id)
GROUP BY ALL
ORDER BY ALL;
