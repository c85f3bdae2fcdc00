-- ops.redeliveries: one row per record delivered again (same record id as a record already
-- loaded). A copy with identical content is a `duplicate`: skipped by rule (counted in
-- ops.file_loads.rows_skipped, not a data-quality failure). A copy with different content is a
-- `correction`: it loads, the latest delivery wins in core (the earlier version stays in raw,
-- marked _superseded_by), and `changed_fields` says what changed. The same id twice with
-- different content inside one delivery is ambiguous: that copy goes to ops.quarantine
-- (record_not_repeated_in_delivery).
CREATE TABLE IF NOT EXISTS ops.redeliveries (
    run_id           VARCHAR NOT NULL,
    load_id          VARCHAR NOT NULL,
    source           VARCHAR NOT NULL,
    file             VARCHAR NOT NULL,   -- the new copy
    row_number       INTEGER NOT NULL,
    record_key       VARCHAR NOT NULL,   -- the source's record id
    kind             VARCHAR NOT NULL,   -- duplicate | correction
    previous_file    VARCHAR NOT NULL,   -- the copy it repeats or corrects
    previous_row_number INTEGER NOT NULL,
    changed_fields   VARCHAR[],          -- correction: the raw columns whose value changed
    recorded_at      TIMESTAMPTZ NOT NULL
);
