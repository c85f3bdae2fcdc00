-- ops.runs: one row per nightly run.
CREATE TABLE IF NOT EXISTS ops.runs (
    run_id          VARCHAR PRIMARY KEY,
    run_date        DATE NOT NULL,
    inbox           VARCHAR NOT NULL,
    started_at      TIMESTAMPTZ NOT NULL,
    finished_at     TIMESTAMPTZ,
    status          VARCHAR NOT NULL,   -- running | succeeded | failed
    files_new       INTEGER,
    files_failed    INTEGER,
    rows_read       BIGINT,
    rows_loaded     BIGINT,
    rows_quarantined BIGINT,
    flow_run_id     VARCHAR
);
