-- The improvement plans file (TOUSU_PLANS, default data/improvement_plans.duckdb; the file may
-- not be named plans.duckdb, whose catalog name would clash with the schema): written by the review
-- app in short transactions, copied into the warehouse (same tables, schema plans) by each
-- nightly run. Kept apart from the warehouse so that editing a plan never waits on the nightly
-- writer, and the nightly never waits on a person.
CREATE SCHEMA IF NOT EXISTS plans;
