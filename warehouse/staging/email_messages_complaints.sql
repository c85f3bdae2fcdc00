-- stg.email_complaints: one row per complaint received by email (a message that answers nothing),
-- with its first response: the earliest message in reply to it from someone other than the
-- complainant (stg.email_messages).
CREATE OR REPLACE MACRO stg.email_complaints_of(records) AS TABLE
WITH complaints AS (
    SELECT * FROM stg.email_messages_of(records) WHERE in_reply_to IS NULL
),
first_replies AS (
    SELECT c.message_id, min(r.sent_at) AS first_response_at
    FROM complaints c
    JOIN stg.email_messages_of(records) r
      ON r.in_reply_to = c.message_id AND r.from_address IS DISTINCT FROM c.from_address
    GROUP BY c.message_id
)
SELECT
    'email'                                                     AS channel,
    c.message_id                                                AS source_ref,
    c.sent_at                                                   AS received_at,
    f.first_response_at,
    regexp_extract(c.body, '(?:电话|手机|Tel|Phone)[：:]\s*([+\d][\d \-]{6,})', 1)
                                                                AS phone_as_given,
    tousu_phone_e164(regexp_extract(c.body, '(?:电话|手机|Tel|Phone)[：:]\s*([+\d][\d \-]{6,})', 1))
                                                                AS phone,
    c.from_address                                              AS email,
    nullif(regexp_extract(c.body, '会员(?:号|卡号)[：:]\s*(\w+)', 1), '') AS member_no,
    NULL::VARCHAR                                       AS social_id,
    NULL::VARCHAR                                       AS app_user_id,
    NULL::VARCHAR                                       AS order_no,
    c.from_name                                                 AS customer_name,
    stg.blank_to_null(c.body)                                   AS description,
    NULL::VARCHAR                                       AS demand,
    stg.blank_to_null(c.date_header)                            AS received_at_as_given,
    c._source_file, c._row_number, c._load_id
FROM complaints c
LEFT JOIN first_replies f USING (message_id);

CREATE OR REPLACE VIEW stg.email_complaints AS
FROM stg.email_complaints_of('raw.email_messages');
