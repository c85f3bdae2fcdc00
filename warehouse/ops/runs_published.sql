-- ops.published_nights: the nights whose results readers got: published, with or without
-- files left waiting.
CREATE OR REPLACE VIEW ops.published_nights AS
SELECT * FROM ops.runs WHERE status IN ('succeeded', 'succeeded_with_failures');
