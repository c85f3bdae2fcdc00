-- ops.audit_anchors: the last row of the review app's audit log (access.audit_log in the app's
-- file) as each night found it. The log's hash chain shows a changed or deleted row; these
-- anchors, kept in the warehouse the app cannot write, also show rows cut from its end or a chain
-- written again from some row on (warehouse/audit.py, verify).
CREATE TABLE IF NOT EXISTS ops.audit_anchors (
    anchored_at  TIMESTAMPTZ NOT NULL,
    seq          BIGINT NOT NULL,
    row_hash     VARCHAR NOT NULL
);
