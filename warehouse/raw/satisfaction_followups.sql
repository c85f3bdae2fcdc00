-- raw.satisfaction_followups: one row per satisfaction follow-up the ticket system recorded,
-- result on the 5-level scale (非常满意 … 非常不满意) or 未回访成功 when the customer was not reached.
CREATE TABLE IF NOT EXISTS raw.satisfaction_followups (
    followup_id    VARCHAR,
    ticket_no      VARCHAR,
    followed_up_at VARCHAR,
    method         VARCHAR,
    result         VARCHAR,
    comment        VARCHAR,
    _source_file   VARCHAR NOT NULL,
    _row_number    INTEGER NOT NULL,
    _file_sha256   VARCHAR NOT NULL,
    _load_id       VARCHAR NOT NULL,
    _loaded_at     TIMESTAMPTZ NOT NULL
);
