-- stg.intake: every channel's complaint records in one shape, one row per channel record.
CREATE OR REPLACE VIEW stg.intake AS
SELECT channel, source_ref, received_at, first_response_at, phone, email, member_no, social_id,
       app_user_id, order_no, customer_name, description, demand, _source_file, _row_number
FROM stg.phone_calls
UNION ALL BY NAME SELECT channel, source_ref, received_at, first_response_at, phone, email,
       member_no, social_id, app_user_id, order_no, customer_name, description, demand,
       _source_file, _row_number FROM stg.chat_sessions
UNION ALL BY NAME SELECT channel, source_ref, received_at, first_response_at, phone, email,
       member_no, social_id, app_user_id, order_no, customer_name, description, demand,
       _source_file, _row_number FROM stg.email_complaints
UNION ALL BY NAME SELECT channel, source_ref, received_at, first_response_at, phone, email,
       member_no, social_id, app_user_id, order_no, customer_name, description, demand,
       _source_file, _row_number FROM stg.social_mentions
UNION ALL BY NAME SELECT channel, source_ref, received_at, first_response_at, phone, email,
       member_no, social_id, app_user_id, order_no, customer_name, description, demand,
       _source_file, _row_number FROM stg.store_registers
UNION ALL BY NAME SELECT channel, source_ref, received_at, first_response_at, phone, email,
       member_no, social_id, app_user_id, order_no, customer_name, description, demand,
       _source_file, _row_number FROM stg.webform_submissions;
