-- ops.pending_links: loaded records that do not (yet) reach core because their other half is not
-- loaded: a channel record nobody registered, a registration whose channel record is missing or
-- quarantined, events or follow-ups of a ticket that is not in core.complaints.
-- A table rebuilt with core (not a view), so any DuckDB client can read it without tousu's
-- functions (staging views call tousu_phone_e164, registered by warehouse.db.connect).
CREATE OR REPLACE TABLE ops.pending_links AS
SELECT 'channel record not registered' AS waiting_for, i.channel AS source, i.source_ref AS key,
       i._source_file AS file, i._row_number AS row_number
FROM stg.intake i
ANTI JOIN (SELECT channel, source_ref FROM stg.ticket_events WHERE event = 'registered') r
     USING (channel, source_ref)
UNION ALL
SELECT 'registration without its channel record', 'ticket_events', e.complaint_id,
       e._source_file, e._row_number
FROM stg.ticket_events e
ANTI JOIN stg.intake USING (channel, source_ref)
WHERE e.event = 'registered'
UNION ALL
SELECT 'event of a complaint not in core', 'ticket_events', e.event_id, e._source_file,
       e._row_number
FROM stg.ticket_events e
ANTI JOIN core.complaints USING (complaint_id)
WHERE e.event <> 'registered'
UNION ALL
SELECT 'follow-up of a complaint not in core', 'satisfaction', f.followup_id, f._source_file,
       f._row_number
FROM stg.satisfaction_followups f
ANTI JOIN core.complaints USING (complaint_id);
