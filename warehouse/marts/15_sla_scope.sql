-- intermediate.sla_scope: the complaints whose clocks tonight computes again: those whose core
-- rows changed (intermediate.marts_changed), those with a clock not final (open, without a
-- target, or breached without a stop: their figures move with time; intermediate.sla_clocks_open,
-- a view written before the marts by flows/metrics/build.py), and those with a clock that
-- started since the last build (a clock counts once it has started). A final clock of any other
-- complaint cannot change: nothing it is computed from did. A clock breached without a stop
-- (intermediate.sla_clocks_refreshed) is only brought up to the night (23_sla_refreshed.sql),
-- unless its complaint is no longer known as of the night (a declared source gone quiet), or
-- the night is not after its deadline (an earlier night run again): then it is computed again.
CREATE OR REPLACE TABLE intermediate.sla_scope AS
SELECT complaint_id FROM intermediate.marts_changed
UNION
SELECT complaint_id FROM intermediate.sla_clocks_open
UNION
SELECT complaint_id FROM intermediate.sla_clock_inputs
WHERE start_at > getvariable('marts_last_as_of')::TIMESTAMPTZ
  AND start_at <= getvariable('as_of')::TIMESTAMPTZ
UNION
SELECT r.complaint_id
FROM intermediate.sla_clocks_refreshed r
WHERE r.deadline_at >= getvariable('as_of')::TIMESTAMPTZ
   -- (the few complaints known as of another instant, not a join with every complaint's)
   OR r.complaint_id IN (
       SELECT k.complaint_id FROM mart.complaint_as_of k
       WHERE k.known_as_of <> getvariable('as_of')::TIMESTAMPTZ
   );
