-- raw.ticket_events: one row per lifecycle event in the ticket system's export. The ticket
-- system is the complaint register: ticket_no is the complaint id (YYYYMM-NNNNN), and its
-- `registered` event links the ticket to the channel record (channel, source_ref) and carries
-- the classification (category, urgency, priority, department).
CREATE TABLE IF NOT EXISTS raw.ticket_events (
    event_id       VARCHAR,
    ticket_no      VARCHAR,
    event          VARCHAR,
    occurred_at    VARCHAR,
    operator       VARCHAR,
    department     VARCHAR,
    category       VARCHAR,
    urgency        VARCHAR,
    priority       VARCHAR,
    channel        VARCHAR,
    source_ref     VARCHAR,
    note           VARCHAR,
    _source_file   VARCHAR NOT NULL,
    _row_number    INTEGER NOT NULL,
    _file_sha256   VARCHAR NOT NULL,
    _load_id       VARCHAR NOT NULL,
    _loaded_at     TIMESTAMPTZ NOT NULL
);
