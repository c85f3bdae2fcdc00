-- intermediate.sla_changed: the clocks whose counted figures (day started, breakdown, status)
-- changed tonight, as they were and as they are: the compliance marts count their days again,
-- the monthly marts their complaints' months. In a build in full (no last build), where every
-- day and month counts again, one row per day with clocks (no clock named).
CREATE OR REPLACE TABLE intermediate.sla_changed AS
WITH counted AS (
    -- the scope's clocks now (21_sla_clocks.sql): those kept, as they were, and those computed
    -- tonight; not read from mart.sla_clocks again (a scan of every clock)
    SELECT complaint_id, clock, instance, start_day, channel, priority, department, category,
           status
    FROM sla_before SEMI JOIN intermediate.sla_kept USING (complaint_id, clock, instance)
    UNION ALL
    SELECT complaint_id, clock, instance, start_day, channel, priority, department, category,
           status
    FROM intermediate.sla_clocks_candidate
),
counted_before AS (
    SELECT complaint_id, clock, instance, start_day, channel, priority, department, category,
           status
    FROM sla_before  -- the scope's clocks before tonight (16_sla_kept.sql)
    WHERE getvariable('marts_last_as_of') IS NOT NULL
)
(SELECT * FROM counted WHERE getvariable('marts_last_as_of') IS NOT NULL
 EXCEPT SELECT * FROM counted_before)
UNION
(SELECT * FROM counted_before EXCEPT SELECT * FROM counted)
UNION ALL
SELECT DISTINCT NULL, NULL, NULL, start_day, NULL, NULL, NULL, NULL, NULL FROM counted
WHERE getvariable('marts_last_as_of') IS NULL;
