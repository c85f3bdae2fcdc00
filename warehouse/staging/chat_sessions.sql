-- stg.chat_sessions: one row per chat session. The complaint is received with the customer's
-- first message; the first response is the first message of a human agent (bot greetings do not
-- count as a response).
-- Each session's messages are read within its row (list expressions), not unnested and grouped
-- again: a query that wants some sessions (core's, by load) does not group every message first.
CREATE OR REPLACE MACRO stg.chat_sessions_of(records) AS TABLE
WITH sessions AS (
    SELECT *,
           from_json(messages, '[{"ts": "VARCHAR", "from": "VARCHAR", "text": "VARCHAR"}]') AS m
    FROM query_table(records)
    WHERE _superseded_by IS NULL
),
per_session AS (
    SELECT *,
           list_min([try_cast(x.ts AS TIMESTAMPTZ) FOR x IN m IF x."from" = 'customer'])
                                                                         AS first_message_at,
           list_min([try_cast(x.ts AS TIMESTAMPTZ) FOR x IN m IF x."from" = 'agent'])
                                                                         AS first_agent_at,
           -- the earliest customer message's text (by its time as written; of two at one
           -- time, the one the export lists first)
           list_min([{'ts': x.ts, 'position': i, 'text': x.text} FOR x, i IN m
                     IF x."from" = 'customer' AND x.ts IS NOT NULL AND x.text IS NOT NULL]).text
                                                                         AS first_text,
           len([1 FOR x IN m
                IF x."from" = 'customer' AND try_cast(x.ts AS TIMESTAMPTZ) IS NULL])
                                                                         AS unparseable
    FROM sessions
)
SELECT
    'chat'                                   AS channel,
    stg.blank_to_null(s.session_id)          AS source_ref,
    s.first_message_at                       AS received_at,
    s.first_agent_at                         AS first_response_at,
    stg.blank_to_null(s.phone)               AS phone_as_given,
    tousu_phone_e164(s.phone)                AS phone,
    NULL::VARCHAR                    AS email,
    stg.blank_to_null(s.member_no)           AS member_no,
    NULL::VARCHAR                    AS social_id,
    stg.blank_to_null(s.user_id)             AS app_user_id,
    NULL::VARCHAR                    AS order_no,
    stg.blank_to_null(s.nickname)            AS customer_name,
    stg.blank_to_null(s.first_text)          AS description,
    stg.blank_to_null(s.demand)              AS demand,
    stg.blank_to_null(s.started_at)          AS received_at_as_given,
    coalesce(s.unparseable, 0)               AS unparseable_times,
    s._source_file, s._row_number, s._load_id
FROM per_session s;

CREATE OR REPLACE VIEW stg.chat_sessions AS FROM stg.chat_sessions_of('raw.chat_sessions');
