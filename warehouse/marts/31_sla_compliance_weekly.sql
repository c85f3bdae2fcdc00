-- mart.sla_compliance_weekly: mart.sla_compliance_daily summed per week (week_start, a Monday),
-- the rate recomputed from the counts, with '(all)' rows for every breakdown and the clock
-- (compliance_per: 30_sla_compliance_daily.sql).
CREATE OR REPLACE TABLE mart.sla_compliance_weekly AS
SELECT * RENAME (period_start AS week_start) FROM compliance_per('week');
