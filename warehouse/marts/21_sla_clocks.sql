-- mart.sla_clocks: one row per complaint, clock and instance (see 20_sla_clocks_candidate.sql).
-- History is not rewritten silently: a clock already final (met or breached) keeps the result,
-- policy version and calendar it was computed with, unless its start or stop time changed in the
-- data or the run is an explicit recompute (`tousu metrics recompute`, logged in ops.recomputes).
-- Open clocks are computed again every night.
-- (LIMIT 0: only the columns, for the first night)
CREATE TABLE IF NOT EXISTS mart.sla_clocks AS SELECT * FROM intermediate.sla_clocks_candidate LIMIT 0;  -- noqa: AM09

-- kept: the final clocks whose start and stop are still what the data says (the candidate left
-- them out: 20_sla_clocks_candidate.sql)
CREATE OR REPLACE TEMP TABLE sla_kept AS
SELECT o.*
FROM mart.sla_clocks o
JOIN intermediate.sla_clock_inputs n USING (complaint_id, clock, instance)
WHERE o.status IN ('met', 'breached')
  AND o.start_at = n.start_at AND o.stop_at = n.stop_at
  AND n.start_at <= getvariable('as_of')::TIMESTAMPTZ
  AND NOT coalesce(getvariable('sla_recompute'), FALSE);

CREATE OR REPLACE TABLE mart.sla_clocks AS
SELECT * FROM sla_kept
UNION ALL BY NAME
SELECT n.* FROM intermediate.sla_clocks_candidate n
ANTI JOIN sla_kept USING (complaint_id, clock, instance)
ORDER BY complaint_id, clock, instance;
