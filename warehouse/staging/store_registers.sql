-- stg.store_registers: one row per store register line. In a store the complaint is answered
-- face to face, so the ticket system's first_response event is the response evidence.
CREATE OR REPLACE MACRO stg.store_registers_of(records) AS TABLE
SELECT
    'store'                                      AS channel,
    stg.blank_to_null(register_no)               AS source_ref,
    stg.excel_or_iso_local_time(registered_at)   AS received_at,
    NULL::TIMESTAMPTZ                    AS first_response_at,
    stg.blank_to_null(phone)                     AS phone_as_given,
    tousu_phone_e164(phone)                      AS phone,
    NULL::VARCHAR                        AS email,
    stg.blank_to_null(member_no)                 AS member_no,
    NULL::VARCHAR                        AS social_id,
    NULL::VARCHAR                        AS app_user_id,
    NULL::VARCHAR                        AS order_no,
    stg.blank_to_null(customer_name)             AS customer_name,
    stg.blank_to_null(description)               AS description,
    stg.blank_to_null(demand)                    AS demand,
    stg.blank_to_null(registered_at)             AS received_at_as_given,
    stg.blank_to_null(store)                     AS store,
    _source_file, _row_number, _load_id
FROM query_table(records)
WHERE _superseded_by IS NULL;

CREATE OR REPLACE VIEW stg.store_registers AS FROM stg.store_registers_of('raw.store_registers');
