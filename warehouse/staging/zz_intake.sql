-- stg.intake: every channel's complaint records in one shape, one row per channel record.
-- The phone number as given, not normalised: core normalises it (tousu_phone_e164, a Python
-- function) only for the records it writes, after they are joined, so a night that updates a
-- few complaints does not normalise every number ever loaded.
-- stg.intake_of: the same over other tables of the raw tables' columns, one per channel (core types
-- only the records it reads: warehouse/core/touched/07_touched_intake.sql). A macro's parameter
-- hides a column of its name, hence *_records.
CREATE OR REPLACE MACRO stg.intake_of(
    phone_records, chat_records, email_records, social_records, store_records, webform_records
) AS TABLE
SELECT channel, source_ref, received_at, first_response_at, phone_as_given, email,
       member_no, social_id, app_user_id, order_no, customer_name, description, demand,
       _source_file, _row_number, _load_id
FROM stg.phone_calls_of(phone_records)
UNION ALL BY NAME SELECT channel, source_ref, received_at, first_response_at, phone_as_given, email,
       member_no, social_id, app_user_id, order_no, customer_name, description, demand,
       _source_file, _row_number, _load_id FROM stg.chat_sessions_of(chat_records)
UNION ALL BY NAME SELECT channel, source_ref, received_at, first_response_at, phone_as_given, email,
       member_no, social_id, app_user_id, order_no, customer_name, description, demand,
       _source_file, _row_number, _load_id FROM stg.email_complaints_of(email_records)
UNION ALL BY NAME SELECT channel, source_ref, received_at, first_response_at, phone_as_given, email,
       member_no, social_id, app_user_id, order_no, customer_name, description, demand,
       _source_file, _row_number, _load_id FROM stg.social_mentions_of(social_records)
UNION ALL BY NAME SELECT channel, source_ref, received_at, first_response_at, phone_as_given, email,
       member_no, social_id, app_user_id, order_no, customer_name, description, demand,
       _source_file, _row_number, _load_id FROM stg.store_registers_of(store_records)
UNION ALL BY NAME SELECT channel, source_ref, received_at, first_response_at, phone_as_given, email,
       member_no, social_id, app_user_id, order_no, customer_name, description, demand,
       _source_file, _row_number, _load_id FROM stg.webform_submissions_of(webform_records);

CREATE OR REPLACE VIEW stg.intake AS
FROM stg.intake_of(
    'raw.phone_calls', 'raw.chat_sessions', 'raw.email_messages', 'raw.social_mentions',
    'raw.store_registers', 'raw.webform_submissions'
);
