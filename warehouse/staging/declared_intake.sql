-- stg.declared_intake: declared sources' records, the customer's name masked as the register
-- shows it. flows/byo/source.py adds one view per declared source (stg.declared_<source>).
CREATE OR REPLACE VIEW stg.declared_intake AS
SELECT * EXCLUDE (customer_name, _superseded_by), stg.mask_name(customer_name) AS customer_name_masked
FROM raw.declared_intake
WHERE _superseded_by IS NULL;
