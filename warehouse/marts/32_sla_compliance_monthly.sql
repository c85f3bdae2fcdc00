-- mart.sla_compliance_monthly: mart.sla_compliance_daily summed per month (its first day), the
-- rate recomputed from the counts, with '(all)' rows for every breakdown and the clock
-- (compliance_per: 30_sla_compliance_daily.sql).
-- Kept across nights: only the months with a day counted again are summed again.
CREATE TABLE IF NOT EXISTS mart.sla_compliance_monthly AS
SELECT * RENAME (period_start AS month) FROM compliance_per('month') LIMIT 0;  -- noqa: AM09

DELETE FROM mart.sla_compliance_monthly
WHERE month IN (SELECT period_start FROM changed_periods('month'));

INSERT INTO mart.sla_compliance_monthly BY NAME
SELECT * RENAME (period_start AS month) FROM compliance_per('month');
