-- What people did in the review app and with the `tousu` command that touches personal data:
-- sign-ins (and failed ones), exports, unmasked record views, plan changes, acknowledgements,
-- user changes, erasures. Append only: warehouse/audit.py only inserts, and each row carries the
-- hash of the row before it, so an edited or deleted row breaks the chain (audit.verify says
-- where).
CREATE TABLE IF NOT EXISTS access.audit_log (
    seq        BIGINT PRIMARY KEY,           -- 1, 2, 3, ... in the order written
    at_time    TIMESTAMPTZ NOT NULL,
    user_name  VARCHAR NOT NULL,             -- the signed-in user (or the name tried)
    action     VARCHAR NOT NULL,             -- sign_in | sign_in_failed | export | ... (audit.ACTIONS)
    target     VARCHAR,                      -- the record, table or file concerned
    detail     VARCHAR,                      -- JSON: the filter, the reason, the fields changed
    prev_hash  VARCHAR NOT NULL,
    row_hash   VARCHAR NOT NULL              -- sha256 of prev_hash and this row's fields
);
