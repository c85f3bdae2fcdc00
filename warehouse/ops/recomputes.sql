-- ops.recomputes: one row per explicit recompute of the metrics (`tousu metrics recompute`):
-- who asked, why, and what changed. Nightly runs never rewrite final SLA results.
CREATE TABLE IF NOT EXISTS ops.recomputes (
    recomputed_at     TIMESTAMPTZ NOT NULL,
    requested_by      VARCHAR NOT NULL,
    reason            VARCHAR NOT NULL,
    policy_version    VARCHAR NOT NULL,
    previous_versions VARCHAR,
    clocks_changed    BIGINT NOT NULL
);
