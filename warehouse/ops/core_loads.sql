-- ops.core_loads: the deliveries (load ids) whose rows core holds, replaced by every core build.
-- The loads raw holds beyond these are the night's delta: core writes again only the complaints
-- they touch (warehouse/core/touched/03_touched.sql).
CREATE TABLE IF NOT EXISTS ops.core_loads (
    load_id VARCHAR NOT NULL
);
