-- core.satisfaction: one row per satisfaction follow-up of a complaint in core.complaints.
-- answered is false when the customer was not reached (未回访成功); score is 5 (非常满意) to
-- 1 (非常不满意); satisfied means 满意 or 非常满意.
CREATE OR REPLACE TABLE core.satisfaction AS
SELECT
    f.followup_id,
    f.complaint_id,
    f.followed_up_at,
    f.method,
    f.result,
    f.result <> '未回访成功'                                   AS answered,
    CASE f.result WHEN '非常满意' THEN 5 WHEN '满意' THEN 4 WHEN '一般' THEN 3
                  WHEN '不满意' THEN 2 WHEN '非常不满意' THEN 1 END AS score,
    f.result IN ('满意', '非常满意')                           AS satisfied,
    f.comment,
    f._source_file AS source_file,
    f._row_number  AS source_row_number
FROM stg.satisfaction_followups f
SEMI JOIN core.complaints c USING (complaint_id)
ORDER BY f.complaint_id, f.followed_up_at;
