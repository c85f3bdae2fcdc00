-- Helpers every staging view uses. Exports without an offset carry local wall-clock times; the
-- time zone comes from the connection's variable tousu_tz (setting TOUSU_TIMEZONE), set by
-- warehouse.db.connect and nowhere else. stg.reporting_tz() is that zone for every model (the
-- day and month a complaint counts in); a connection without it is an error, not a default:
-- every use fails with "Unknown TimeZone 'the reporting time zone ... is not set ...'". Not
-- error(): DuckDB moves no filter or join past an expression that calls it (a side effect), so
-- a staging view with a local time typed every row before a join could drop it (1.8 s against
-- 0.16 s to find one night's follow-ups among 10.8 million).
CREATE OR REPLACE MACRO stg.reporting_tz() AS
    coalesce(getvariable('tousu_tz'),
             'the reporting time zone (variable tousu_tz) is not set: open the warehouse with '
             || 'warehouse.db.connect');
-- SLA compliance: clocks met over clocks decided (met + breached, open breaches included in
-- breached); NULL when none is decided. The one formula every mart, page and dry run uses
-- (docs/metrics.md, "Compliance rate").
CREATE OR REPLACE MACRO stg.compliance_rate(met, breached) AS met / nullif(met + breached, 0);
-- An SLA clock measured up to `until` (its stop, else the instant its complaint is known as of):
-- the share of its time used, and how far past its deadline (docs/metrics.md). Used where a
-- clock is computed (20_sla_clocks_candidate.sql) and where a clock breached without a stop is
-- brought up to the night (23_sla_refreshed.sql).
CREATE OR REPLACE MACRO stg.sla_elapsed_share(start_at, deadline_at, until) AS
    round((epoch(until) - epoch(start_at)) / nullif(epoch(deadline_at) - epoch(start_at), 0), 4);
CREATE OR REPLACE MACRO stg.sla_overrun_seconds(deadline_at, until) AS
    CASE WHEN until > deadline_at THEN epoch(until) - epoch(deadline_at) END;
-- A clock breached without a stop (its complaint closed without the step), not paused, measured
-- up to the night itself: its elapsed share and overrun grow every night, and nothing else of it
-- changes while its complaint does not. 23_sla_refreshed.sql brings such clocks up to the night
-- (flows/metrics/build.py's views say which); 21_sla_clocks.sql writes them last.
CREATE OR REPLACE MACRO stg.sla_measured_nightly(
    status, stop_at, paused_seconds, overrun_seconds, computed_as_of, deadline_at
) AS coalesce(status = 'breached' AND stop_at IS NULL AND paused_seconds = 0
              AND overrun_seconds = epoch(computed_as_of) - epoch(deadline_at), FALSE);
CREATE OR REPLACE MACRO stg.blank_to_null(v) AS nullif(trim(v), '');
-- Whether trim changes v: a space at either end. trim removes every Unicode space separator
-- (U+0020, U+00A0, U+3000 and the rest of Zs), and in an all-ASCII string only U+0020 can be
-- one. DuckDB knows from a row group's statistics that its strings are all ASCII (strlen counts
-- bytes, length characters), so only the others pay for trim: 0.3 s over 8M ids, 0.75 s for
-- v <> trim(v) alone (redelivery looks for the earlier versions of a delivery's ids with it).
CREATE OR REPLACE MACRO stg.trim_changes(v) AS
    starts_with(v, ' ') OR ends_with(v, ' ') OR (strlen(v) <> length(v) AND v <> trim(v));
CREATE OR REPLACE MACRO stg.local_time(v, fmt) AS
    try_strptime(trim(v), fmt) AT TIME ZONE stg.reporting_tz();
-- Excel keeps date cells as serial day numbers counted from 1899-12-30.
CREATE OR REPLACE MACRO stg.excel_or_iso_local_time(v) AS
    CASE WHEN regexp_full_match(trim(v), '\d+(\.\d+)?')
         THEN (TIMESTAMP '1899-12-30 00:00:00'
               + to_microseconds(round(trim(v)::DOUBLE * 86400) ::BIGINT * 1000000))
              AT TIME ZONE stg.reporting_tz()
         ELSE stg.local_time(v, ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M:%S.%g'])
    END;
-- The name as the register shows it: first character, the rest masked (seed step 1: 张*).
CREATE OR REPLACE MACRO stg.mask_name(v) AS
    CASE WHEN stg.blank_to_null(v) IS NULL THEN NULL
         ELSE left(trim(v), 1) || repeat('*', greatest(length(trim(v)) - 1, 1)) END;
-- The columns of a table ('schema.table'), in order: a table kept across nights is checked
-- against the model that adds to it (warehouse/marts/00_customers.sql, 21_sla_clocks.sql). Only
-- the connection's own database: a viewer's copy (warehouse/viewer_copy.py) has the published
-- copy attached beside it, with tables of the same names.
CREATE OR REPLACE MACRO stg.columns_of(qualified) AS (
    SELECT list(column_name ORDER BY column_index) FROM duckdb_columns()
    WHERE schema_name || '.' || table_name = qualified
      AND database_name IN (current_database(), 'temp')
);
CREATE OR REPLACE MACRO stg.kept_table_matches(kept, model) AS
    CASE WHEN stg.columns_of(kept) IS DISTINCT FROM stg.columns_of(model)
         THEN error(kept || ' was built by another version of its model (its columns differ): '
                    || 'run `tousu metrics recompute` to build it again')
         ELSE TRUE END;
