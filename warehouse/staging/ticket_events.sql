-- stg.ticket_events: one row per lifecycle event, typed.
CREATE OR REPLACE VIEW stg.ticket_events AS
SELECT
    stg.blank_to_null(event_id)                  AS event_id,
    stg.blank_to_null(ticket_no)                 AS complaint_id,
    stg.blank_to_null(event)                     AS event,
    try_cast(trim(occurred_at) AS TIMESTAMPTZ)   AS occurred_at,
    stg.blank_to_null(operator)                  AS operator,
    stg.blank_to_null(department)                AS department,
    stg.blank_to_null(category)                  AS category,
    stg.blank_to_null(urgency)                   AS urgency,
    stg.blank_to_null(priority)                  AS priority,
    stg.blank_to_null(channel)                   AS channel,
    stg.blank_to_null(source_ref)                AS source_ref,
    source_ref                                   AS source_ref_as_given,
    stg.blank_to_null(note)                      AS note,
    occurred_at                                  AS occurred_at_as_given,
    ticket_no                                    AS ticket_no_as_given,
    _source_file, _row_number, _load_id
FROM raw.ticket_events
WHERE _superseded_by IS NULL;
