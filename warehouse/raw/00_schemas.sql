-- Schemas of the warehouse, one per layer. Staging is views in schema stg.
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS stg;
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS ops;
CREATE SCHEMA IF NOT EXISTS mart;
-- Intermediate models the marts are built from, rebuilt with them (kept for inspection).
CREATE SCHEMA IF NOT EXISTS intermediate;
-- The process vocabulary as tables (flows/vocab.py, written by warehouse/db.py before core).
CREATE SCHEMA IF NOT EXISTS ref;
