-- The marts agree with the tables they are built from. Run at the end of the marts stage, in its
-- transaction: a disagreement stops the night with the figures on both sides, the marts are
-- rolled back and nothing is published (readers keep the last good copy). Each check is one
-- cheap aggregate comparing a mart with the table it counts, so a wrong join, a lost row or a
-- storage fault shows here instead of as a quietly wrong figure. (DuckDB 2.0.0 returned no rows
-- to every scan but count(*) of a table filled in the same transaction: the first night at
-- 1,000,000 complaints published empty compliance marts. See STACK_NOTES.)
WITH daily AS (
    SELECT coalesce(sum(clocks), 0)::BIGINT AS clocks FROM mart.sla_compliance_daily
),
monthly AS (
    SELECT coalesce(sum(clocks), 0)::BIGINT AS clocks FROM mart.sla_compliance_monthly
    WHERE clock = '(all)' AND channel = '(all)' AND priority = '(all)'
      AND department = '(all)' AND category = '(all)'
),
clocks AS (
    SELECT count(*) AS clocks,
           count(*) FILTER (WHERE status IN ('breached', 'open_breached')) AS breached
    FROM mart.sla_clocks
),
breaches AS (SELECT count(*) AS listed FROM mart.sla_breaches),
complaints_daily AS (
    SELECT coalesce(sum(complaints), 0)::BIGINT AS complaints FROM mart.complaints_daily
),
complaints AS (
    SELECT count(*) AS received FROM core.complaints
    WHERE received_at < getvariable('as_of')::TIMESTAMPTZ
)
SELECT
    CASE WHEN daily.clocks <> clocks.clocks THEN error(format(
        'the marts disagree: mart.sla_compliance_daily counts {} clocks, mart.sla_clocks holds {}; nothing is published',
        daily.clocks, clocks.clocks)) END AS compliance_counts_every_clock,
    CASE WHEN monthly.clocks <> daily.clocks THEN error(format(
        'the marts disagree: the (all) rows of mart.sla_compliance_monthly count {} clocks, mart.sla_compliance_daily {}; nothing is published',
        monthly.clocks, daily.clocks)) END AS monthly_sums_the_daily,
    CASE WHEN breaches.listed <> clocks.breached THEN error(format(
        'the marts disagree: mart.sla_breaches lists {} clocks, mart.sla_clocks has {} breached; nothing is published',
        breaches.listed, clocks.breached)) END AS breaches_list_every_breach,
    CASE WHEN complaints_daily.complaints <> complaints.received THEN error(format(
        'the marts disagree: mart.complaints_daily counts {} complaints, core.complaints holds {} received before the night''s end; nothing is published',
        complaints_daily.complaints, complaints.received)) END AS daily_counts_every_complaint
FROM daily, monthly, clocks, breaches, complaints_daily, complaints;
