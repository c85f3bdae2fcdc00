-- ops.alerts_sent: one row per alert raised (flows/alerting.py): the condition's key (the same
-- condition is raised once: an overdue plan, a silent source's gap, a failing delivery's
-- check), the night that raised it, its text, and how many of the configured channels took it.
-- An alert no channel took is not recorded, so the next night tries it again.
CREATE TABLE IF NOT EXISTS ops.alerts_sent (
    alert_key   VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,
    run_id      VARCHAR NOT NULL,
    raised_at   TIMESTAMPTZ NOT NULL,
    text        VARCHAR NOT NULL,
    channels    INTEGER NOT NULL,   -- configured channels (0: logged only, TOUSU_ALERT_URLS unset)
    delivered   INTEGER NOT NULL    -- channels that took the message
);
