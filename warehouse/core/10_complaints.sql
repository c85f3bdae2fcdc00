-- core.complaints: one row per complaint, the register joined to the channel record it came from.
-- Grain: complaint_id (the ticket system's YYYYMM-NNNNN). A complaint appears once both its
-- registration (ticket event `registered`) and its channel record are loaded; until then the
-- half that is there is listed in ops.pending_links.
-- Sources declared by a mapping file (raw.declared_intake) are their own register: each record is
-- a complaint (the latest delivery of a record wins), with the status and times it carries.
-- `register` says which: 'ticket_system' or the declared source's name. A declared record keeps
-- the source's own customer id (source_customer_id, '<source>:<id>', a customer key for linking)
-- and when its export was taken (export_as_of, NULL for a live export).
-- Lifecycle timestamps are the first occurrence of each event, except closed_at (the last close,
-- and only while the complaint is still closed). first_response_at prefers the channel's own
-- evidence (call answered, first agent message, reply email, brand reply) over the ticket event.
-- Written for the complaints the night's deliveries touched (intermediate.core_touched, every
-- complaint on a full build): their rows are deleted and written again; the rest stay as they are.
-- Not sorted: a sort of a million rows this wide (descriptions included) does not fit the
-- night's memory limit (TOUSU_MEMORY_LIMIT=1GB), and no reader depends on the table's order.
CREATE OR REPLACE TEMP VIEW touched_complaints AS
WITH registrations AS (
    SELECT complaint_id, channel, source_ref, category, urgency, priority,
           department AS registered_department, occurred_at AS registered_at
    FROM intermediate.core_touched_events
    WHERE event = 'registered'
    QUALIFY row_number() OVER (PARTITION BY complaint_id ORDER BY occurred_at, event_id) = 1
),
lifecycle AS (
    SELECT
        complaint_id,
        min(occurred_at) FILTER (WHERE event = 'first_response')        AS ticket_first_response_at,
        min(occurred_at) FILTER (WHERE event = 'assigned')              AS assigned_at,
        min(occurred_at) FILTER (WHERE event = 'investigation_started') AS investigation_started_at,
        min(occurred_at) FILTER (WHERE event = 'remedy_agreed')         AS remedy_agreed_at,
        min(occurred_at) FILTER (WHERE event = 'executed')              AS executed_at,
        min(occurred_at) FILTER (WHERE event = 'follow_up')             AS follow_up_at,
        max(occurred_at) FILTER (WHERE event = 'closed')                AS last_closed_at,
        count(*) FILTER (WHERE event = 'reopened')                      AS reopen_count,
        arg_max(department, occurred_at) FILTER (WHERE event = 'assigned' AND department IS NOT NULL)
                                                                        AS assigned_department,
        -- the status follows the latest event that moves the case on (a first response or a
        -- wait on the customer does not)
        arg_max(event, (occurred_at, event_id))
            FILTER (WHERE event NOT IN ('first_response', 'awaiting_customer', 'customer_responded'))
                                                                        AS last_event,
        max(occurred_at) FILTER (WHERE event = 'awaiting_customer')     AS last_awaiting_at,
        max(occurred_at) FILTER (WHERE event = 'customer_responded')    AS last_responded_at,
        max(occurred_at)                                                AS last_event_at
    FROM intermediate.core_touched_events
    GROUP BY complaint_id
),
products AS (
    -- the product the description names (core.product_catalogue, from
    -- warehouse/policies/products.yml); the longest name or alias found wins
    SELECT i.channel, i.source_ref, arg_max(p.product, length(p.alias)) AS product
    FROM intermediate.core_touched_intake i SEMI JOIN registrations USING (channel, source_ref)
    JOIN core.product_catalogue p ON contains(i.description, p.alias)
    GROUP BY ALL
),
from_ticket_system AS (
SELECT
    r.complaint_id,
    'ticket_system'                                         AS register,
    r.channel,
    r.source_ref,
    i.received_at,
    r.registered_at,
    stg.mask_name(i.customer_name)                          AS customer_name_masked,
    tousu_phone_e164(i.phone_as_given)                     AS phone,
    i.email,
    i.member_no,
    i.social_id,
    i.app_user_id,
    NULL::VARCHAR                                   AS source_customer_id,
    NULL::TIMESTAMPTZ                               AS export_as_of,
    i.order_no,
    pr.product,
    r.category,
    coalesce(l.assigned_department, r.registered_department) AS department,
    r.urgency,
    r.priority,
    i.description,
    i.demand,
    CASE WHEN l.last_event NOT IN ('closed', 'reopened') AND l.last_awaiting_at IS NOT NULL
              AND l.last_awaiting_at > coalesce(l.last_responded_at, '-infinity'::TIMESTAMPTZ)
         THEN 'awaiting_customer'
    ELSE CASE l.last_event
        WHEN 'registered' THEN 'registered'
        WHEN 'assigned' THEN 'assigned'
        WHEN 'investigation_started' THEN 'investigating'
        WHEN 'remedy_agreed' THEN 'remedy_agreed'
        WHEN 'executed' THEN 'executed'
        WHEN 'follow_up' THEN 'followed_up'
        WHEN 'closed' THEN 'closed'
        WHEN 'reopened' THEN 'reopened'
    END END                                                 AS status,
    coalesce(i.first_response_at, l.ticket_first_response_at) AS first_response_at,
    CASE WHEN i.first_response_at IS NOT NULL THEN 'channel'
         WHEN l.ticket_first_response_at IS NOT NULL THEN 'ticket_system' END
                                                            AS first_response_source,
    l.assigned_at,
    l.investigation_started_at,
    l.remedy_agreed_at,
    l.executed_at,
    l.follow_up_at,
    CASE WHEN l.last_event = 'closed' THEN l.last_closed_at END AS closed_at,
    l.reopen_count::INTEGER                                 AS reopen_count,
    l.last_event_at,
    i._source_file                                          AS source_file,
    i._row_number                                           AS source_row_number
FROM registrations r
JOIN intermediate.core_touched_intake i USING (channel, source_ref)
LEFT JOIN lifecycle l USING (complaint_id)
LEFT JOIN products pr USING (channel, source_ref)
),
declared AS (
SELECT
    complaint_id, source AS register, channel, source_ref, received_at,
    received_at AS registered_at, customer_name_masked, phone, email, member_no,
    NULL::VARCHAR AS social_id, NULL::VARCHAR AS app_user_id,
    -- the source's own customer id, qualified by the source (ids of two systems never meet)
    CASE WHEN customer_id IS NOT NULL THEN source || ':' || customer_id END AS source_customer_id,
    export_as_of, order_no,
    product, category, department, urgency, priority, description, demand, status,
    first_response_at,
    CASE WHEN first_response_at IS NOT NULL THEN 'channel' END AS first_response_source,
    NULL::TIMESTAMPTZ AS assigned_at, NULL::TIMESTAMPTZ AS investigation_started_at,
    NULL::TIMESTAMPTZ AS remedy_agreed_at, NULL::TIMESTAMPTZ AS executed_at,
    NULL::TIMESTAMPTZ AS follow_up_at,
    CASE WHEN status = 'closed' THEN closed_at END AS closed_at, 0 AS reopen_count,
    greatest(received_at, first_response_at, closed_at) AS last_event_at,
    _source_file AS source_file, _row_number AS source_row_number
FROM stg.declared_intake
SEMI JOIN intermediate.core_touched USING (complaint_id)
QUALIFY row_number() OVER (PARTITION BY complaint_id
                           ORDER BY _loaded_at DESC, _source_file DESC, _row_number DESC) = 1
)
-- a person erased on request (ops.erased_complaints) keeps a stand-in customer key instead of
-- the identifiers that were removed, so their complaints stay one customer
SELECT c.* REPLACE (coalesce(e.customer_key, c.source_customer_id) AS source_customer_id)
FROM (SELECT * FROM from_ticket_system UNION ALL BY NAME SELECT * FROM declared) AS c
LEFT JOIN ops.erased_complaints AS e USING (complaint_id);

-- (LIMIT 0: only the columns, for a full build)
CREATE TABLE IF NOT EXISTS core.complaints AS SELECT * FROM touched_complaints LIMIT 0;  -- noqa: AM09
DELETE FROM core.complaints WHERE complaint_id IN (SELECT complaint_id FROM intermediate.core_touched);
INSERT INTO core.complaints BY NAME SELECT * FROM touched_complaints;
