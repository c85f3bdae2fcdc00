-- stg.satisfaction_followups: one row per follow-up, typed (local times without offset).
CREATE OR REPLACE VIEW stg.satisfaction_followups AS
SELECT
    stg.blank_to_null(followup_id)                          AS followup_id,
    stg.blank_to_null(ticket_no)                            AS complaint_id,
    stg.local_time(followed_up_at, '%Y-%m-%d %H:%M')        AS followed_up_at,
    stg.blank_to_null(method)                               AS method,
    stg.blank_to_null(result)                               AS result,
    stg.blank_to_null(comment)                              AS comment,
    followed_up_at                                          AS followed_up_at_as_given,
    ticket_no                                               AS ticket_no_as_given,
    _source_file, _row_number, _load_id
FROM raw.satisfaction_followups
WHERE _superseded_by IS NULL;
