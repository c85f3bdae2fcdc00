-- intermediate.sla_clock_inputs (an intermediate model, kept for inspection): one row per
-- complaint, clock and instance: when the clock starts and
-- the event that stops it. Clocks that can run more than once (a follow-up after each executed
-- remedy, a new remedy after each dissatisfied follow-up) have one instance per start.
-- The process's clocks run on complaints the ticket system registered. A source declared by a
-- mapping file brings its own clock (mart.declared_clocks, from its `sla:`): its start and stop
-- fields, or the record's own due date (due_at; use_due: a record without one has no target),
-- and the source's own verdict (verdict), which counts once the case is closed or stopped, or
-- also while it is open (verdict_always).
-- Kept across nights: only the changed complaints' clocks (intermediate.marts_changed) are
-- written again; a clock's inputs come from its complaint's core rows alone.
CREATE OR REPLACE TEMP VIEW changed_clock_inputs AS
WITH changed AS (
    SELECT * FROM core.complaints SEMI JOIN intermediate.marts_changed USING (complaint_id)
),
events AS (
    SELECT complaint_id, event, occurred_at FROM core.complaint_events
    SEMI JOIN intermediate.marts_changed USING (complaint_id)
    WHERE event_source = 'ticket_system'
),
executions AS (
    SELECT complaint_id, occurred_at AS start_at,
           row_number() OVER (PARTITION BY complaint_id ORDER BY occurred_at) AS instance
    FROM events WHERE event = 'executed'
),
dissatisfied AS (
    SELECT complaint_id, followed_up_at AS start_at,
           row_number() OVER (PARTITION BY complaint_id ORDER BY followed_up_at) AS instance
    FROM core.satisfaction
    SEMI JOIN intermediate.marts_changed USING (complaint_id)
    WHERE result IN (SELECT result FROM ref.satisfaction_levels WHERE dissatisfied)
),
next_after AS (
    -- the first event of a kind at or after each start
    SELECT 'follow_up' AS clock, x.complaint_id, x.instance, x.start_at,
           min(e.occurred_at) AS stop_at
    FROM executions x
    LEFT JOIN events e ON e.complaint_id = x.complaint_id AND e.event = 'follow_up'
                      AND e.occurred_at >= x.start_at
    GROUP BY ALL
    UNION ALL
    SELECT 'new_remedy_after_dissatisfaction', d.complaint_id, d.instance, d.start_at,
           min(e.occurred_at)
    FROM dissatisfied d
    LEFT JOIN events e ON e.complaint_id = d.complaint_id AND e.event = 'remedy_agreed'
                      AND e.occurred_at >= d.start_at
    GROUP BY ALL
)
SELECT complaint_id, 'first_response' AS clock, 1 AS instance, received_at AS start_at,
       first_response_at AS stop_at, NULL::TIMESTAMPTZ AS due_at,
       NULL::BOOLEAN AS verdict, FALSE AS use_due, FALSE AS verdict_always
FROM changed WHERE received_at IS NOT NULL AND register = 'ticket_system'
UNION ALL
SELECT complaint_id, 'investigation_started', 1, registered_at, investigation_started_at,
       NULL, NULL, FALSE, FALSE
FROM changed WHERE registered_at IS NOT NULL AND register = 'ticket_system'
UNION ALL
SELECT complaint_id, clock, instance, start_at, stop_at, NULL, NULL, FALSE, FALSE
FROM next_after
UNION ALL
SELECT d.complaint_id, k.clock, 1,
       CASE k.start_field WHEN 'received_at' THEN d.received_at
                          WHEN 'first_response_at' THEN d.first_response_at
                          WHEN 'closed_at' THEN d.closed_at
                          WHEN 'due_at' THEN d.due_at
                          ELSE d.sla_start_at END,
       CASE k.stop_field WHEN 'first_response_at' THEN d.first_response_at
                         WHEN 'closed_at' THEN d.closed_at END,
       CASE WHEN k.use_due THEN d.due_at END,
       CASE WHEN k.use_verdict THEN d.sla_met END,
       k.use_due, k.verdict_always
FROM changed c
JOIN stg.declared_intake d
  ON d.source = c.register AND d._source_file = c.source_file
 AND d._row_number = c.source_row_number
JOIN mart.declared_clocks k ON k.source = d.source;

CREATE TABLE IF NOT EXISTS intermediate.sla_clock_inputs AS
SELECT * FROM changed_clock_inputs LIMIT 0;  -- noqa: AM09

SELECT stg.kept_table_matches('intermediate.sla_clock_inputs', 'main.changed_clock_inputs')
    AS model_check;

DELETE FROM intermediate.sla_clock_inputs
WHERE complaint_id IN (SELECT complaint_id FROM intermediate.marts_changed);

INSERT INTO intermediate.sla_clock_inputs BY NAME
SELECT * FROM changed_clock_inputs;
