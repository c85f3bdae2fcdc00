-- The improvement plans file (TOUSU_PLANS, default data/improvement_plans.duckdb; the file may
-- not be named plans.duckdb, whose catalog name would clash with the schema): written by the review
-- app in short transactions, copied into the warehouse (same tables, schema plans) by each
-- nightly run. Kept apart from the warehouse so that editing a plan never waits on the nightly
-- writer, and the nightly never waits on a person.
CREATE SCHEMA IF NOT EXISTS plans;

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

-- One row per progress checkpoint noted on a plan.
CREATE TABLE IF NOT EXISTS plans.plan_checkpoints (
    plan_id     VARCHAR NOT NULL,
    noted_at    TIMESTAMPTZ NOT NULL,
    noted_by    VARCHAR NOT NULL,
    progress    INTEGER NOT NULL,           -- percent done, 0-100
    note        VARCHAR NOT NULL
);

-- Acknowledged data-quality failures: a person marks a failing check of a source as known, with
-- a comment (why, and what is being done). Kept in this file for the same reason as the plans:
-- the review app writes it without waiting on the nightly writer. An acknowledgement covers the
-- check's failures from the night acknowledged until `until_date`; the failure still counts
-- (metrics stay provisional), it is just no longer news.
CREATE TABLE IF NOT EXISTS plans.dq_acknowledgements (
    source           VARCHAR NOT NULL,
    check_name       VARCHAR NOT NULL,
    run_id           VARCHAR NOT NULL,      -- the night whose failing result was acknowledged
    acknowledged_at  TIMESTAMPTZ NOT NULL,
    acknowledged_by  VARCHAR NOT NULL,
    comment          VARCHAR NOT NULL,
    until_date       DATE NOT NULL
);
