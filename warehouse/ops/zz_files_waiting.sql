-- ops.files_waiting: one row per file that failed or was held and has not loaded since (by its
-- inbox path): what waits, since which night, and why (its latest error). Retried every night.
CREATE OR REPLACE VIEW ops.files_waiting AS
SELECT f.source, f.path, arg_max(f.status, f.loaded_at) AS status,
       min(r.run_date) AS waiting_since, arg_max(f.error, f.loaded_at) AS error
FROM ops.file_loads f JOIN ops.runs r USING (run_id)
WHERE f.status IN ('failed', 'held')
  AND NOT EXISTS (SELECT 1 FROM ops.file_loads l
                  WHERE l.path = f.path AND l.status IN ('loaded', 'skipped_duplicate')
                    AND l.loaded_at > f.loaded_at)
GROUP BY f.source, f.path;
