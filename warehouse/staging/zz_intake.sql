-- stg.intake: every channel's complaint records in one shape, one row per channel record.
-- The phone number as given, not normalised: core normalises it (tousu_phone_e164, a Python
-- function) only for the records it writes, after they are joined, so a night that updates a
-- few complaints does not normalise every number ever loaded.
CREATE OR REPLACE VIEW stg.intake AS
SELECT channel, source_ref, received_at, first_response_at, phone_as_given, email,
       member_no, social_id, app_user_id, order_no, customer_name, description, demand,
       _source_file, _row_number, _load_id
FROM stg.phone_calls
UNION ALL BY NAME SELECT channel, source_ref, received_at, first_response_at, phone_as_given, email,
       member_no, social_id, app_user_id, order_no, customer_name, description, demand,
       _source_file, _row_number, _load_id FROM stg.chat_sessions
UNION ALL BY NAME SELECT channel, source_ref, received_at, first_response_at, phone_as_given, email,
       member_no, social_id, app_user_id, order_no, customer_name, description, demand,
       _source_file, _row_number, _load_id FROM stg.email_complaints
UNION ALL BY NAME SELECT channel, source_ref, received_at, first_response_at, phone_as_given, email,
       member_no, social_id, app_user_id, order_no, customer_name, description, demand,
       _source_file, _row_number, _load_id FROM stg.social_mentions
UNION ALL BY NAME SELECT channel, source_ref, received_at, first_response_at, phone_as_given, email,
       member_no, social_id, app_user_id, order_no, customer_name, description, demand,
       _source_file, _row_number, _load_id FROM stg.store_registers
UNION ALL BY NAME SELECT channel, source_ref, received_at, first_response_at, phone_as_given, email,
       member_no, social_id, app_user_id, order_no, customer_name, description, demand,
       _source_file, _row_number, _load_id FROM stg.webform_submissions;
