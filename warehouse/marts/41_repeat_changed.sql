-- intermediate.repeat_changed: the complaints whose repeat, or whose coming back (a repeat naming
-- them), changed tonight: mart.repeat_rate_monthly counts their months again
CREATE OR REPLACE TABLE intermediate.repeat_changed AS
WITH repeats_now AS (
    SELECT complaint_id, previous_complaint_id FROM mart.repeat_complaints
    WHERE customer_id IN (SELECT customer_id FROM intermediate.repeat_customers)
),
differ AS (
    -- repeats_before: the repeats decided again, as they were (40_repeat_complaints.sql)
    (SELECT * FROM repeats_now EXCEPT SELECT * FROM repeats_before)
    UNION
    (SELECT * FROM repeats_before EXCEPT SELECT * FROM repeats_now)
)
SELECT complaint_id FROM differ
UNION
SELECT previous_complaint_id FROM differ WHERE previous_complaint_id IS NOT NULL;
