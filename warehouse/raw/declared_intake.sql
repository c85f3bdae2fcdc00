-- raw.declared_intake: one row per record of a source declared by a mapping file
-- (warehouse/sources/*.yml, or TOUSU_SOURCES_DIR), already mapped onto the intake schema by
-- flows/byo/transform.py. Each mapped field keeps its value as given beside it (`*_as_given`),
-- and `record` keeps the whole record as delivered (JSON), so nothing of the export is lost.
CREATE TABLE IF NOT EXISTS raw.declared_intake (
    source                      VARCHAR NOT NULL,   -- the mapping's `source`
    complaint_id                VARCHAR,            -- from the mapping's complaint_id template
    record_id_as_given          VARCHAR,
    source_ref                  VARCHAR,            -- the record id, cleaned ("3.0" -> "3")
    channel_as_given            VARCHAR,
    channel                     VARCHAR,
    customer_name               VARCHAR,
    phone_as_given              VARCHAR,
    phone                       VARCHAR,            -- E.164 (libphonenumber, the mapping's region)
    email                       VARCHAR,
    member_no                   VARCHAR,
    customer_id                 VARCHAR,
    order_no                    VARCHAR,
    category_as_given           VARCHAR,
    category                    VARCHAR,
    problem                     VARCHAR,
    product_as_given            VARCHAR,
    product                     VARCHAR,
    department                  VARCHAR,
    urgency_as_given            VARCHAR,
    urgency                     VARCHAR,
    priority_as_given           VARCHAR,
    priority                    VARCHAR,
    description                 VARCHAR,
    demand                      VARCHAR,
    status_as_given             VARCHAR,
    status                      VARCHAR,
    satisfaction_as_given       VARCHAR,
    satisfaction                VARCHAR,
    received_at_as_given        VARCHAR,
    received_at                 TIMESTAMPTZ,
    received_time_known         BOOLEAN,            -- false: a date only, or a 00:00:00 placeholder
    first_response_at_as_given  VARCHAR,
    first_response_at           TIMESTAMPTZ,
    closed_at_as_given          VARCHAR,
    closed_at                   TIMESTAMPTZ,
    due_at_as_given             VARCHAR,
    due_at                      TIMESTAMPTZ,
    sla_met_as_given            VARCHAR,
    sla_met                     BOOLEAN,
    sla_start_as_given          VARCHAR,
    sla_start_at                TIMESTAMPTZ,
    export_as_of                TIMESTAMPTZ,        -- when the export was taken (mapping as_of)
    record                      VARCHAR NOT NULL,
    _source_file                VARCHAR NOT NULL,
    _row_number                 INTEGER NOT NULL,
    _file_sha256                VARCHAR NOT NULL,
    _load_id                    VARCHAR NOT NULL,
    _loaded_at                  TIMESTAMPTZ NOT NULL
);
-- Warehouses created before the mapping's as_of existed.
ALTER TABLE raw.declared_intake ADD COLUMN IF NOT EXISTS export_as_of TIMESTAMPTZ;
