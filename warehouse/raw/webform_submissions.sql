-- raw.webform_submissions: one row per complaint form submitted on the website (CSV, UTF-8,
-- submitted_at in UTC).
CREATE TABLE IF NOT EXISTS raw.webform_submissions (
    submission_id  VARCHAR,
    submitted_at   VARCHAR,
    name           VARCHAR,
    phone          VARCHAR,
    email          VARCHAR,
    member_no      VARCHAR,
    order_no       VARCHAR,
    message        VARCHAR,
    expectation    VARCHAR,
    _source_file   VARCHAR NOT NULL,
    _row_number    INTEGER NOT NULL,
    _file_sha256   VARCHAR NOT NULL,
    _load_id       VARCHAR NOT NULL,
    _loaded_at     TIMESTAMPTZ NOT NULL
);
