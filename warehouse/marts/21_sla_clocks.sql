-- mart.sla_clocks: one row per complaint, clock and instance (see 20_sla_clocks_candidate.sql).
-- History is not rewritten silently: a clock already final (met or breached) keeps the result,
-- policy version and calendar it was computed with, unless its start or stop time changed in the
-- data or the run is an explicit recompute (`tousu metrics recompute`, logged in ops.recomputes,
-- which also starts the table again: flows/metrics/build.py).
-- Open clocks are computed again every night. The table is kept across nights and only the clocks
-- that are not kept are replaced (a night's cost follows its open and changed clocks, not the
-- history's millions of final ones).
-- (LIMIT 0: only the columns, for the first night)
CREATE TABLE IF NOT EXISTS mart.sla_clocks AS SELECT * FROM intermediate.sla_clocks_candidate LIMIT 0;  -- noqa: AM09

-- A table built by another version of this model cannot keep its rows: say so, do not mix.
SELECT stg.kept_table_matches('mart.sla_clocks', 'intermediate.sla_clocks_candidate') AS model_check;

-- kept: the final clocks whose start and stop are still what the data says (the candidate left
-- them out: 20_sla_clocks_candidate.sql)
CREATE OR REPLACE TEMP TABLE sla_kept AS
SELECT o.complaint_id, o.clock, o.instance
FROM mart.sla_clocks o
JOIN intermediate.sla_clock_inputs n USING (complaint_id, clock, instance)
WHERE o.status IN ('met', 'breached')
  AND o.start_at = n.start_at AND o.stop_at = n.stop_at
  AND n.start_at <= getvariable('as_of')::TIMESTAMPTZ
  AND NOT coalesce(getvariable('sla_recompute'), FALSE);

-- everything else goes (open clocks, clocks whose times changed or that are no longer in the
-- data) and the candidate's clocks take their place
DELETE FROM mart.sla_clocks o
WHERE NOT EXISTS (
    SELECT 1 FROM sla_kept k
    WHERE k.complaint_id = o.complaint_id AND k.clock = o.clock AND k.instance = o.instance
);

INSERT INTO mart.sla_clocks BY NAME
SELECT n.* FROM intermediate.sla_clocks_candidate n
ANTI JOIN sla_kept USING (complaint_id, clock, instance);
