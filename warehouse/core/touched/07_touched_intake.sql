-- intermediate.core_touched_intake: the channel records (stg.intake, versions in force) core
-- reads tonight: the ones the touched complaints are registered with (core.complaints), and the
-- ones whose links the night can change (01_link_records.sql, for ops.pending_links).
-- Read once here: staging types every channel record, parses every chat's messages and every
-- post's comments and looks for every email's first reply before a join can drop any (DuckDB
-- does not move a join into the branches of a UNION), and core read stg.intake four times.
CREATE OR REPLACE TABLE intermediate.core_touched_intake AS
WITH wanted AS (
    SELECT channel, source_ref FROM intermediate.core_touched_events WHERE event = 'registered'
    UNION
    SELECT channel, source_ref FROM intermediate.core_link_records
)
SELECT * FROM stg.intake SEMI JOIN wanted USING (channel, source_ref);
