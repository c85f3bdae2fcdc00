-- stg.webform_submissions: one row per web form submission (times delivered in UTC).
CREATE OR REPLACE MACRO stg.webform_submissions_of(records) AS TABLE
SELECT
    'webform'                                    AS channel,
    stg.blank_to_null(submission_id)             AS source_ref,
    try_cast(trim(submitted_at) AS TIMESTAMPTZ)  AS received_at,
    NULL::TIMESTAMPTZ                    AS first_response_at,
    stg.blank_to_null(phone)                     AS phone_as_given,
    tousu_phone_e164(phone)                      AS phone,
    lower(stg.blank_to_null(email))              AS email,
    stg.blank_to_null(member_no)                 AS member_no,
    NULL::VARCHAR                        AS social_id,
    NULL::VARCHAR                        AS app_user_id,
    stg.blank_to_null(order_no)                  AS order_no,
    stg.blank_to_null(name)                      AS customer_name,
    stg.blank_to_null(message)                   AS description,
    stg.blank_to_null(expectation)               AS demand,
    stg.blank_to_null(submitted_at)              AS received_at_as_given,
    _source_file, _row_number, _load_id
FROM query_table(records)
WHERE _superseded_by IS NULL;

CREATE OR REPLACE VIEW stg.webform_submissions AS FROM stg.webform_submissions_of('raw.webform_submissions');
