-- core.complaint_events: one row per lifecycle event of a complaint in core.complaints: the
-- ticket system's events, plus the first response read from the channel itself where the channel
-- has that evidence (event_source 'channel'). Not sorted: the events arrive month by month, so a
-- complaint's events already lie close together, and sorting 7.8 million rows (1,000,000
-- complaints) cost 40 % of the table's build.
-- Written for the touched complaints only, like core.complaints (10_complaints.sql).
CREATE OR REPLACE TEMP VIEW touched_complaint_events AS
SELECT
    e.complaint_id,
    e.event_id,
    e.event,
    e.occurred_at,
    e.operator,
    e.department,
    'ticket_system'   AS event_source,
    e._source_file    AS source_file,
    e._row_number     AS source_row_number
FROM intermediate.core_touched_events e
SEMI JOIN core.complaints USING (complaint_id)
UNION ALL
SELECT
    complaint_id,
    NULL,
    'first_response',
    first_response_at,
    NULL,
    NULL,
    'channel',
    source_file,
    source_row_number
FROM core.complaints
SEMI JOIN intermediate.core_touched USING (complaint_id)
WHERE first_response_source = 'channel';

-- (LIMIT 0: only the columns, for a full build)
CREATE TABLE IF NOT EXISTS core.complaint_events AS SELECT * FROM touched_complaint_events LIMIT 0;  -- noqa: AM09
DELETE FROM core.complaint_events
WHERE complaint_id IN (SELECT complaint_id FROM intermediate.core_touched);
INSERT INTO core.complaint_events BY NAME SELECT * FROM touched_complaint_events;
