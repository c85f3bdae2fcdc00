-- Acknowledged data-quality failures: a person marks a failing check of a source as known, with
-- a comment (why, and what is being done). Kept in this file for the same reason as the plans:
-- the review app writes it without waiting on the nightly writer. An acknowledgement covers the
-- check's failures from the night acknowledged until `until_date`; the failure still counts
-- (metrics stay provisional), it is just no longer news.
CREATE TABLE IF NOT EXISTS plans.dq_acknowledgements (
    source           VARCHAR NOT NULL,
    check_name       VARCHAR NOT NULL,
    run_id           VARCHAR NOT NULL,      -- the night whose failing result was acknowledged
    acknowledged_at  TIMESTAMPTZ NOT NULL,
    acknowledged_by  VARCHAR NOT NULL,
    comment          VARCHAR NOT NULL,
    until_date       DATE NOT NULL
);
