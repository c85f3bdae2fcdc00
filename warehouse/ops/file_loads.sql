-- ops.file_loads: one row per file and run that met the file for the first time (a file already
-- recorded with the same path and sha256 is not recorded again).
-- status: loaded (rows_read = rows_loaded + rows_quarantined + rows_skipped), skipped_duplicate
-- (same content as an already loaded file, named in duplicate_of; nothing read), failed (error
-- says why; nothing of it kept, it is tried again next run), held (readable, but its source is
-- stopped tonight by another file's changed layout; tried again next run).
CREATE TABLE IF NOT EXISTS ops.file_loads (
    run_id           VARCHAR NOT NULL,
    load_id          VARCHAR NOT NULL,
    source           VARCHAR NOT NULL,
    path             VARCHAR NOT NULL,   -- relative to the inbox
    sha256           VARCHAR NOT NULL,
    size_bytes       BIGINT NOT NULL,
    rows_read        BIGINT NOT NULL,
    rows_loaded      BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    status           VARCHAR NOT NULL,
    duplicate_of     VARCHAR,
    error            VARCHAR,
    note             VARCHAR,
    loaded_at        TIMESTAMPTZ NOT NULL,
    -- skipped by rule: records identical to one already loaded (ops.redeliveries says which),
    -- and rows a declared source's mapping says are not complaints (note says which rule)
    rows_skipped     BIGINT NOT NULL DEFAULT 0
);
-- Warehouses created before rows_skipped existed.
ALTER TABLE ops.file_loads ADD COLUMN IF NOT EXISTS rows_skipped BIGINT DEFAULT 0;
-- The file's modification time (ns) when it was read: a file with the same path, size and time
-- is not hashed again on later nights (flows/loading.py new_files).
ALTER TABLE ops.file_loads ADD COLUMN IF NOT EXISTS modified_ns BIGINT;
