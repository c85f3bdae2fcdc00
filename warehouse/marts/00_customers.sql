-- core.customers: one row per customer (core.customer_links, written just before from Python by
-- flows/metrics/identity.py: complaints linked by any identifier they share): first and last
-- complaint, number of complaints, channels, and every identifier seen.
-- Kept across nights: only the customers intermediate.customers_changed names (written with the
-- links: every customer on a first night or a recompute) are built again, from their links only.
CREATE OR REPLACE TEMP TABLE customers_to_build AS
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
FROM core.customer_links l
SEMI JOIN intermediate.customers_changed USING (customer_id)
JOIN core.complaints c USING (complaint_id)
GROUP BY l.customer_id;

CREATE TABLE IF NOT EXISTS core.customers AS SELECT * FROM customers_to_build LIMIT 0;  -- noqa: AM09
-- A table built by another version of this model cannot keep its rows: say so, do not mix.

SELECT stg.kept_table_matches('core.customers', 'main.customers_to_build') AS model_check;

DELETE FROM core.customers
WHERE customer_id IN (SELECT customer_id FROM intermediate.customers_changed);

INSERT INTO core.customers BY NAME
SELECT * FROM customers_to_build;
