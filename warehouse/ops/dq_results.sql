-- ops.dq_results: one row per delivery and row check: how many rows it checked and how many
-- failed. The history of data quality per source and check, night after night.
CREATE TABLE IF NOT EXISTS ops.dq_results (
    run_id        VARCHAR NOT NULL,
    load_id       VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,
    check_name    VARCHAR NOT NULL,
    rows_checked  BIGINT NOT NULL,
    rows_failed   BIGINT NOT NULL,
    success       BOOLEAN NOT NULL,
    checked_at    TIMESTAMPTZ NOT NULL
);
