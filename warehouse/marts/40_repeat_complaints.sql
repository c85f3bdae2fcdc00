-- mart.repeat_complaints: one row per complaint that is a repeat: the same customer (see
-- core.customers) complained about the same category, the same order or the same product, within
-- repeat_window_days (counted in local calendar days: day 30 is in, day 31 is out) after an
-- earlier complaint; or the complaint was reopened. previous_complaint_id is the latest such
-- earlier complaint.
-- Kept across nights: only the repeats of intermediate.repeat_customers (39_repeat_customers.sql)
-- received from their redecide_from on are decided again, among the complaints from the repeat
-- window (and a day, for the local day) before it: an earlier complaint is never within the window
-- of one decided again. A ten-year customer's new complaint does not decide again the repeats of
-- its ten years (1,821,289 complaints of 84,767 customers for one month on the
-- 9,000,000-complaint history: 6.8 s).
CREATE OR REPLACE TEMP VIEW changed_repeat_complaints AS
WITH tz AS (SELECT stg.reporting_tz() AS tz),
c AS (
    SELECT c.complaint_id, l.customer_id, c.channel, c.category, c.department, c.order_no,
           c.product,
           c.received_at, (c.received_at AT TIME ZONE (SELECT tz FROM tz))::DATE AS received_day,
           c.reopen_count,
           c.received_at IS NULL OR c.received_at >= r.redecide_from AS decided_again
    FROM core.complaints c JOIN core.customer_links l USING (complaint_id)
    JOIN intermediate.repeat_customers r ON r.customer_id = l.customer_id
    WHERE c.received_at IS NULL
       OR c.received_at >= r.redecide_from
                           - to_days(getvariable('repeat_window_days')::INTEGER + 1)
),
-- the latest earlier complaint of the same customer with the same category, order and product:
-- each the one before it in its own time order (a window, not a join of every two complaints of
-- a customer, which grows with the square of a long-lived customer's complaints)
latest AS (
    SELECT complaint_id,
           unnest([
               CASE WHEN category IS NOT NULL THEN lag(complaint_id) OVER (
                   PARTITION BY customer_id, category ORDER BY received_at, complaint_id) END,
               CASE WHEN order_no IS NOT NULL THEN lag(complaint_id) OVER (
                   PARTITION BY customer_id, order_no ORDER BY received_at, complaint_id) END,
               CASE WHEN product IS NOT NULL THEN lag(complaint_id) OVER (
                   PARTITION BY customer_id, product ORDER BY received_at, complaint_id) END
           ]) AS previous_complaint_id
    FROM c
),
earlier AS (
    SELECT n.complaint_id, o.complaint_id AS previous_complaint_id,
           o.channel AS previous_channel, n.received_day - o.received_day AS days_since_previous,
           CASE WHEN n.order_no IS NOT NULL AND n.order_no = o.order_no THEN 'same_order'
                WHEN o.category = n.category THEN 'same_category'
                ELSE 'same_product' END AS matched_on
    FROM latest p
    JOIN c n ON n.complaint_id = p.complaint_id
    JOIN c o ON o.complaint_id = p.previous_complaint_id
    WHERE n.received_day - o.received_day <= getvariable('repeat_window_days')
    QUALIFY row_number() OVER (PARTITION BY n.complaint_id
                               ORDER BY o.received_at DESC, o.complaint_id DESC) = 1
)
SELECT c.complaint_id, c.customer_id, c.channel, c.department, c.category, c.received_at,
       e.previous_complaint_id, e.previous_channel, e.days_since_previous,
       CASE WHEN e.previous_complaint_id IS NULL THEN 'reopened' ELSE e.matched_on END
           AS repeat_reason,
       c.reopen_count
FROM c LEFT JOIN earlier e USING (complaint_id)
WHERE c.decided_again AND (e.previous_complaint_id IS NOT NULL OR c.reopen_count > 0);

CREATE TABLE IF NOT EXISTS mart.repeat_complaints AS
SELECT * FROM changed_repeat_complaints LIMIT 0;  -- noqa: AM09

-- the repeats of the customers decided again, as they were (and those of complaints gone from
-- core): 41_repeat_changed.sql compares them with the repeats after
CREATE OR REPLACE TEMP TABLE repeats_before AS
SELECT complaint_id, previous_complaint_id FROM mart.repeat_complaints
WHERE customer_id IN (SELECT customer_id FROM intermediate.repeat_customers)
   OR complaint_id IN (SELECT complaint_id FROM intermediate.marts_changed);

DELETE FROM mart.repeat_complaints t
WHERE t.complaint_id IN (SELECT complaint_id FROM intermediate.marts_changed)
   OR EXISTS (SELECT 1 FROM intermediate.repeat_customers r
              WHERE r.customer_id = t.customer_id
                AND (t.received_at IS NULL OR t.received_at >= r.redecide_from));

INSERT INTO mart.repeat_complaints BY NAME
SELECT * FROM changed_repeat_complaints ORDER BY complaint_id;
