-- One row per plan, as it is now.
CREATE TABLE IF NOT EXISTS plans.improvement_plans (
    plan_id          VARCHAR PRIMARY KEY,   -- IP-YYYYMM-NNN
    title            VARCHAR NOT NULL,
    scope_category   VARCHAR,               -- null: every category
    scope_department VARCHAR,               -- null: every department
    scope_product    VARCHAR,               -- null: every product (see policies/products.yml)
    metric           VARCHAR NOT NULL,      -- complaints_per_day | csat
    baseline         DOUBLE,
    target           DOUBLE NOT NULL,
    owner            VARCHAR NOT NULL,
    department       VARCHAR NOT NULL,      -- the department that leads the plan
    start_date       DATE NOT NULL,
    deadline         DATE NOT NULL,
    status           VARCHAR NOT NULL,      -- planned | in_progress | done | cancelled
    done_date        DATE,
    version          INTEGER NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
