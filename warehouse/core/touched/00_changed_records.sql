-- intermediate.core_changed_records: the channel records (channel, source_ref) the deliveries
-- core does not hold yet (intermediate.core_new_loads) bring, correct or answer. The complaints
-- registered with them are touched (03_touched.sql), and ops.pending_links checks their links
-- again.
CREATE OR REPLACE TABLE intermediate.core_changed_records AS
WITH new_loads AS (
    SELECT load_id FROM intermediate.core_new_loads
)
SELECT i.channel, i.source_ref FROM stg.intake i
SEMI JOIN new_loads n ON i._load_id = n.load_id
UNION
-- a corrected email that now answers another message is no longer a complaint: its key goes
-- (a corrected record of another channel keeps its key, so its new version names it)
SELECT 'email', stg.blank_to_null(m.message_id) FROM raw.email_messages m
SEMI JOIN new_loads n ON m._superseded_by = n.load_id
UNION
-- a new reply moves its complaint's first response
SELECT 'email', m.in_reply_to FROM stg.email_messages m
SEMI JOIN new_loads n ON m._load_id = n.load_id
WHERE m.in_reply_to IS NOT NULL
UNION
SELECT 'email', stg.blank_to_null(m.in_reply_to) FROM raw.email_messages m
SEMI JOIN new_loads n ON m._superseded_by = n.load_id;
