-- mart.repeat_chains: one row per complaint in a chain of repeats: the first complaint
-- (position 0) and each repeat after it, across channels.
-- Kept across nights: a chain is one customer's, so only the chains of the customers whose chains
-- can differ are written again (chain_customers), not of every customer whose repeats were
-- decided again (most only gained a complaint that repeats none): those holding a complaint whose
-- repeat or coming back changed (intermediate.repeat_changed, 41_repeat_changed.sql), a changed
-- complaint in a chain (intermediate.marts_changed: a chain shows its channel and category; one
-- that left a chain changed its repeat or coming back), and those merged, split or renamed
-- (intermediate.customers_merged, old and new ids).
CREATE OR REPLACE TEMP TABLE chain_customers AS
SELECT l.customer_id FROM core.customer_links l
WHERE l.complaint_id IN (SELECT complaint_id FROM intermediate.repeat_changed)
   OR l.complaint_id IN (
       SELECT m.complaint_id FROM intermediate.marts_changed m
       WHERE m.complaint_id IN (SELECT r.previous_complaint_id FROM mart.repeat_complaints r)
          OR m.complaint_id IN (SELECT r.complaint_id FROM mart.repeat_complaints r
                                WHERE r.previous_complaint_id IS NOT NULL)
   )
UNION
SELECT customer_id FROM intermediate.customers_merged;

-- A chain's customer and each step's days come with its repeats (mart.repeat_complaints), not
-- from a join with every complaint's link (2.0 s of this model's 2.9 s on the
-- 9,000,000-complaint history). A chain's first complaint repeats none within it: no days.
CREATE OR REPLACE TEMP VIEW changed_repeat_chains AS
WITH RECURSIVE links AS (
    SELECT complaint_id, previous_complaint_id, customer_id, days_since_previous
    FROM mart.repeat_complaints
    SEMI JOIN chain_customers USING (customer_id)
    WHERE previous_complaint_id IS NOT NULL
),
chain(chain_id, customer_id, complaint_id, position, days_since_previous) AS (
    -- the chain's first complaint is its own chain id
    SELECT DISTINCT l.previous_complaint_id, l.customer_id, l.previous_complaint_id,  -- noqa: AL08
                    0, NULL::BIGINT  -- noqa: AL08
    FROM links l ANTI JOIN links r ON r.complaint_id = l.previous_complaint_id
    UNION ALL
    SELECT chain.chain_id, chain.customer_id, l.complaint_id, chain.position + 1,
           l.days_since_previous
    FROM chain JOIN links l ON l.previous_complaint_id = chain.complaint_id
)
SELECT ch.chain_id, ch.customer_id, ch.position, ch.complaint_id, c.channel, c.category,
       c.department, c.received_at, ch.days_since_previous,
       count(*) OVER (PARTITION BY ch.chain_id)                                 AS chain_length,
       count(DISTINCT c.channel) OVER (PARTITION BY ch.chain_id)                AS channels_in_chain
FROM chain ch
JOIN core.complaints c USING (complaint_id);

CREATE TABLE IF NOT EXISTS mart.repeat_chains AS
SELECT * FROM changed_repeat_chains LIMIT 0;  -- noqa: AM09

DELETE FROM mart.repeat_chains
WHERE customer_id IN (SELECT customer_id FROM chain_customers);

INSERT INTO mart.repeat_chains BY NAME
SELECT * FROM changed_repeat_chains ORDER BY chain_id, position;
