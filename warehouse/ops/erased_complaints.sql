-- ops.erased_complaints: one row per complaint whose person's data was erased on request
-- (`tousu privacy erase`, warehouse/erasure.py). The erased identifiers are gone from raw, core
-- and quarantine; customer_key stands in for them (core.complaints.source_customer_id), so the
-- person's complaints stay one customer and repeat figures do not change. Neither the key the
-- request named nor any other personal value is kept here.
CREATE TABLE IF NOT EXISTS ops.erased_complaints (
    complaint_id  VARCHAR NOT NULL,
    customer_key  VARCHAR NOT NULL,   -- 'erased:<request id>'
    request_id    VARCHAR NOT NULL,
    erased_at     TIMESTAMPTZ NOT NULL
);
