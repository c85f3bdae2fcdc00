-- mart.provisional_months: the months (received, local time) whose numbers rest on data that
-- failed validation, per channel ('(all)' when the failure touches every channel: the ticket
-- system's events and follow-ups, or a core table). Every page and report that shows a month
-- marks it provisional and gives these reasons one click away.
-- A month is provisional when:
--   * a delivery with records of that month failed a row check beyond its tolerance
--     (ops.dq_results, success = false): the month is missing the quarantined rows;
--   * a file of the source failed or was held and has not loaded since (layout changed, volume
--     far below the usual): the night's month is missing that file;
--   * a core table's suite failed on the night: the night's month, every channel.
-- Acknowledged failures stay provisional: the numbers still lack the rows; the acknowledgement
-- is shown beside the reason on the Data quality page.
CREATE OR REPLACE TABLE mart.provisional_months AS
WITH tz AS (SELECT stg.reporting_tz() AS tz),
-- built-in sources named after their channel; the ticket system's sources and declared sources
-- (which may bring several channels) count for every channel when nothing finer is known
channel_sources AS (
    SELECT channel FROM ref.channels WHERE own_source
),
failing AS (
    SELECT d.*, date_trunc('month', r.run_date)::DATE AS run_month
    FROM ops.dq_results d JOIN ops.runs r USING (run_id)
    WHERE NOT d.success AND d.suite LIKE 'source_%'
),
delivery_months AS (   -- which months the failing deliveries' loaded records are in
    SELECT f.load_id, c.channel,
           date_trunc('month', c.received_at AT TIME ZONE tz.tz)::DATE AS month
    FROM core.complaints c JOIN ops.file_loads f ON f.path = c.source_file AND f.status = 'loaded', tz
    WHERE f.load_id IN (SELECT load_id FROM failing)
    UNION
    SELECT _load_id, '(all)', date_trunc('month', occurred_at AT TIME ZONE tz.tz)::DATE
    FROM stg.ticket_events, tz WHERE _load_id IN (SELECT load_id FROM failing)
    UNION
    SELECT _load_id, '(all)', date_trunc('month', followed_up_at AT TIME ZONE tz.tz)::DATE
    FROM stg.satisfaction_followups, tz WHERE _load_id IN (SELECT load_id FROM failing)
),
failed_checks AS (     -- a delivery none of whose records reached core: the night's month
    SELECT coalesce(m.channel, CASE WHEN d.source IN (SELECT channel FROM channel_sources)
                                    THEN d.source ELSE '(all)' END) AS channel,
           coalesce(m.month, d.run_month) AS month, d.source,
           format('{}: {} failed ({})', d.source, d.check_name, d.observed_value) AS reason
    FROM failing d LEFT JOIN delivery_months m USING (load_id)
    WHERE m.month IS NOT NULL OR NOT EXISTS (
        SELECT 1 FROM delivery_months x WHERE x.load_id = d.load_id AND x.month IS NOT NULL)
),
files_not_loaded AS (  -- failed or held, and no load of the same path since
    SELECT CASE WHEN f.source IN (SELECT channel FROM channel_sources) THEN f.source
                ELSE '(all)' END AS channel,
           date_trunc('month', r.run_date)::DATE AS month, f.source,
           format('{}: {} not loaded ({})', f.source, f.path, f.error) AS reason
    FROM ops.file_loads f JOIN ops.runs r USING (run_id)
    WHERE f.status IN ('failed', 'held')
      AND NOT EXISTS (SELECT 1 FROM ops.file_loads l
                      WHERE l.path = f.path AND l.status IN ('loaded', 'skipped_duplicate')
                        AND l.loaded_at > f.loaded_at)
),
failed_core AS (
    SELECT '(all)' AS channel, date_trunc('month', r.run_date)::DATE AS month, d.source,
           format('{}: {} failed ({})', d.source, d.check_name, d.observed_value) AS reason
    FROM ops.dq_results d JOIN ops.runs r USING (run_id)
    WHERE NOT d.success AND d.load_id = 'core'
      AND d.run_id = (SELECT run_id FROM ops.runs ORDER BY started_at DESC LIMIT 1)
)
SELECT channel, month, list(DISTINCT source ORDER BY source) AS sources,
       string_agg(DISTINCT reason, '; ' ORDER BY reason) AS reasons, count(DISTINCT reason) AS problems
FROM (SELECT * FROM failed_checks UNION ALL SELECT * FROM files_not_loaded
      UNION ALL SELECT * FROM failed_core) AS problems_found
GROUP BY channel, month
ORDER BY month, channel;
