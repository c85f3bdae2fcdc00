-- Every raw table keeps each delivered version of a record. _superseded_by is the load id of the
-- correction that replaced this version (NULL: the version in force); staging reads only the
-- versions in force. Added here once for every raw table, so older warehouses get it too.
ALTER TABLE raw.phone_calls ADD COLUMN IF NOT EXISTS _superseded_by VARCHAR;
ALTER TABLE raw.chat_sessions ADD COLUMN IF NOT EXISTS _superseded_by VARCHAR;
ALTER TABLE raw.email_messages ADD COLUMN IF NOT EXISTS _superseded_by VARCHAR;
ALTER TABLE raw.social_mentions ADD COLUMN IF NOT EXISTS _superseded_by VARCHAR;
ALTER TABLE raw.store_registers ADD COLUMN IF NOT EXISTS _superseded_by VARCHAR;
ALTER TABLE raw.webform_submissions ADD COLUMN IF NOT EXISTS _superseded_by VARCHAR;
ALTER TABLE raw.ticket_events ADD COLUMN IF NOT EXISTS _superseded_by VARCHAR;
ALTER TABLE raw.satisfaction_followups ADD COLUMN IF NOT EXISTS _superseded_by VARCHAR;
ALTER TABLE raw.declared_intake ADD COLUMN IF NOT EXISTS _superseded_by VARCHAR;
