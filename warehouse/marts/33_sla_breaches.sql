-- mart.sla_breaches: one row per clock breached (stopped late, or open past its deadline).
-- Kept across nights: only the clocks 21_sla_clocks.sql computed tonight (those of the complaints
-- in scope, intermediate.sla_scope, not kept as they were, intermediate.sla_kept) are listed
-- again, and the clocks breached without a stop that 23_sla_refreshed.sql brought up to the night
-- (intermediate.sla_refreshed). A build in full lists every clock in scope: the table starts
-- empty, and the final clocks kept from before are listed too.
-- sla_breach_rows(computed_since): the breached clocks computed as of that instant or later (NULL:
-- all); those computed tonight are at the table's end, and DuckDB skips the row groups before.
CREATE OR REPLACE TEMP MACRO sla_breach_rows(computed_since) AS TABLE
SELECT complaint_id, clock, instance, channel, department, category, priority, target_label,
       start_at, deadline_at, stop_at, status, overrun_seconds,
       round(overrun_seconds / 3600, 2) AS overrun_hours, paused_seconds, policy_version
FROM mart.sla_clocks
WHERE status IN ('breached', 'open_breached')
  AND (computed_since IS NULL OR computed_as_of >= computed_since);

CREATE TABLE IF NOT EXISTS mart.sla_breaches AS
SELECT * FROM sla_breach_rows(NULL) LIMIT 0;  -- noqa: AM09

DELETE FROM mart.sla_breaches b
WHERE b.complaint_id IN (SELECT complaint_id FROM intermediate.sla_scope)
  AND NOT EXISTS (
      SELECT 1 FROM intermediate.sla_kept k
      WHERE k.complaint_id = b.complaint_id AND k.clock = b.clock AND k.instance = b.instance
  );

-- computed tonight: at the table's end (in a build in full, every clock); not scanning the older
-- row groups took this from 1.2-1.3 s to 0.15-0.2 s on the 9,000,000-complaint history
INSERT INTO mart.sla_breaches BY NAME
SELECT * FROM sla_breach_rows(
    CASE WHEN getvariable('marts_last_as_of') IS NOT NULL THEN getvariable('as_of')::TIMESTAMPTZ END
)
SEMI JOIN intermediate.sla_scope USING (complaint_id)
ANTI JOIN (
    SELECT complaint_id, clock, instance FROM intermediate.sla_kept
    WHERE getvariable('marts_last_as_of') IS NOT NULL
) AS kept USING (complaint_id, clock, instance)
ORDER BY overrun_seconds DESC;

DELETE FROM mart.sla_breaches b
USING intermediate.sla_refreshed r
WHERE b.complaint_id = r.complaint_id AND b.clock = r.clock AND b.instance = r.instance;

INSERT INTO mart.sla_breaches BY NAME
SELECT * FROM sla_breach_rows(getvariable('as_of')::TIMESTAMPTZ)
SEMI JOIN intermediate.sla_refreshed USING (complaint_id, clock, instance);
