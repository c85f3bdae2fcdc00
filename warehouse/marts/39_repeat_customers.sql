-- intermediate.repeat_customers: the customers whose repeats are decided again tonight: a
-- complaint's repeat is decided among its customer's complaints, so those whose links changed
-- (intermediate.customers_changed, old and new ids) or who hold a changed complaint
-- (intermediate.marts_changed).
CREATE OR REPLACE TABLE intermediate.repeat_customers AS
SELECT customer_id FROM intermediate.customers_changed
UNION
SELECT l.customer_id FROM core.customer_links l
SEMI JOIN intermediate.marts_changed USING (complaint_id);
