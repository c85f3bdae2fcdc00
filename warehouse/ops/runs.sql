-- ops.runs: one row per nightly run.
CREATE TABLE IF NOT EXISTS ops.runs (
    run_id          VARCHAR PRIMARY KEY,
    run_date        DATE NOT NULL,
    inbox           VARCHAR NOT NULL,
    started_at      TIMESTAMPTZ NOT NULL,
    finished_at     TIMESTAMPTZ,
    -- running | succeeded | succeeded_with_failures (published; some files wait, see
    -- ops.file_loads) | failed (nothing published; `note` says why) | abandoned (killed mid-way:
    -- marked by the next night)
    status          VARCHAR NOT NULL,
    files_new       INTEGER,
    files_failed    INTEGER,
    rows_read       BIGINT,
    rows_loaded     BIGINT,
    rows_quarantined BIGINT,
    flow_run_id     VARCHAR,
    note            VARCHAR             -- why a night failed or what it warns of
);
ALTER TABLE ops.runs ADD COLUMN IF NOT EXISTS note VARCHAR;
