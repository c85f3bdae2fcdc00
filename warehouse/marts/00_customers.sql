-- core.customers: one row per customer (core.customer_links, written just before from Python by
-- flows/metrics/identity.py: complaints linked by any identifier they share): first and last
-- complaint, number of complaints, channels, and every identifier seen.
CREATE OR REPLACE TABLE core.customers AS
SELECT l.customer_id,
       min(c.received_at)                                   AS first_complaint_at,
       max(c.received_at)                                   AS last_complaint_at,
       count(*)                                             AS complaints,
       list_sort(list_distinct(list(c.channel)))            AS channels,
       list_sort(list_distinct(list(c.phone)))              AS phones,
       list_sort(list_distinct(list(c.email)))              AS emails,
       list_sort(list_distinct(list(c.member_no)))          AS member_nos,
       list_sort(list_distinct(list(c.social_id)))          AS social_ids,
       list_sort(list_distinct(list(c.app_user_id)))        AS app_user_ids,
       list_sort(list_distinct(list(c.source_customer_id))) AS source_customer_ids
FROM core.customer_links l JOIN core.complaints c USING (complaint_id)
GROUP BY l.customer_id
ORDER BY l.customer_id;
