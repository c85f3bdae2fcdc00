-- stg.phone_calls: one row per call record, typed and normalised.
CREATE OR REPLACE MACRO stg.phone_calls_of(records) AS TABLE
SELECT
    'phone'                                              AS channel,
    stg.blank_to_null(call_id)                           AS source_ref,
    stg.local_time(called_at, '%Y/%m/%d %H:%M:%S')       AS received_at,
    stg.local_time(answered_at, '%Y/%m/%d %H:%M:%S')     AS first_response_at,
    stg.blank_to_null(caller_number)                     AS phone_as_given,
    tousu_phone_e164(caller_number)                      AS phone,
    NULL::VARCHAR                                AS email,
    stg.blank_to_null(member_no)                         AS member_no,
    NULL::VARCHAR                                AS social_id,
    NULL::VARCHAR                                AS app_user_id,
    NULL::VARCHAR                                AS order_no,
    stg.blank_to_null(customer_name)                     AS customer_name,
    stg.blank_to_null(description)                       AS description,
    stg.blank_to_null(demand)                            AS demand,
    stg.blank_to_null(called_at)                         AS received_at_as_given,
    _source_file, _row_number, _load_id
FROM query_table(records)
WHERE _superseded_by IS NULL;

CREATE OR REPLACE VIEW stg.phone_calls AS FROM stg.phone_calls_of('raw.phone_calls');
