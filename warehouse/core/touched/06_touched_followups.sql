-- intermediate.core_touched_followups: the satisfaction follow-ups (versions in force) of the
-- complaints the core build writes again, for core.satisfaction and ops.pending_links. Joined
-- on the ticket number as stored, so the follow-ups of other complaints are dropped before
-- staging types them (05_touched_events.sql says why, and why each branch names its
-- columns). Dropped when the build ends.
CREATE OR REPLACE TABLE intermediate.core_touched_followups AS
SELECT followup_id, complaint_id, followed_up_at, method, result, comment, _source_file,
       _row_number
FROM stg.satisfaction_followups
WHERE ticket_no_as_given IN (SELECT complaint_id FROM intermediate.core_touched)
UNION ALL
SELECT followup_id, complaint_id, followed_up_at, method, result, comment, _source_file,
       _row_number
FROM stg.satisfaction_followups
WHERE stg.trim_changes(ticket_no_as_given)
  AND complaint_id IN (SELECT complaint_id FROM intermediate.core_touched);
