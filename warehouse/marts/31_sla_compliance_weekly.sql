-- mart.sla_compliance_weekly: mart.sla_compliance_daily summed per week (week_start, a Monday),
-- the rate recomputed from the counts, with '(all)' rows for every breakdown and the clock
-- (compliance_per: 30_sla_compliance_daily.sql).
-- Kept across nights: only the weeks with a day counted again are summed again.
CREATE TABLE IF NOT EXISTS mart.sla_compliance_weekly AS
SELECT * RENAME (period_start AS week_start) FROM compliance_per('week') LIMIT 0;  -- noqa: AM09

DELETE FROM mart.sla_compliance_weekly
WHERE week_start IN (SELECT period_start FROM changed_periods('week'));

INSERT INTO mart.sla_compliance_weekly BY NAME
SELECT * RENAME (period_start AS week_start) FROM compliance_per('week');
