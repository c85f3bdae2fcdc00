-- raw.email_messages: one row per .eml file (a complaint, a reply, or a customer's follow-up),
-- headers decoded from their encoded words and the text body decoded from its charset.
-- sent_at is the Date header parsed by Python's RFC 5322 parser (ISO 8601 with offset).
CREATE TABLE IF NOT EXISTS raw.email_messages (
    message_id     VARCHAR,
    in_reply_to    VARCHAR,
    from_name      VARCHAR,
    from_address   VARCHAR,
    to_address     VARCHAR,
    subject        VARCHAR,
    date_header    VARCHAR,
    sent_at        VARCHAR,
    body           VARCHAR,
    charset        VARCHAR,
    _source_file   VARCHAR NOT NULL,
    _row_number    INTEGER NOT NULL,
    _file_sha256   VARCHAR NOT NULL,
    _load_id       VARCHAR NOT NULL,
    _loaded_at     TIMESTAMPTZ NOT NULL
);
