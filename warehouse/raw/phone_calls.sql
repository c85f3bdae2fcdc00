-- raw.phone_calls: one row per call record of the call centre's CSV export (GBK, Chinese headers),
-- values as delivered (text), plus lineage. Header map: 通话编号 call_id, 来电时间 called_at,
-- 接通时间 answered_at, 来电号码 caller_number, 客户姓名 customer_name, 会员号 member_no,
-- 问题描述 description, 客户诉求 demand, 坐席工号 agent_id.
CREATE TABLE IF NOT EXISTS raw.phone_calls (
    call_id        VARCHAR,
    called_at      VARCHAR,
    answered_at    VARCHAR,
    caller_number  VARCHAR,
    customer_name  VARCHAR,
    member_no      VARCHAR,
    description    VARCHAR,
    demand         VARCHAR,
    agent_id       VARCHAR,
    _source_file   VARCHAR NOT NULL,
    _row_number    INTEGER NOT NULL,
    _file_sha256   VARCHAR NOT NULL,
    _load_id       VARCHAR NOT NULL,
    _loaded_at     TIMESTAMPTZ NOT NULL
);
