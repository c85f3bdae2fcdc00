-- mart.satisfaction_closure_monthly: one row per month (received, local time) and breakdown
-- ('(all)' where summed over, as in mart.repeat_rate_monthly).
-- closure_rate = closed / complaints; reopen_rate = reopened / complaints.
-- followup_due: complaints whose remedy was executed and whose first follow-up has happened or
--   whose follow-up deadline (mart.sla_clocks, clock follow_up) has passed; still inside the
--   window: followup_pending, left out. followed_up_share = followed_up / followup_due.
-- followup_response_rate = answered follow-up calls / follow-up calls made.
-- csat = (满意 + 非常满意) / answered follow-ups. Hours to close: received to closed, closed
--   complaints only (median, p90).
-- Kept across nights: only the months with a changed complaint (intermediate.marts_changed_days)
-- or a complaint whose follow-up clock changed status (intermediate.sla_changed) are counted
-- again.
CREATE OR REPLACE TEMP TABLE satisfaction_months AS
SELECT DISTINCT date_trunc('month', day)::DATE AS month FROM intermediate.marts_changed_days
UNION
SELECT DISTINCT date_trunc('month', d.received_day)::DATE FROM intermediate.complaint_received_days d
SEMI JOIN intermediate.sla_changed s
       ON s.complaint_id = d.complaint_id AND s.clock = 'follow_up' AND s.instance = 1;

CREATE OR REPLACE TEMP VIEW changed_satisfaction_closure_monthly AS
WITH tz AS (SELECT stg.reporting_tz() AS tz),
months AS (
    SELECT complaint_id FROM intermediate.complaint_received_days
    WHERE date_trunc('month', received_day)::DATE IN (SELECT month FROM satisfaction_months)
       -- a complaint without a received time counts in the month NULL
       OR (received_day IS NULL AND EXISTS (SELECT 1 FROM satisfaction_months WHERE month IS NULL))
),
followups AS (
    SELECT complaint_id, count(*) AS calls, count(*) FILTER (WHERE answered) AS answered,
           count(*) FILTER (WHERE satisfied) AS satisfied
    FROM core.satisfaction SEMI JOIN months USING (complaint_id) GROUP BY 1
),
follow_clock AS (
    SELECT complaint_id, status FROM mart.sla_clocks
    SEMI JOIN months USING (complaint_id)
    WHERE clock = 'follow_up' AND instance = 1
),
c AS (
    SELECT c.complaint_id, c.channel, c.department, c.category, c.priority,
           (c.received_at AT TIME ZONE (SELECT tz FROM tz))::DATE AS received_day,
           c.status = 'closed' AS is_closed, c.reopen_count > 0 AS was_reopened,
           epoch(c.closed_at) - epoch(c.received_at) AS seconds_to_close,
           c.follow_up_at IS NOT NULL AS followed_up,
           fc.status IS NOT NULL AND fc.status <> 'open_within' AS followup_due,
           fc.status = 'open_within' AS followup_pending,
           coalesce(f.calls, 0) AS calls, coalesce(f.answered, 0) AS answered,
           coalesce(f.satisfied, 0) AS satisfied
    FROM core.complaints c
    SEMI JOIN months USING (complaint_id)
    LEFT JOIN followups f USING (complaint_id)
    LEFT JOIN follow_clock fc USING (complaint_id)
)
SELECT date_trunc('month', received_day)::DATE                              AS month,
       CASE WHEN grouping(channel) = 1 THEN '(all)' ELSE channel END       AS channel,
       CASE WHEN grouping(department) = 1 THEN '(all)' ELSE department END AS department,
       CASE WHEN grouping(category) = 1 THEN '(all)' ELSE category END     AS category,
       CASE WHEN grouping(priority) = 1 THEN '(all)' ELSE priority END     AS priority,
       count(*)                                                   AS complaints,
       count(*) FILTER (WHERE is_closed)                          AS closed,
       round(count(*) FILTER (WHERE is_closed) / count(*), 4)     AS closure_rate,
       count(*) FILTER (WHERE was_reopened)                       AS reopened,
       round(count(*) FILTER (WHERE was_reopened) / count(*), 4)  AS reopen_rate,
       count(*) FILTER (WHERE followup_due)                       AS followup_due,
       count(*) FILTER (WHERE followup_due AND followed_up)       AS followed_up,
       count(*) FILTER (WHERE followup_pending)                   AS followup_pending,
       round(count(*) FILTER (WHERE followup_due AND followed_up)
             / nullif(count(*) FILTER (WHERE followup_due), 0), 4) AS followed_up_share,
       sum(calls)::BIGINT                                         AS followup_calls,
       sum(answered)::BIGINT                                      AS followups_answered,
       round(sum(answered) / nullif(sum(calls), 0), 4)            AS followup_response_rate,
       sum(satisfied)::BIGINT                                     AS satisfied,
       round(sum(satisfied) / nullif(sum(answered), 0), 4)        AS csat,
       -- both from one aggregate (DuckDB computes an aggregate written twice once): one sort
       -- of each group's hours, not two (the median is quantile_cont at 0.5, the same values)
       round(quantile_cont(seconds_to_close, [0.5, 0.9])[1] / 3600, 2) AS median_hours_to_close,
       round(quantile_cont(seconds_to_close, [0.5, 0.9])[2] / 3600, 2) AS p90_hours_to_close
FROM c
GROUP BY date_trunc('month', received_day), CUBE (channel, department, category, priority);

CREATE TABLE IF NOT EXISTS mart.satisfaction_closure_monthly AS
SELECT * FROM changed_satisfaction_closure_monthly LIMIT 0;  -- noqa: AM09

DELETE FROM mart.satisfaction_closure_monthly t
WHERE EXISTS (SELECT 1 FROM satisfaction_months m WHERE m.month IS NOT DISTINCT FROM t.month);

INSERT INTO mart.satisfaction_closure_monthly BY NAME
SELECT * FROM changed_satisfaction_closure_monthly ORDER BY ALL;
