-- intermediate.sla_refreshed: the clocks breached without a stop that tonight did not compute
-- again (intermediate.sla_clocks_refreshed, outside intermediate.sla_scope); their elapsed share
-- and overrun in mart.sla_clocks are measured up to tonight, with the formulas that compute them
-- (stg.sla_elapsed_share, stg.sla_overrun_seconds): the figures of a clock computed in full.
-- Nothing else of them moves (flows/metrics/build.py says why), so the compliance marts, which
-- count statuses, do not change for them; 33_sla_breaches.sql lists them again.
CREATE OR REPLACE TABLE intermediate.sla_refreshed AS
SELECT complaint_id, clock, instance
FROM intermediate.sla_clocks_refreshed
ANTI JOIN intermediate.sla_scope USING (complaint_id)
WHERE computed_as_of <> getvariable('as_of')::TIMESTAMPTZ;

UPDATE mart.sla_clocks c
SET elapsed_share = stg.sla_elapsed_share(c.start_at, c.deadline_at, n.as_of),
    overrun_seconds = stg.sla_overrun_seconds(c.deadline_at, n.as_of),
    computed_as_of = n.as_of
FROM intermediate.sla_refreshed r, (SELECT getvariable('as_of')::TIMESTAMPTZ AS as_of) n
WHERE c.complaint_id = r.complaint_id AND c.clock = r.clock AND c.instance = r.instance;
