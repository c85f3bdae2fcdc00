-- mart.sla_compliance_monthly: mart.sla_compliance_daily summed per month (its first day), the
-- rate recomputed from the counts, with '(all)' rows for every breakdown and the clock
-- (compliance_per: 30_sla_compliance_daily.sql).
CREATE OR REPLACE TABLE mart.sla_compliance_monthly AS
SELECT * RENAME (period_start AS month) FROM compliance_per('month');
