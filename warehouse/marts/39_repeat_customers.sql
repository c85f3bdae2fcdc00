-- intermediate.repeat_customers: the customers whose repeats are decided again tonight, and from
-- which instant on (redecide_from): those whose links changed (intermediate.customers_changed, old
-- and new ids) or who hold a changed complaint (intermediate.marts_changed).
-- A complaint's repeat is decided among its customer's earlier complaints, so a customer who only
-- gained complaints, or had some corrected, keeps the repeats decided before the first of them.
-- A customer merged, split or renamed tonight (intermediate.customers_merged, written with the
-- links by flows/metrics/identity.py) is decided again over its whole history ('-infinity'), as
-- is one holding a changed complaint without a received time.
CREATE OR REPLACE TABLE intermediate.repeat_customers AS
WITH first_changed AS (
    SELECT l.customer_id, min(c.received_at) AS first_at,
           bool_or(c.received_at IS NULL) AS undated
    FROM core.customer_links l
    JOIN core.complaints c USING (complaint_id)
    SEMI JOIN intermediate.marts_changed USING (complaint_id)
    GROUP BY l.customer_id
),
customers AS (
    SELECT customer_id FROM intermediate.customers_changed
    UNION
    SELECT customer_id FROM first_changed
)
SELECT c.customer_id,
       CASE WHEN f.first_at IS NULL OR f.undated
                 OR c.customer_id IN (SELECT m.customer_id FROM intermediate.customers_merged m)
            THEN '-infinity'::TIMESTAMPTZ
            ELSE f.first_at END AS redecide_from
FROM customers c
LEFT JOIN first_changed f USING (customer_id);
