-- The review app's users (`tousu users ...`): kept in the app's own file, never in the warehouse
-- the nightly owns, and never copied into it (warehouse/plan_store.py copies the plans tables
-- only). A password is kept only as its argon2id hash. operator_ids map a person to the operator
-- ids of core.complaint_events (the complaints they handled); user_group names the team a
-- supervisor sees (warehouse/users.py says who sees what).
CREATE SCHEMA IF NOT EXISTS access;
CREATE TABLE IF NOT EXISTS access.users (
    name           VARCHAR PRIMARY KEY,
    role           VARCHAR NOT NULL,         -- agent | supervisor | quality_manager | administrator
    user_group     VARCHAR,                  -- the team (a supervisor sees its members' complaints)
    operator_ids   VARCHAR[] NOT NULL,       -- ids in core.complaint_events.operator
    password_hash  VARCHAR NOT NULL,         -- argon2id, with its parameters and salt
    disabled_at    TIMESTAMPTZ,              -- null: may sign in
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
