-- intermediate.marts_changed: the complaints core wrote again since the marts' last build
-- (intermediate.marts_pending, which each core build adds its touched complaints to), which the
-- kept marts are updated for. A build in full counts every complaint as changed
-- (warehouse.db.start_marts_again).
CREATE OR REPLACE TABLE intermediate.marts_changed AS
SELECT DISTINCT complaint_id FROM intermediate.marts_pending;
