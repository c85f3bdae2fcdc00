-- ops.dq_results: one row per validation result: each expectation of a source's suite per
-- delivery, each batch check per file (layout, volume), each core-table expectation per night.
-- The history of data quality per source and check, night after night.
CREATE TABLE IF NOT EXISTS ops.dq_results (
    run_id        VARCHAR NOT NULL,
    load_id       VARCHAR NOT NULL,   -- the delivery; 'core' for core-table suites
    source        VARCHAR NOT NULL,   -- the source, or the core table
    check_name    VARCHAR NOT NULL,   -- the expectation's name (suite meta.check, or GX type(column))
    rows_checked  BIGINT NOT NULL,
    rows_failed   BIGINT NOT NULL,    -- GX's unexpected count
    success       BOOLEAN NOT NULL,   -- within the tolerance (expectations/thresholds.yml)
    checked_at    TIMESTAMPTZ NOT NULL
);
-- Added after the first release: which suite the check belongs to, and what was observed
-- (e.g. '3 of 120 rows failed', 'rows 40, usual 200'), for the person reading the history.
ALTER TABLE ops.dq_results ADD COLUMN IF NOT EXISTS suite VARCHAR;
ALTER TABLE ops.dq_results ADD COLUMN IF NOT EXISTS observed_value VARCHAR;
