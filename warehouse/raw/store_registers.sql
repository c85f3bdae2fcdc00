-- raw.store_registers: one row per line of a store's complaint register (.xlsx kept by staff).
-- Header map: 登记编号 register_no, 登记时间 registered_at (a date cell read as ISO text, or an
-- Excel serial day number, or whatever text staff typed), 门店 store, 顾客姓名 customer_name,
-- 联系电话 phone, 会员卡号 member_no, 问题描述 description, 顾客诉求 demand, 接待人 staff.
CREATE TABLE IF NOT EXISTS raw.store_registers (
    register_no    VARCHAR,
    registered_at  VARCHAR,
    store          VARCHAR,
    customer_name  VARCHAR,
    phone          VARCHAR,
    member_no      VARCHAR,
    description    VARCHAR,
    demand         VARCHAR,
    staff          VARCHAR,
    _source_file   VARCHAR NOT NULL,
    _row_number    INTEGER NOT NULL,
    _file_sha256   VARCHAR NOT NULL,
    _load_id       VARCHAR NOT NULL,
    _loaded_at     TIMESTAMPTZ NOT NULL
);
