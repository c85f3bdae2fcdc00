-- ops.policy_versions: one row per metrics policy version used (warehouse/policies/metrics.yml),
-- with its full text, so any SLA result can be traced to the rules it was computed with.
CREATE TABLE IF NOT EXISTS ops.policy_versions (
    version        VARCHAR PRIMARY KEY,
    sha256         VARCHAR NOT NULL,
    policy_text    VARCHAR NOT NULL,
    first_used_at  TIMESTAMPTZ NOT NULL
);
