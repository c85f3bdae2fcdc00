-- mart.sla_clocks: one row per complaint, clock and instance (see 20_sla_clocks_candidate.sql).
-- History is not rewritten silently: a clock already final (met or breached) keeps the result,
-- policy version and calendar it was computed with, unless its start or stop time, or its
-- complaint's channel, urgency, priority, category or department changed in the data, or the run
-- is an explicit recompute (`tousu metrics recompute`, logged in ops.recomputes, which also
-- starts the table again: flows/metrics/build.py). Which clocks are kept:
-- intermediate.sla_kept (16_sla_kept.sql).
-- Open clocks are computed again every night. The table is kept across nights and only the clocks
-- of the complaints in scope (intermediate.sla_scope) that are not kept are replaced (a night's
-- cost follows its open and changed clocks, not the history's millions of final ones).
-- (LIMIT 0: only the columns, for the first night)
CREATE TABLE IF NOT EXISTS mart.sla_clocks AS SELECT * FROM intermediate.sla_clocks_candidate LIMIT 0;  -- noqa: AM09

-- A table built by another version of this model cannot keep its rows: say so, do not mix.
SELECT stg.kept_table_matches('mart.sla_clocks', 'intermediate.sla_clocks_candidate') AS model_check;

-- the scope's other clocks go (open clocks, clocks whose times or complaint changed, clocks no
-- longer in the data) and the candidate's clocks take their place
-- (by their rows, sla_before's clock_row: 16_sla_kept.sql; matching the keys of every clock took
-- 0.8-1.3 s on the 9,000,000-complaint history)
DELETE FROM mart.sla_clocks
WHERE rowid IN (
    SELECT b.clock_row FROM sla_before AS b
    ANTI JOIN intermediate.sla_kept USING (complaint_id, clock, instance)
);

-- The clocks measured up to the night go last: 23_sla_refreshed.sql moves them to the table's end
-- every night, and after a build in full they are there already. Spread over the table, the
-- first move would delete rows in every row group, and DuckDB holds a deletion's version
-- information in memory until the night commits (the marts of the 9,000,000-complaint history
-- then ran out of a 768 MB limit).
INSERT INTO mart.sla_clocks BY NAME
SELECT * FROM intermediate.sla_clocks_candidate
WHERE NOT stg.sla_measured_nightly(status, stop_at, paused_seconds, overrun_seconds,
                                   computed_as_of, deadline_at);

INSERT INTO mart.sla_clocks BY NAME
SELECT * FROM intermediate.sla_clocks_candidate
WHERE stg.sla_measured_nightly(status, stop_at, paused_seconds, overrun_seconds,
                               computed_as_of, deadline_at);
