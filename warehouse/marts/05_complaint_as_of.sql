-- mart.complaint_as_of: one row per complaint of a declared source: the instant its state is
-- known as of, and whether it counts as open today.
-- The ticket system's complaints are known as of the night and open today if open: they have no
-- row (readers take a missing row as the night, current). A row for each of them was written
-- again every night, as each night moves their instant: 9,113,599 rows, 2.4 s, on the bench's
-- 9,000,000-complaint history, which holds no declared source's complaint.
-- A declared source's record is known as of its export (export_as_of, from the mapping's as_of:
-- an archive export taken years ago says nothing about today). A live export (no as_of) is
-- known as of the night while its source delivers; once the source has delivered nothing for
-- its stopped_after_days (mapping, default 7), as of the end of its last delivery night. Open
-- clocks are measured as of known_as_of, and only complaints known as of less than
-- stopped_after_days ago are in today's open backlog.
CREATE OR REPLACE TABLE mart.complaint_as_of AS
WITH as_of AS (SELECT getvariable('as_of')::TIMESTAMPTZ AS as_of),
tz AS (SELECT stg.reporting_tz() AS tz),
last_delivery AS (
    SELECT f.source,
           ((max(r.run_date) + 1)::TIMESTAMP) AT TIME ZONE (SELECT tz FROM tz) AS delivered_until
    FROM ops.file_loads f JOIN ops.runs r USING (run_id)
    WHERE f.status = 'loaded'
    GROUP BY f.source
),
known AS (
    SELECT c.complaint_id, c.register, s.stopped_after_days,
           CASE WHEN c.export_as_of IS NOT NULL
                THEN least(c.export_as_of, (SELECT as_of FROM as_of))
                WHEN d.delivered_until <= (SELECT as_of FROM as_of)
                                          - to_days(s.stopped_after_days::INTEGER)
                THEN d.delivered_until
                ELSE (SELECT as_of FROM as_of) END AS known_as_of
    FROM core.complaints c
    JOIN mart.declared_sources s ON s.source = c.register
    LEFT JOIN last_delivery d ON d.source = c.register
)
SELECT complaint_id, known_as_of,
       known_as_of > (SELECT as_of FROM as_of) - to_days(stopped_after_days::INTEGER) AS current
FROM known;
