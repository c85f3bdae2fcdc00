-- raw.social_mentions: one row per post mentioning the brand in the platform's JSON export,
-- with the replies under it (JSON array of {id, created_at, user, is_brand, text}).
CREATE TABLE IF NOT EXISTS raw.social_mentions (
    mention_id     VARCHAR,
    platform       VARCHAR,
    created_at     VARCHAR,
    user_id        VARCHAR,
    screen_name    VARCHAR,
    text           VARCHAR,
    comments       JSON,
    _source_file   VARCHAR NOT NULL,
    _row_number    INTEGER NOT NULL,
    _file_sha256   VARCHAR NOT NULL,
    _load_id       VARCHAR NOT NULL,
    _loaded_at     TIMESTAMPTZ NOT NULL
);
