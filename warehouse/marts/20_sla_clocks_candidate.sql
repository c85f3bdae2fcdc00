-- intermediate.sla_clocks_candidate (an intermediate model, kept for inspection): the clocks of
-- the complaints in scope computed afresh with the current policy and calendar, except the
-- clocks kept (intermediate.sla_kept).
-- Target: of the policy's rules for the clock whose `when` matches the complaint, the tightest.
-- Deadline: calendar clocks: start + target + time paused while waiting on the customer (if the
-- clock pauses); working-day clocks: the end of the Nth working day after the start's date
-- (local time), per mart.calendar_days.
-- A declared source's clock may carry the source's own verdict (met or not), which decides once
-- the case is closed or the clock stopped (or always, if the mapping says so); its deadline may
-- be the record's own due date.
-- Status: met (stopped by the deadline), breached (stopped after it), open_breached (not
-- stopped and the deadline has passed as of the complaint's known_as_of: the night, or the
-- export's own time, mart.complaint_as_of), open_within (not stopped, not due yet), no_target
-- (a due-date clock on a record without a due date: no deadline, in no compliance rate).
-- A clock never stopped on a complaint that is closed is breached (closed without the step,
-- stop_at empty) once its deadline has passed.
CREATE OR REPLACE TABLE intermediate.sla_clocks_candidate AS
WITH as_of AS (SELECT getvariable('as_of')::TIMESTAMPTZ AS as_of),
tz AS (SELECT stg.reporting_tz() AS tz),
-- the scope's clocks, cut down first (MATERIALIZED): planned as one query, DuckDB 2.0 took every
-- clock's inputs through the anti join with the kept clocks before the scope's semi join (29.4M
-- rows on the 9,000,000-complaint history, for 334,375)
scoped AS MATERIALIZED (
    SELECT * FROM intermediate.sla_clock_inputs
    SEMI JOIN intermediate.sla_scope USING (complaint_id)
    WHERE start_at <= (SELECT as_of FROM as_of)
),
inputs AS (
    SELECT i.*, c.channel, c.urgency, c.priority, c.category, c.department,
           c.status = 'closed' AS complaint_closed,
           coalesce(k.known_as_of, (SELECT as_of FROM as_of)) AS known_as_of
    FROM scoped i
    ANTI JOIN intermediate.sla_kept USING (complaint_id, clock, instance)
    JOIN core.complaints c USING (complaint_id)
    LEFT JOIN mart.complaint_as_of k USING (complaint_id)
),
-- The rule depends only on the clock and the complaint's classification, so it is chosen once
-- per combination found (1,296 on a first night at 1,000,000 complaints), not per clock: the
-- 3.2M clocks matched 4.2M rule rows, and ranking them per clock took 10 of this model's 15.6 s
-- (now 7.0 s).
kinds AS (SELECT DISTINCT clock, channel, urgency, priority, category FROM inputs),
tightest AS (
    SELECT k.*, r.policy_version, r.rule_no, r.target_seconds, r.target_working_days,
           r.target_label, r.pauses
    FROM kinds k
    JOIN mart.sla_policy_rules r
      ON r.clock = k.clock
     AND (r.when_channel IS NULL OR list_contains(r.when_channel, k.channel))
     AND (r.when_urgency IS NULL OR list_contains(r.when_urgency, k.urgency))
     AND (r.when_priority IS NULL OR list_contains(r.when_priority, k.priority))
     AND (r.when_category IS NULL OR list_contains(r.when_category, k.category))
    QUALIFY row_number() OVER (
        PARTITION BY k.clock, k.channel, k.urgency, k.priority, k.category
        ORDER BY coalesce(r.target_seconds, r.target_working_days), r.rule_no) = 1
),
matched AS (
    SELECT i.*, t.policy_version, t.rule_no, t.target_seconds, t.target_working_days,
           t.target_label, t.pauses
    FROM inputs i
    JOIN tightest t
      -- one key, where a missing value equals a missing value (a nested comparison). Five
      -- IS NOT DISTINCT FROM conditions gave the same rows in 20.8 s: DuckDB then misjudged
      -- the matches' size and built hash tables of all 3.2M for the calendar's joins.
      ON (t.clock, t.channel, t.urgency, t.priority, t.category)
       = (i.clock, i.channel, i.urgency, i.priority, i.category)
),
waits AS (  -- 11_sla_waits.sql; a wait not answered lasts until the night
    SELECT complaint_id, paused_from,
           coalesce(answered_at, (SELECT as_of FROM as_of)) AS paused_until
    FROM intermediate.sla_waits SEMI JOIN intermediate.sla_scope USING (complaint_id)
),
paused AS (
    SELECT m.complaint_id, m.clock, m.instance,
           sum(greatest(0, epoch(least(w.paused_until, coalesce(m.stop_at, (SELECT as_of FROM as_of))))
                           - epoch(greatest(w.paused_from, m.start_at)))) AS paused_seconds
    FROM matched m JOIN waits w USING (complaint_id)
    WHERE m.pauses
    GROUP BY ALL
),
deadlines AS (
    SELECT m.*, coalesce(p.paused_seconds, 0) AS paused_seconds,
           CASE WHEN m.due_at IS NOT NULL THEN m.due_at
                WHEN m.use_due THEN NULL  -- no due date: no deadline
                WHEN m.target_seconds IS NOT NULL
                THEN m.start_at + to_microseconds(
                         ((m.target_seconds + coalesce(p.paused_seconds, 0)) * 1e6)::BIGINT)
                ELSE ((due.day + 1)::TIMESTAMP) AT TIME ZONE (SELECT tz FROM tz)
           END AS deadline_at,
           coalesce(due.calendar_source, startday.calendar_source) AS calendar_source
    FROM matched m
    LEFT JOIN paused p USING (complaint_id, clock, instance)
    LEFT JOIN mart.calendar_days startday
      ON m.target_working_days IS NOT NULL
     AND startday.day = (m.start_at AT TIME ZONE (SELECT tz FROM tz))::DATE
    LEFT JOIN mart.calendar_days due
      ON due.is_workday AND due.workday_seq = startday.workday_seq + m.target_working_days
)
SELECT
    complaint_id, clock, instance, channel, department, category, priority, urgency,
    start_at,
    (start_at AT TIME ZONE (SELECT tz FROM tz))::DATE                AS start_day,
    target_label, target_seconds, target_working_days,
    deadline_at, stop_at, paused_seconds,
    CASE WHEN use_due AND deadline_at IS NULL THEN 'no_target'  -- a due-date clock, no due date
         -- a declared source's own verdict, once its case is closed or stopped (or always)
         WHEN verdict IS NOT NULL AND (complaint_closed OR stop_at IS NOT NULL)
         THEN CASE WHEN verdict THEN 'met' ELSE 'breached' END
         WHEN verdict IS NOT NULL AND verdict_always
         THEN CASE WHEN verdict THEN 'open_within' ELSE 'open_breached' END
         WHEN stop_at IS NOT NULL AND stop_at <= deadline_at THEN 'met'
         WHEN stop_at IS NOT NULL THEN 'breached'
         WHEN known_as_of > deadline_at AND complaint_closed THEN 'breached'
         WHEN known_as_of > deadline_at THEN 'open_breached'
         ELSE 'open_within' END                                        AS status,
    -- a case closed on the source's verdict has no stop time: how long it ran is unknown
    CASE WHEN NOT (verdict IS NOT NULL AND stop_at IS NULL AND complaint_closed)
         THEN stg.sla_elapsed_share(start_at, deadline_at, coalesce(stop_at, known_as_of))
    END                                                                AS elapsed_share,
    CASE WHEN NOT (verdict IS NOT NULL AND stop_at IS NULL AND complaint_closed)
         THEN stg.sla_overrun_seconds(deadline_at, coalesce(stop_at, known_as_of))
    END                                                                AS overrun_seconds,
    policy_version, rule_no, calendar_source,
    (SELECT as_of FROM as_of)                                          AS computed_as_of
FROM deadlines;
