-- intermediate.core_touched_intake: the channel records (stg.intake, versions in force) core
-- reads tonight: the ones the touched complaints are registered with (core.complaints), and the
-- ones whose links the night can change (ops.pending_links): records the loads bring, correct or
-- answer (00_changed_records.sql) and records a corrected registration named before.
-- Read once here: staging types every channel record, parses every chat's messages and every
-- post's comments and looks for every email's first reply before a join can drop any (DuckDB
-- does not move a join into the branches of a UNION), and core read stg.intake four times.
CREATE OR REPLACE TABLE intermediate.core_touched_intake AS
WITH wanted AS (
    SELECT channel, source_ref FROM intermediate.core_touched_events WHERE event = 'registered'
    UNION
    SELECT channel, source_ref FROM intermediate.core_changed_records
    UNION
    SELECT stg.blank_to_null(r.channel), stg.blank_to_null(r.source_ref) FROM raw.ticket_events r
    SEMI JOIN intermediate.core_new_loads n ON r._superseded_by = n.load_id
    WHERE stg.blank_to_null(r.event) = 'registered'
)
SELECT * FROM stg.intake SEMI JOIN wanted USING (channel, source_ref);
