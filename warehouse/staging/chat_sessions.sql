-- stg.chat_sessions: one row per chat session. The complaint is received with the customer's
-- first message; the first response is the first message of a human agent (bot greetings do not
-- count as a response).
CREATE OR REPLACE VIEW stg.chat_sessions AS
WITH messages AS (
    SELECT _load_id, _row_number,
           unnest(from_json(messages, '[{"ts": "VARCHAR", "from": "VARCHAR", "text": "VARCHAR"}]'),
                  recursive := TRUE)
    FROM raw.chat_sessions
    WHERE _superseded_by IS NULL
),
per_session AS (
    SELECT _load_id, _row_number,
           min(try_cast(ts AS TIMESTAMPTZ)) FILTER (WHERE "from" = 'customer') AS received_at,
           min(try_cast(ts AS TIMESTAMPTZ)) FILTER (WHERE "from" = 'agent')    AS first_response_at,
           arg_min(text, ts) FILTER (WHERE "from" = 'customer')               AS description,
           count(*) FILTER (WHERE "from" = 'customer' AND try_cast(ts AS TIMESTAMPTZ) IS NULL)
                                                                              AS unparseable_times
    FROM messages
    GROUP BY ALL
)
SELECT
    'chat'                                   AS channel,
    stg.blank_to_null(s.session_id)          AS source_ref,
    p.received_at,
    p.first_response_at,
    stg.blank_to_null(s.phone)               AS phone_as_given,
    tousu_phone_e164(s.phone)                AS phone,
    NULL::VARCHAR                    AS email,
    stg.blank_to_null(s.member_no)           AS member_no,
    NULL::VARCHAR                    AS social_id,
    stg.blank_to_null(s.user_id)             AS app_user_id,
    NULL::VARCHAR                    AS order_no,
    stg.blank_to_null(s.nickname)            AS customer_name,
    stg.blank_to_null(p.description)         AS description,
    stg.blank_to_null(s.demand)              AS demand,
    stg.blank_to_null(s.started_at)          AS received_at_as_given,
    coalesce(p.unparseable_times, 0)         AS unparseable_times,
    s._source_file, s._row_number, s._load_id
FROM raw.chat_sessions s
LEFT JOIN per_session p USING (_load_id, _row_number)
WHERE s._superseded_by IS NULL;
