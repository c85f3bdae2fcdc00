-- mart.open_at_export: complaints a declared source reported open in an export that does not
-- speak for today (an archive export, or a source that stopped delivering), by source and the
-- instant they are known as of: open then, their fate since unknown.
CREATE OR REPLACE TABLE mart.open_at_export AS
SELECT c.register AS source, k.known_as_of, count(*) AS open_complaints,
       min(c.received_at) AS oldest_received_at
FROM core.complaints c JOIN mart.complaint_as_of k USING (complaint_id)
WHERE c.status <> 'closed' AND NOT k.current
GROUP BY ALL
ORDER BY ALL;
