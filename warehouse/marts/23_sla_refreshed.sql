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

-- Written again at the table's end, not updated in place: an UPDATE rewrites, when the night
-- commits, those columns of every row group holding one such clock, and these clocks are spread
-- over the whole history (691,570 of 29,589,795 on the 9,000,000-complaint history: 9.5 s).
-- Appended, they stay together at the end with the clocks computed tonight, where the scans of
-- the clocks computed tonight (computed_as_of, 33_sla_breaches.sql) find them without reading
-- the older row groups. The rows as they were are those not computed as of tonight.
INSERT INTO mart.sla_clocks BY NAME
SELECT c.* REPLACE (
           stg.sla_elapsed_share(c.start_at, c.deadline_at, n.as_of) AS elapsed_share,
           stg.sla_overrun_seconds(c.deadline_at, n.as_of) AS overrun_seconds,
           n.as_of AS computed_as_of
       )
FROM mart.sla_clocks c
SEMI JOIN intermediate.sla_refreshed USING (complaint_id, clock, instance)
CROSS JOIN (SELECT getvariable('as_of')::TIMESTAMPTZ AS as_of) n
-- they were computed as of the last build (intermediate.sla_clocks_refreshed): DuckDB reads only
-- the table's last row groups
WHERE c.computed_as_of = getvariable('marts_last_as_of')::TIMESTAMPTZ;

DELETE FROM mart.sla_clocks c
USING intermediate.sla_refreshed r
WHERE c.complaint_id = r.complaint_id AND c.clock = r.clock AND c.instance = r.instance
  AND c.computed_as_of = getvariable('marts_last_as_of')::TIMESTAMPTZ;
