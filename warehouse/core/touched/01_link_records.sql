-- intermediate.core_link_records: the channel records (channel, source_ref) whose link to a
-- registration the night's loads can change: records the loads bring, correct or answer
-- (00_changed_records.sql), records a registration they bring names, and records a
-- registration they correct named before. ops.pending_links checks these records again, and
-- 07_touched_intake.sql reads their staging rows for it.
CREATE OR REPLACE TABLE intermediate.core_link_records AS
SELECT channel, source_ref FROM intermediate.core_changed_records
UNION
SELECT r.channel, r.source_ref FROM stg.ticket_events r
SEMI JOIN intermediate.core_new_loads n ON r._load_id = n.load_id
WHERE r.event = 'registered'
UNION
SELECT stg.blank_to_null(r.channel), stg.blank_to_null(r.source_ref) FROM raw.ticket_events r
SEMI JOIN intermediate.core_new_loads n ON r._superseded_by = n.load_id
WHERE stg.blank_to_null(r.event) = 'registered';
