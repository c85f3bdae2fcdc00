-- mart.provisional_problems: one row per problem behind a provisional month (see
-- mart.provisional_months), with its size, so a page can say how much a month lacks ("1 of 234
-- records missing, 0.4 %") and a person can acknowledge the problem by its source and check.
--   unit         what is missing: 'records' (complaints of a channel), 'events' or 'follow-ups'
--                (the ticket system's, every channel), 'files' (a file not loaded: its size is
--                unknown), 'core rows' (rows of a core table that broke an invariant)
--   rows_missing the delivery's quarantined rows not corrected since (a later delivery's fix
--                resolves them); the rows that failed for a core table; NULL for a file
--   unit_rows    the rows of the unit the month has (loaded, that channel): the denominator
--   all_rows     the same over every channel (the denominator when no channel is chosen)
-- A delivery spanning several months counts its missing rows in each of them (an upper bound).
CREATE OR REPLACE TABLE mart.provisional_problems AS
WITH tz AS (SELECT stg.reporting_tz() AS tz),
-- built-in sources named after their channel; the ticket system's sources and declared sources
-- (which may bring several channels) count for every channel when nothing finer is known
channel_sources AS (
    SELECT channel FROM ref.channels WHERE own_source
),

failing AS (
    SELECT d.*, r.run_date, date_trunc('month', r.run_date)::DATE AS run_month
    FROM ops.dq_results AS d INNER JOIN ops.runs AS r USING (run_id)
    WHERE NOT d.success AND d.suite LIKE 'source_%'
),

delivery_months AS (   -- which months the failing deliveries' loaded records are in
    SELECT DISTINCT
        f.load_id, c.channel, 'records' AS unit,
        date_trunc('month', c.received_at AT TIME ZONE tz.tz)::DATE AS month
    FROM core.complaints AS c
    INNER JOIN ops.file_loads AS f ON c.source_file = f.path AND f.status = 'loaded', tz
    WHERE f.load_id IN (SELECT failing.load_id FROM failing)
    UNION
    SELECT _load_id, '(all)', 'events', date_trunc('month', occurred_at AT TIME ZONE tz.tz)::DATE
    FROM stg.ticket_events, tz WHERE _load_id IN (SELECT failing.load_id FROM failing)
    UNION
    SELECT
        _load_id, '(all)', 'follow-ups',
        date_trunc('month', followed_up_at AT TIME ZONE tz.tz)::DATE
    FROM stg.satisfaction_followups, tz WHERE _load_id IN (SELECT failing.load_id FROM failing)
),

still_missing AS (     -- a delivery's quarantined rows that no later delivery corrected
    SELECT load_id, count(DISTINCT row_number) FILTER (WHERE resolved_at IS NULL) AS rows_missing
    FROM ops.quarantine
    GROUP BY load_id
),

failed_checks AS (     -- a delivery none of whose records reached core: the night's month
    SELECT
        d.source, d.check_name, d.run_id, d.run_date, d.load_id,
        coalesce(m.unit, 'records') AS unit,
        coalesce(s.rows_missing, 0) AS rows_missing,
        coalesce(m.month, d.run_month) AS month,
        coalesce(m.channel, CASE WHEN d.source IN (SELECT cs.channel FROM channel_sources AS cs)
            THEN d.source ELSE '(all)' END) AS channel,
        format('{}: {} failed ({})', d.source, d.check_name, d.observed_value) AS reason
    FROM failing AS d
    LEFT JOIN delivery_months AS m ON d.load_id = m.load_id
    LEFT JOIN still_missing AS s ON d.load_id = s.load_id
),

files_not_loaded AS (  -- failed or held, and no load of the same path since
    SELECT
        f.source, 'file_not_loaded' AS check_name, f.run_id, r.run_date, f.load_id,
        'files' AS unit, NULL::BIGINT AS rows_missing,
        date_trunc('month', r.run_date)::DATE AS month,
        CASE WHEN f.source IN (SELECT cs.channel FROM channel_sources AS cs) THEN f.source
            ELSE '(all)' END AS channel,
        format('{}: {} not loaded ({})', f.source, f.path, f.error) AS reason
    FROM ops.file_loads AS f INNER JOIN ops.runs AS r USING (run_id)
    WHERE
        f.status IN ('failed', 'held')
        AND NOT EXISTS (
            SELECT 1 FROM ops.file_loads AS l
            WHERE
                l.path = f.path AND l.status IN ('loaded', 'skipped_duplicate')
                AND l.loaded_at > f.loaded_at
        )
),

failed_core AS (
    SELECT
        d.source, d.check_name, d.run_id, r.run_date, d.load_id,
        'core rows' AS unit, d.rows_failed AS rows_missing,
        date_trunc('month', r.run_date)::DATE AS month, '(all)' AS channel,
        format('{}: {} failed ({})', d.source, d.check_name, d.observed_value) AS reason
    FROM ops.dq_results AS d INNER JOIN ops.runs AS r USING (run_id)
    WHERE
        NOT d.success AND d.load_id = 'core'
        AND d.run_id = (SELECT x.run_id FROM ops.runs AS x ORDER BY x.started_at DESC LIMIT 1)
),

problems AS (
    SELECT * FROM failed_checks
    UNION ALL SELECT * FROM files_not_loaded
    UNION ALL SELECT * FROM failed_core
),

-- the months the problems are in, per unit: only their rows are counted. A night's history has
-- millions of rows (9.1M complaints and 7.8M ticket events on the 9,000,000-complaint history:
-- 2.3 s a night to count every month, for the few months with a problem, often none).
-- A row's local month is in [first_month, last_month] exactly when its instant is in
-- [from_at, until_at).
counted_months AS (
    SELECT
        unit, min(month)::TIMESTAMP AT TIME ZONE tz.tz AS from_at,
        (max(month) + INTERVAL 1 MONTH)::TIMESTAMP AT TIME ZONE tz.tz AS until_at
    FROM problems, tz
    WHERE unit IN ('records', 'events', 'follow-ups')
    GROUP BY unit, tz.tz
),

records_in_month AS (
    SELECT
        c.channel, 'records' AS unit,
        date_trunc('month', c.received_at AT TIME ZONE tz.tz)::DATE AS month, count(*) AS n
    FROM core.complaints AS c, tz, counted_months AS m
    WHERE m.unit = 'records' AND c.received_at >= m.from_at AND c.received_at < m.until_at
    GROUP BY ALL
    UNION ALL
    SELECT
        '(all)', 'events', date_trunc('month', e.occurred_at AT TIME ZONE tz.tz)::DATE, count(*)
    FROM stg.ticket_events AS e, tz, counted_months AS m
    WHERE m.unit = 'events' AND e.occurred_at >= m.from_at AND e.occurred_at < m.until_at
    GROUP BY ALL
    UNION ALL
    SELECT
        '(all)', 'follow-ups', date_trunc('month', f.followed_up_at AT TIME ZONE tz.tz)::DATE,
        count(*)
    FROM stg.satisfaction_followups AS f, tz, counted_months AS m
    WHERE
        m.unit = 'follow-ups' AND f.followed_up_at >= m.from_at
        AND f.followed_up_at < m.until_at
    GROUP BY ALL
)

SELECT
    p.channel, p.month, p.source, p.check_name, p.run_id, p.run_date, p.load_id, p.unit,
    p.rows_missing, p.reason,
    CASE
        WHEN p.unit = 'core rows' THEN d.rows_checked WHEN p.unit = 'files' THEN NULL
        ELSE coalesce(n.n, 0)
    END::BIGINT AS unit_rows,
    CASE
        WHEN p.unit = 'core rows' THEN d.rows_checked WHEN p.unit = 'files' THEN NULL
        ELSE coalesce(a.n, 0)
    END::BIGINT AS all_rows
FROM problems AS p
LEFT JOIN records_in_month AS n ON p.channel = n.channel AND p.unit = n.unit AND p.month = n.month
LEFT JOIN (SELECT unit, month, sum(n) AS n FROM records_in_month GROUP BY ALL) AS a
    ON p.unit = a.unit AND p.month = a.month
LEFT JOIN ops.dq_results AS d
    ON p.unit = 'core rows' AND p.run_id = d.run_id AND p.load_id = d.load_id
    AND p.source = d.source AND p.check_name = d.check_name
ORDER BY p.month, p.channel, p.source, p.check_name;
