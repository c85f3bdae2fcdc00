-- intermediate.core_touched: the complaints a core build writes again. Core holds the rows of the
-- deliveries it was built from (ops.core_loads); intermediate.core_new_loads lists the ones it
-- does not hold yet (warehouse.db.build_core writes it: on a full build, every load raw holds).
-- A complaint is touched when one of those loads brings or corrects one of its ticket events or
-- follow-ups, its declared record, its channel record, or a reply to its complaint email.
-- A correction supersedes the earlier version of the same record key (flows/intake/redelivery.py).
-- A channel record's key is its source_ref, so its new version names the same complaint; an
-- event, a follow-up, a declared record or a reply may have moved to another complaint, so the
-- versions they superseded (raw rows no longer in staging) count too.
CREATE OR REPLACE TABLE intermediate.core_touched AS
WITH new_loads AS (
    SELECT load_id FROM intermediate.core_new_loads
),
touched AS (
    SELECT e.complaint_id FROM stg.ticket_events e
    SEMI JOIN new_loads n ON e._load_id = n.load_id
    UNION
    SELECT stg.blank_to_null(e.ticket_no) FROM raw.ticket_events e
    SEMI JOIN new_loads n ON e._superseded_by = n.load_id
    UNION
    SELECT f.complaint_id FROM stg.satisfaction_followups f
    SEMI JOIN new_loads n ON f._load_id = n.load_id
    UNION
    SELECT stg.blank_to_null(f.ticket_no) FROM raw.satisfaction_followups f
    SEMI JOIN new_loads n ON f._superseded_by = n.load_id
    UNION
    SELECT d.complaint_id FROM stg.declared_intake d
    SEMI JOIN new_loads n ON d._load_id = n.load_id
    UNION
    SELECT d.complaint_id FROM raw.declared_intake d
    SEMI JOIN new_loads n ON d._superseded_by = n.load_id
    UNION
    -- the complaints registered with a channel record the loads bring, correct or answer
    -- (00_changed_records.sql)
    SELECT r.complaint_id FROM intermediate.core_link_registrations r
    SEMI JOIN intermediate.core_changed_records USING (channel, source_ref)
)
SELECT complaint_id FROM touched WHERE complaint_id IS NOT NULL;
