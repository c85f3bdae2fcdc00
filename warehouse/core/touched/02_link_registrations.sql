-- intermediate.core_link_registrations: the registrations (ticket events `registered`, versions in
-- force) naming a channel record whose link the night can change (01_link_records.sql). The
-- complaints registered with a record the loads bring, correct or answer are touched
-- (03_touched.sql), and a record so registered is not waiting (ops.pending_links).
-- Joined on the record id as stored first, as 05_touched_events.sql joins ticket numbers, so
-- DuckDB drops the other events before it types them (among the 72 million events of a
-- 9,000,000-complaint history, typing every registration to join it took 1.4 s); an id stored
-- with a space at an end is matched once typed, in the second branch.
CREATE OR REPLACE TABLE intermediate.core_link_registrations AS
SELECT r.complaint_id, r.channel, r.source_ref FROM stg.ticket_events r
SEMI JOIN intermediate.core_link_records USING (channel, source_ref)
WHERE r.event = 'registered'
  AND r.source_ref_as_given IN (SELECT k.source_ref FROM intermediate.core_link_records k)
UNION ALL
SELECT r.complaint_id, r.channel, r.source_ref FROM stg.ticket_events r
SEMI JOIN intermediate.core_link_records USING (channel, source_ref)
WHERE r.event = 'registered' AND stg.trim_changes(r.source_ref_as_given);
