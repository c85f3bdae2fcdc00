-- One row per progress checkpoint noted on a plan.
CREATE TABLE IF NOT EXISTS plans.plan_checkpoints (
    plan_id     VARCHAR NOT NULL,
    noted_at    TIMESTAMPTZ NOT NULL,
    noted_by    VARCHAR NOT NULL,
    progress    INTEGER NOT NULL,           -- percent done, 0-100
    note        VARCHAR NOT NULL
);
