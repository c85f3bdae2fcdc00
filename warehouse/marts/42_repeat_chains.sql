-- mart.repeat_chains: one row per complaint in a chain of repeats: the first complaint
-- (position 0) and each repeat after it, across channels.
-- Kept across nights: a chain is one customer's, so only the chains of the customers whose
-- repeats were decided again (intermediate.repeat_customers, 39_repeat_customers.sql) are
-- written again.
CREATE OR REPLACE TEMP VIEW changed_repeat_chains AS
WITH RECURSIVE links AS (
    SELECT complaint_id, previous_complaint_id FROM mart.repeat_complaints
    SEMI JOIN intermediate.repeat_customers USING (customer_id)
    WHERE previous_complaint_id IS NOT NULL
),
chain(chain_id, complaint_id, position) AS (
    -- the chain's first complaint is its own chain id
    SELECT DISTINCT l.previous_complaint_id, l.previous_complaint_id, 0  -- noqa: AL08
    FROM links l ANTI JOIN links r ON r.complaint_id = l.previous_complaint_id
    UNION ALL
    SELECT chain.chain_id, l.complaint_id, chain.position + 1
    FROM chain JOIN links l ON l.previous_complaint_id = chain.complaint_id
)
SELECT ch.chain_id, l.customer_id, ch.position, ch.complaint_id, c.channel, c.category,
       c.department, c.received_at, r.days_since_previous,
       count(*) OVER (PARTITION BY ch.chain_id)                                 AS chain_length,
       count(DISTINCT c.channel) OVER (PARTITION BY ch.chain_id)                AS channels_in_chain
FROM chain ch
JOIN core.complaints c USING (complaint_id)
JOIN core.customer_links l USING (complaint_id)
LEFT JOIN mart.repeat_complaints r USING (complaint_id);

CREATE TABLE IF NOT EXISTS mart.repeat_chains AS
SELECT * FROM changed_repeat_chains LIMIT 0;  -- noqa: AM09

DELETE FROM mart.repeat_chains
WHERE customer_id IN (SELECT customer_id FROM intermediate.repeat_customers);

INSERT INTO mart.repeat_chains BY NAME
SELECT * FROM changed_repeat_chains ORDER BY chain_id, position;
