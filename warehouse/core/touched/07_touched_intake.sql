-- intermediate.core_touched_intake: the channel records (stg.intake, versions in force) core
-- reads tonight: the ones the touched complaints are registered with (core.complaints), and the
-- ones whose links the night can change (01_link_records.sql, for ops.pending_links).
-- Staging types every channel record, parses every chat's messages and every post's comments
-- and looks for every email's first reply before a join can drop any (DuckDB moves no join
-- below a view's projections, nor into the branches of a UNION): at 9,000,000 complaints that
-- was 13.6-16.3 s to find about 96,000 records. So the raw rows are found first, by their ids as
-- stored, and only they are typed, by the staging views' own SQL (stg.intake_of: each view is
-- its macro over raw). Views, not tables: a full build wants every record, and streams them.
CREATE OR REPLACE TEMP TABLE intake_wanted AS
SELECT channel, source_ref FROM intermediate.core_touched_events WHERE event = 'registered'
UNION
SELECT channel, source_ref FROM intermediate.core_link_records;

CREATE OR REPLACE TEMP MACRO wanted_refs(wanted_channel) AS TABLE
SELECT w.source_ref FROM intake_wanted w WHERE w.channel = wanted_channel;

-- A raw row of the channel whose record id, as staging types it (stg.blank_to_null), is wanted.
-- A wanted id has no space at an end, so a stored id equals it or has spaces to trim
-- (stg.trim_changes, rare: only those are trimmed).
CREATE OR REPLACE TEMP MACRO wanted(id, wanted_channel) AS
    id IN (FROM wanted_refs(wanted_channel))
    OR (stg.trim_changes(id) AND trim(id) IN (FROM wanted_refs(wanted_channel)));

CREATE OR REPLACE TEMP VIEW intake_phone AS
FROM raw.phone_calls WHERE wanted(call_id, 'phone');

CREATE OR REPLACE TEMP VIEW intake_chat AS
FROM raw.chat_sessions WHERE wanted(session_id, 'chat');

-- an email's first response is a reply to it: the replies are typed with it
CREATE OR REPLACE TEMP VIEW intake_email AS
FROM raw.email_messages
WHERE wanted(message_id, 'email')
   OR stg.blank_to_null(in_reply_to) IN (FROM wanted_refs('email'));

CREATE OR REPLACE TEMP VIEW intake_social AS
FROM raw.social_mentions WHERE wanted(mention_id, 'social');

CREATE OR REPLACE TEMP VIEW intake_store AS
FROM raw.store_registers WHERE wanted(register_no, 'store');

CREATE OR REPLACE TEMP VIEW intake_webform AS
FROM raw.webform_submissions WHERE wanted(submission_id, 'webform');

CREATE OR REPLACE TABLE intermediate.core_touched_intake AS
SELECT *
FROM stg.intake_of(
    'intake_phone', 'intake_chat', 'intake_email', 'intake_social', 'intake_store',
    'intake_webform'
)
SEMI JOIN intake_wanted USING (channel, source_ref);

DROP VIEW intake_phone;
DROP VIEW intake_chat;
DROP VIEW intake_email;
DROP VIEW intake_social;
DROP VIEW intake_store;
DROP VIEW intake_webform;
DROP TABLE intake_wanted;
