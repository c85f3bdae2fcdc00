-- mart.provisional_months: the months (received, local time) whose numbers rest on data that
-- failed validation, per channel ('(all)' when the failure touches every channel: the ticket
-- system's events and follow-ups, or a core table). Every page and report that shows a month
-- marks it provisional and gives these reasons one click away.
-- A month is provisional when:
--   * a delivery with records of that month failed a row check beyond its tolerance
--     (ops.dq_results, success = false): the month is missing the quarantined rows;
--   * a file of the source failed or was held and has not loaded since (layout changed, volume
--     far below the usual): the night's month is missing that file;
--   * a core table's suite failed on the night: the night's month, every channel.
-- The problems one by one, with their size, are mart.provisional_problems. Whether a month's
-- gap is worth an alarm, and whether its problems are acknowledged, is decided where it is
-- shown (warehouse/data_gaps.py): acknowledgements live in the app's file.
CREATE OR REPLACE TABLE mart.provisional_months AS
SELECT
    channel, month, list(DISTINCT source ORDER BY source) AS sources,
    string_agg(DISTINCT reason, '; ' ORDER BY reason) AS reasons,
    count(DISTINCT reason) AS problems
FROM mart.provisional_problems
GROUP BY channel, month
ORDER BY month, channel;
