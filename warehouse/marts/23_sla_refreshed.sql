-- intermediate.sla_refreshed: the clocks breached without a stop that tonight did not compute
-- again (intermediate.sla_clocks_refreshed, outside intermediate.sla_scope); their elapsed share
-- and overrun in mart.sla_clocks are measured up to tonight, with the formulas that compute them
-- (stg.sla_elapsed_share, stg.sla_overrun_seconds): the figures of a clock computed in full.
-- Nothing else of them moves (flows/metrics/build.py says why), so the compliance marts, which
-- count statuses, do not change for them; 33_sla_breaches.sql lists them again.
-- clock_row: the clock's row in mart.sla_clocks (flows/metrics/build.py), by which it is read and
-- its old row deleted below, without matching the keys of the table's rows (the three keys of
-- 691,570 clocks matched took 3.3 s to read and 1.5-2.0 s to delete on the 9,000,000-complaint
-- history, by their rows 1.1 s and 0.1 s). build.py says why a row's rowid holds until the marts
-- commit, the rows inserted below included.
CREATE OR REPLACE TABLE intermediate.sla_refreshed AS
SELECT complaint_id, clock, instance, clock_row
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
CROSS JOIN (SELECT getvariable('as_of')::TIMESTAMPTZ AS as_of) n
-- they were computed as of the last build (intermediate.sla_clocks_refreshed): DuckDB reads only
-- the table's last row groups
WHERE c.computed_as_of = getvariable('marts_last_as_of')::TIMESTAMPTZ
  AND c.rowid IN (SELECT r.clock_row FROM intermediate.sla_refreshed r);

DELETE FROM mart.sla_clocks
WHERE rowid IN (SELECT r.clock_row FROM intermediate.sla_refreshed r);
