-- ops.pending_links: loaded records that do not (yet) reach core because their other half is not
-- loaded: a channel record nobody registered, a registration whose channel record is missing or
-- quarantined, events or follow-ups of a ticket that is not in core.complaints.
-- A table kept with core (not a view), so any DuckDB client can read it without tousu's
-- functions (staging views call tousu_phone_e164, registered by warehouse.db.connect).
-- Updated with core: only the links the night's loads can have changed are checked again, the
-- rest stay (a full build starts the table empty and checks every link). Record keys are never
-- empty (the source suites quarantine such rows) and unique among the versions in force
-- (flows/intake/redelivery.py), so a key names one pending row.
-- * A channel record's link changes when a load brings, corrects or answers it or brings or
--   corrects a registration naming it (intermediate.core_link_records).
-- * A registration's, an event's or a follow-up's changes when its complaint is touched
--   (intermediate.core_touched): a load brings or corrects it (the version it replaced named a
--   complaint that is touched too), or core writes its complaint again.
CREATE TABLE IF NOT EXISTS ops.pending_links (
    waiting_for VARCHAR, source VARCHAR, key VARCHAR, file VARCHAR, row_number INTEGER
);

DELETE FROM ops.pending_links p
WHERE (p.waiting_for = 'channel record not registered'
       AND EXISTS (SELECT 1 FROM intermediate.core_link_records r
                   WHERE r.channel = p.source AND r.source_ref = p.key))
   OR (p.waiting_for = 'registration without its channel record'
       AND p.key IN (SELECT complaint_id FROM intermediate.core_touched))
   OR (p.waiting_for = 'event of a complaint not in core'
       AND p.key IN (SELECT event_id FROM intermediate.core_touched_events))
   OR (p.waiting_for = 'follow-up of a complaint not in core'
       AND p.key IN (SELECT followup_id FROM intermediate.core_touched_followups));

INSERT INTO ops.pending_links
SELECT 'channel record not registered' AS waiting_for, i.channel AS source, i.source_ref AS key,
       i._source_file AS file, i._row_number AS row_number
FROM intermediate.core_touched_intake i
SEMI JOIN intermediate.core_link_records USING (channel, source_ref)
ANTI JOIN intermediate.core_link_registrations USING (channel, source_ref)
UNION ALL
SELECT 'registration without its channel record', 'ticket_events', e.complaint_id,
       e._source_file, e._row_number
FROM intermediate.core_touched_events e
ANTI JOIN intermediate.core_touched_intake USING (channel, source_ref)
WHERE e.event = 'registered'
UNION ALL
SELECT 'event of a complaint not in core', 'ticket_events', e.event_id, e._source_file,
       e._row_number
FROM intermediate.core_touched_events e
ANTI JOIN core.complaints USING (complaint_id)
WHERE e.event <> 'registered'
UNION ALL
SELECT 'follow-up of a complaint not in core', 'satisfaction', f.followup_id, f._source_file,
       f._row_number
FROM intermediate.core_touched_followups f
ANTI JOIN core.complaints USING (complaint_id);
