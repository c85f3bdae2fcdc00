-- ops.mart_builds: one row per marts build: as of when, from what (settings_key: the digest of
-- the marts' SQL, the metrics policy and the declared sources' clocks), and whether it was built
-- in full or only for what changed since the last build (warehouse/marts/01_marts_changed.sql).
CREATE TABLE IF NOT EXISTS ops.mart_builds (
    as_of              TIMESTAMPTZ NOT NULL,
    settings_key       VARCHAR NOT NULL,
    in_full            BOOLEAN NOT NULL,
    complaints_changed BIGINT NOT NULL,  -- complaints whose core rows changed since the last
    built_at           TIMESTAMPTZ NOT NULL
);
