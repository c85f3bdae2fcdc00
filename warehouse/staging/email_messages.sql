-- stg.email_messages: one row per email, typed. A complaint is a message that answers nothing
-- (no In-Reply-To); its first response is the earliest message in reply to it sent by someone
-- other than the complainant.
CREATE OR REPLACE MACRO stg.email_messages_of(records) AS TABLE
SELECT
    stg.blank_to_null(message_id)        AS message_id,
    stg.blank_to_null(in_reply_to)       AS in_reply_to,
    lower(stg.blank_to_null(from_address)) AS from_address,
    stg.blank_to_null(from_name)         AS from_name,
    subject,
    try_cast(sent_at AS TIMESTAMPTZ)     AS sent_at,
    date_header,
    stg.blank_to_null(body)              AS body,
    _source_file, _row_number, _load_id
FROM query_table(records)
WHERE _superseded_by IS NULL;

CREATE OR REPLACE VIEW stg.email_messages AS FROM stg.email_messages_of('raw.email_messages');
