-- mart.dq_sources: one row per source that ever delivered a file: files loaded, failed and
-- skipped as duplicates, rows read and quarantined, and how long before the last night finished
-- it last delivered a good file (freshness).
CREATE OR REPLACE TABLE mart.dq_sources AS
WITH last_run AS (SELECT max(finished_at) AS finished_at FROM ops.runs)
SELECT source,
       count(*) FILTER (WHERE status = 'loaded')                  AS files_loaded,
       count(*) FILTER (WHERE status = 'failed')                  AS files_failed,
       count(*) FILTER (WHERE status = 'skipped_duplicate')       AS files_skipped,
       sum(rows_read)::BIGINT                                     AS rows_read,
       sum(rows_quarantined)::BIGINT                              AS rows_quarantined,
       max(loaded_at) FILTER (WHERE status = 'loaded')            AS last_good_file_at,
       round((epoch((SELECT finished_at FROM last_run))
              - epoch(max(loaded_at) FILTER (WHERE status = 'loaded'))) / 3600, 1)
                                                                  AS hours_since_last_good_file
FROM ops.file_loads
GROUP BY source
ORDER BY source;
