-- ops.quarantine: one row per record that was read but not loaded, with the reason in words a
-- person can act on. `record` is the row as read (JSON of the delivered fields, or the raw
-- line's text where it could not be decoded).
CREATE TABLE IF NOT EXISTS ops.quarantine (
    run_id          VARCHAR NOT NULL,
    load_id         VARCHAR NOT NULL,
    source          VARCHAR NOT NULL,
    file            VARCHAR NOT NULL,
    row_number      INTEGER NOT NULL,
    record          VARCHAR,
    check_name      VARCHAR NOT NULL,
    reason          VARCHAR NOT NULL,
    quarantined_at  TIMESTAMPTZ NOT NULL,
    -- set when a later delivery loads a corrected record with the same id: nothing stays lost
    resolved_at     TIMESTAMPTZ,
    resolved_by     VARCHAR
);
