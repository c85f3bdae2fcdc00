-- One row per field changed by an edit: the plan's change history.
CREATE TABLE IF NOT EXISTS plans.plan_changes (
    plan_id     VARCHAR NOT NULL,
    version     INTEGER NOT NULL,
    changed_at  TIMESTAMPTZ NOT NULL,
    changed_by  VARCHAR NOT NULL,
    field       VARCHAR NOT NULL,
    old_value   VARCHAR,
    new_value   VARCHAR
);
