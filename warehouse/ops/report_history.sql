-- ops.report_history: one row per monthly review pack file written by the monthly flow
-- (flows/report/flow.py): which month and language, where, its checksum, and the published
-- night it was built from, so a file on someone's desk can be traced to its data.
CREATE TABLE IF NOT EXISTS ops.report_history (
    month           DATE NOT NULL,
    lang            VARCHAR NOT NULL,
    file            VARCHAR NOT NULL,
    sha256          VARCHAR NOT NULL,
    published_night DATE,
    built_at        TIMESTAMPTZ NOT NULL,
    built_by        VARCHAR NOT NULL
);
