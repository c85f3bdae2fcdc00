-- raw.chat_sessions: one row per chat session (a line of the chat system's JSON Lines export).
-- `messages` keeps the session's messages as delivered (JSON array of {ts, from, text}).
CREATE TABLE IF NOT EXISTS raw.chat_sessions (
    session_id     VARCHAR,
    entry          VARCHAR,
    started_at     VARCHAR,
    user_id        VARCHAR,
    nickname       VARCHAR,
    phone          VARCHAR,
    member_no      VARCHAR,
    demand         VARCHAR,
    messages       JSON,
    _source_file   VARCHAR NOT NULL,
    _row_number    INTEGER NOT NULL,
    _file_sha256   VARCHAR NOT NULL,
    _load_id       VARCHAR NOT NULL,
    _loaded_at     TIMESTAMPTZ NOT NULL
);
