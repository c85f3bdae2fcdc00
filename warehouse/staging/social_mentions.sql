-- stg.social_mentions: one row per post mentioning the brand; first response is the brand's
-- earliest reply under it. Times are in the platform's format: "Tue Nov 04 07:47:33 +0800 2025".
-- Each post's comments are read within its row (list expressions), not unnested and grouped
-- again: a query that wants some posts (core's, by load) does not group every comment first.
CREATE OR REPLACE MACRO stg.social_mentions_of(records) AS TABLE
WITH mentions AS (
    SELECT *,
           list_min([try_strptime(x.created_at, '%a %b %d %H:%M:%S %z %Y')
                     FOR x IN from_json(comments,
                                        '[{"created_at": "VARCHAR", "is_brand": "BOOLEAN"}]')
                     IF x.is_brand])                                     AS first_brand_reply_at
    FROM query_table(records)
    WHERE _superseded_by IS NULL
)
SELECT
    'social'                                                   AS channel,
    stg.blank_to_null(m.mention_id)                            AS source_ref,
    try_strptime(m.created_at, '%a %b %d %H:%M:%S %z %Y')      AS received_at,
    m.first_brand_reply_at                                     AS first_response_at,
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
FROM mentions m;

CREATE OR REPLACE VIEW stg.social_mentions AS FROM stg.social_mentions_of('raw.social_mentions');
