-- stg.social_mentions: one row per post mentioning the brand; first response is the brand's
-- earliest reply under it. Times are in the platform's format: "Tue Nov 04 07:47:33 +0800 2025".
CREATE OR REPLACE VIEW stg.social_mentions AS
WITH replies AS (
    SELECT _load_id, _row_number,
           unnest(from_json(comments, '[{"created_at": "VARCHAR", "is_brand": "BOOLEAN"}]'),
                  recursive := TRUE)
    FROM raw.social_mentions
    WHERE _superseded_by IS NULL
),
first_brand_reply AS (
    SELECT _load_id, _row_number,
           min(try_strptime(created_at, '%a %b %d %H:%M:%S %z %Y')) FILTER (WHERE is_brand)
               AS first_response_at
    FROM replies
    GROUP BY ALL
)
SELECT
    'social'                                                   AS channel,
    stg.blank_to_null(m.mention_id)                            AS source_ref,
    try_strptime(m.created_at, '%a %b %d %H:%M:%S %z %Y')      AS received_at,
    r.first_response_at,
    NULL::VARCHAR                                      AS phone_as_given,
    NULL::VARCHAR                                      AS phone,
    NULL::VARCHAR                                      AS email,
    NULL::VARCHAR                                      AS member_no,
    m.platform || ':' || stg.blank_to_null(m.user_id)          AS social_id,
    NULL::VARCHAR                                      AS app_user_id,
    NULL::VARCHAR                                      AS order_no,
    stg.blank_to_null(m.screen_name)                           AS customer_name,
    stg.blank_to_null(m.text)                                  AS description,
    NULL::VARCHAR                                      AS demand,
    stg.blank_to_null(m.created_at)                            AS received_at_as_given,
    m._source_file, m._row_number, m._load_id
FROM raw.social_mentions m
LEFT JOIN first_brand_reply r USING (_load_id, _row_number)
WHERE m._superseded_by IS NULL;
