-- ops.core_builds: one row per night: what core was built from (inputs_key) and whether the
-- night rebuilt it. A night whose inputs equal the last build's (no delivery loaded, the same
-- SQL, product catalogue, vocabulary, mappings and settings) keeps core as it is: rebuilding
-- would give the same rows, at a cost that grows with the history.
CREATE TABLE IF NOT EXISTS ops.core_builds (
    run_id     VARCHAR NOT NULL,
    inputs_key VARCHAR NOT NULL,   -- sha256 of everything core is built from
    rebuilt    BOOLEAN NOT NULL,   -- false: core kept from the build with the same key
    built_at   TIMESTAMPTZ NOT NULL
);
-- settings_key: the digest of what core is built from besides the deliveries (SQL, product
-- catalogue, vocabulary, settings). A night whose settings_key equals the last build's brings
-- core up to date with the new deliveries alone (warehouse.db.loads_core_lacks); NULL on builds
-- recorded before it existed, which the next night therefore builds in full.
ALTER TABLE ops.core_builds ADD COLUMN IF NOT EXISTS settings_key VARCHAR;
