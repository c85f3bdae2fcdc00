-- mart.sla_compliance_daily: one row per day (of the clock's start, local time), clock, channel,
-- priority, department and category, without '(all)' rows: the additive base the weekly and
-- monthly marts sum (compliance_per), with '(all)' rows.
-- compliance_rate = met / (met + breached), where breached counts clocks stopped late and open
-- clocks already past their deadline (open_breached). Clocks open and not yet due (open_within)
-- are reported apart and are not in the rate, as are clocks without a target (no_target: a
-- due-date clock on a record without a due date). Counts add up across any breakdown; recompute
-- the rate from the counts when you aggregate.
-- Kept across nights: only the days with a clock whose figures changed (intermediate.sla_changed)
-- are counted again.
CREATE OR REPLACE TEMP VIEW changed_compliance_daily AS
SELECT
    start_day AS day, clock, channel, priority, department, category,
    count(*)                                                     AS clocks,
    count(*) FILTER (WHERE status = 'met')                       AS met,
    count(*) FILTER (WHERE status IN ('breached', 'open_breached')) AS breached,
    count(*) FILTER (WHERE status = 'open_breached')             AS open_breached,
    count(*) FILTER (WHERE status = 'open_within')               AS open_within,
    count(*) FILTER (WHERE status = 'no_target')                 AS no_target,
    round(stg.compliance_rate(count(*) FILTER (WHERE status = 'met'),
                              count(*) FILTER (WHERE status IN ('breached', 'open_breached'))),
          4)                                                     AS compliance_rate
FROM mart.sla_clocks
WHERE start_day IN (SELECT start_day FROM intermediate.sla_changed)
GROUP BY ALL;

CREATE TABLE IF NOT EXISTS mart.sla_compliance_daily AS
SELECT * FROM changed_compliance_daily LIMIT 0;  -- noqa: AM09

SELECT stg.kept_table_matches('mart.sla_compliance_daily', 'main.changed_compliance_daily')
    AS model_check;

DELETE FROM mart.sla_compliance_daily
WHERE day IN (SELECT start_day FROM intermediate.sla_changed);

INSERT INTO mart.sla_compliance_daily BY NAME
SELECT * FROM changed_compliance_daily ORDER BY ALL;

-- The daily counts summed per period (week, month), the rate recomputed from them: one formula
-- for the weekly and monthly marts. Like the other monthly marts they hold '(all)' rows: a
-- breakdown column (clock included) holds '(all)' on rows that sum over it (GROUPING SETS via
-- CUBE), so a page selects its row instead of summing and recomputing the rate. Only the periods
-- with a day counted again tonight (changed_periods) are summed again.
CREATE OR REPLACE TEMP MACRO changed_periods(unit) AS TABLE
SELECT DISTINCT date_trunc(unit, start_day)::DATE AS period_start FROM intermediate.sla_changed;

CREATE OR REPLACE TEMP MACRO compliance_per(unit) AS TABLE
SELECT date_trunc(unit, day)::DATE AS period_start,
       CASE WHEN grouping(clock) = 1 THEN '(all)' ELSE clock END           AS clock,
       CASE WHEN grouping(channel) = 1 THEN '(all)' ELSE channel END       AS channel,
       CASE WHEN grouping(priority) = 1 THEN '(all)' ELSE priority END     AS priority,
       CASE WHEN grouping(department) = 1 THEN '(all)' ELSE department END AS department,
       CASE WHEN grouping(category) = 1 THEN '(all)' ELSE category END     AS category,
       sum(clocks)::BIGINT AS clocks, sum(met)::BIGINT AS met,
       sum(breached)::BIGINT AS breached, sum(open_breached)::BIGINT AS open_breached,
       sum(open_within)::BIGINT AS open_within, sum(no_target)::BIGINT AS no_target,
       round(stg.compliance_rate(sum(met), sum(breached)), 4) AS compliance_rate
FROM mart.sla_compliance_daily
WHERE date_trunc(unit, day)::DATE IN (SELECT period_start FROM changed_periods(unit))
GROUP BY date_trunc(unit, day), CUBE (clock, channel, priority, department, category)
ORDER BY ALL;
