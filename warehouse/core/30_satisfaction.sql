-- core.satisfaction: one row per satisfaction follow-up of a complaint in core.complaints.
-- answered is false when the customer was not reached (未回访成功); score (5 非常满意 to
-- 1 非常不满意) and satisfied (满意 or 非常满意) come from the scale, ref.satisfaction_levels.
-- A declared source that records satisfaction (fields.satisfaction) gives one follow-up per
-- complaint: followup_id '<source>:<record id>', at the closing time (else the receipt), method
-- 'source record'.
-- Written for the touched complaints only, like core.complaints (10_complaints.sql); not sorted.
CREATE OR REPLACE TEMP VIEW touched_satisfaction AS
WITH from_ticket_system AS (
SELECT
    f.followup_id,
    f.complaint_id,
    f.followed_up_at,
    f.method,
    f.result,
    f.result <> '未回访成功'                                   AS answered,
    s.score,
    coalesce(s.satisfied, FALSE)                             AS satisfied,
    f.comment,
    f._source_file AS source_file,
    f._row_number  AS source_row_number
FROM intermediate.core_touched_followups f
LEFT JOIN ref.satisfaction_levels s USING (result)
SEMI JOIN core.complaints USING (complaint_id)
),
declared AS (
SELECT
    d.source || ':' || d.source_ref                          AS followup_id,
    c.complaint_id,
    coalesce(d.closed_at, d.received_at)                     AS followed_up_at,
    'source record'                                          AS method,
    d.satisfaction                                           AS result,
    TRUE                                                     AS answered,
    s.score,
    coalesce(s.satisfied, FALSE)                             AS satisfied,
    NULL::VARCHAR                                    AS comment,
    d._source_file                                           AS source_file,
    d._row_number                                            AS source_row_number
FROM core.complaints c
SEMI JOIN intermediate.core_touched USING (complaint_id)
JOIN stg.declared_intake d
  ON d.source = c.register AND d._source_file = c.source_file
 AND d._row_number = c.source_row_number
LEFT JOIN ref.satisfaction_levels s ON s.result = d.satisfaction
WHERE d.satisfaction IS NOT NULL
)
SELECT * FROM from_ticket_system
UNION ALL BY NAME
SELECT * FROM declared;

-- (LIMIT 0: only the columns, for a full build)
CREATE TABLE IF NOT EXISTS core.satisfaction AS SELECT * FROM touched_satisfaction LIMIT 0;  -- noqa: AM09
DELETE FROM core.satisfaction
WHERE complaint_id IN (SELECT complaint_id FROM intermediate.core_touched);
INSERT INTO core.satisfaction BY NAME SELECT * FROM touched_satisfaction;
