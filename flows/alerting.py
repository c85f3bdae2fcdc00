"""Alerts: what the operator and the quality manager learn from a message, not from the logs.

After each night (and when a night fails) the conditions below are raised as alerts, and the
night sends the new ones in one message to every channel of TOUSU_ALERT_URLS:

- the night failed (nothing published), or an earlier night never finished (killed);
- the night published with files or a source waiting;
- a source silent for longer than its usual longest gap (flows/runs.silent_sources);
- a data-quality check failed beyond its tolerance (expectations/thresholds.yml) tonight;
- an early warning fired (warehouse/alerts.py), a plan went overdue;
- the working-day calendar runs out within 60 days.

Each alert has a key naming its condition (a plan and its deadline, a source and its last
delivery, a delivery and its check), recorded in ops.alerts_sent once a channel took it: the
same condition is sent once, not every night it lasts. A message no channel took is not
recorded and goes again with the next night.

Channels are Apprise URLs (e-mail over SMTP `mailto://` / `mailtos://`, WeCom `wecombot://`,
DingTalk `dingtalk://`, Slack `slack://`, any JSON webhook `json://`): one maintained library
for every channel a Chinese or international company uses, configured by a URL per channel,
and what Prefect's own notification blocks are built on, without needing a Prefect server.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

from tousu.warehouse import db
from tousu.warehouse.alerts import early_warning_line, overdue_line

log = logging.getLogger("tousu.alerts")

# Each kind's name in the message, Chinese and English (operators of both).
KINDS: dict[str, tuple[str, str]] = {
    "night_failed": ("夜间运行失败", "night failed"),
    "night_abandoned": ("夜间运行中断", "night never finished"),
    "published_with_failures": ("已发布，有文件待处理", "published with files waiting"),
    "source_silent": ("数据源未送达", "source silent"),
    "dq_beyond_tolerance": ("数据质量超出容差", "data quality beyond tolerance"),
    "early_warning": ("早期预警", "early warning"),
    "plan_overdue": ("改进计划逾期", "improvement plan overdue"),
    "calendar_ending": ("工作日历即将到期", "working-day calendar ends soon"),
    "report_failed": ("月度报告生成失败", "monthly review pack failed"),
}


@dataclass(frozen=True)
class Alert:
    key: str  # the condition: raised once while it lasts
    kind: str  # one of KINDS
    text: str

    def line(self) -> str:
        zh, en = KINDS[self.kind]
        return f"[{zh} / {en}] {self.text}"


@dataclass
class Delivery:
    channels: int = 0  # configured
    delivered: int = 0  # took the message
    errors: list[str] = field(default_factory=list)

    @property
    def taken(self) -> bool:
        """Recorded as raised: every channel took it, or there is no channel (logged only)."""
        return self.delivered == self.channels


def night_conditions(con: duckdb.DuckDBPyConnection, run_id: str) -> list[Alert]:
    """Every alert condition true after a published night (sent or not before)."""
    from tousu.flows.metrics.calendar import calendar_runs_out, calendar_warning
    from tousu.flows.metrics.policy import load_policy
    from tousu.flows.runs import night_alerts, silent_source_rows

    [(run_date, status, note)] = con.execute(
        "SELECT run_date, status, note FROM ops.runs WHERE run_id = ?", [run_id]
    ).fetchall()
    found = [
        Alert(
            f"abandoned:{r}",
            "night_abandoned",
            f"run {r} of the night of {d} never finished "
            "(killed mid-way?); its committed deliveries stay, the rest loaded in a later night",
        )
        for r, d in con.execute(
            "SELECT run_id, run_date FROM ops.runs WHERE status = 'abandoned' ORDER BY started_at"
        ).fetchall()
    ]
    if status == "succeeded_with_failures":
        waiting = con.execute(
            "SELECT count(*) FROM ops.file_loads WHERE run_id = ? AND status IN ('failed', 'held')",
            [run_id],
        ).fetchall()[0][0]
        found.append(
            Alert(
                f"with-failures:{run_id}",
                "published_with_failures",
                f"night {run_date} (run {run_id}) published; {waiting} file(s) wait and their "
                f"months show as provisional: {note or ''}".rstrip(": "),
            )
        )
    for source, last, _, text in silent_source_rows(con, run_date):
        found.append(Alert(f"silent:{source}:{last}", "source_silent", text))
    # one alert per source and check: tonight's deliveries are new (each loads once); a core
    # check carried over from the night that built core is the same failure, raised once
    for source, core, check, deliveries, failed, checked, observed in con.execute(
        """
        SELECT source, load_id = 'core', check_name, count(*), sum(rows_failed),
               sum(rows_checked), min(coalesce(observed_value, ''))
        FROM ops.dq_results WHERE run_id = ? AND NOT success
        GROUP BY ALL ORDER BY source, check_name""",
        [run_id],
    ).fetchall():
        if core:
            key, text = f"dq:core:{source}:{check}:{observed}", f"{source}: {check}: {observed}"
        else:
            tolerance = observed[observed.find("(tolerance") :] if "(tolerance" in observed else ""
            key = f"dq:{source}:{check}:{run_id}"
            text = (
                f"{source}: {check} failed in {deliveries} "
                f"{'delivery' if deliveries == 1 else 'deliveries'} tonight, {failed:,} of "
                f"{checked:,} rows {tolerance}".rstrip()
            )
        found.append(Alert(key, "dq_beyond_tolerance", text))
    # clocks at risk change every night: they are on the Overview, not messaged
    review = night_alerts(con, run_id)
    found += [
        Alert(f"early:{w['category']}:{w['week_start']}", "early_warning", early_warning_line(w))
        for w in review.early_warnings
    ]
    found += [
        Alert(f"overdue:{p['plan_id']}:{p['deadline']}", "plan_overdue", overdue_line(p))
        for p in review.overdue_plans
    ]
    policy, _ = load_policy()
    ending = calendar_warning(policy.calendar.country, policy.calendar.years, run_date)
    if ending:
        ends = calendar_runs_out(policy.calendar.country, policy.calendar.years)
        found.append(Alert(f"calendar:{ends}", "calendar_ending", ending))
    return found


def not_yet_raised(con: duckdb.DuckDBPyConnection, alerts: list[Alert]) -> list[Alert]:
    """The alerts whose condition was not raised before (each key once)."""
    raised = {k for (k,) in con.execute("SELECT alert_key FROM ops.alerts_sent").fetchall()}
    out: dict[str, Alert] = {}
    for a in alerts:
        if a.key not in raised:
            out.setdefault(a.key, a)
    return list(out.values())


def message(run_date: date, run_id: str, alerts: list[Alert]) -> tuple[str, str]:
    """The title and body of a night's message."""
    title = f"tousu {run_date:%Y-%m-%d}: {len(alerts)} 条提醒 / alert(s)"
    body = "\n".join([f"夜间运行 / night run {run_id}", *(a.line() for a in alerts)])
    return title, body


def send(title: str, body: str, urls: str | None) -> Delivery:
    """Send one message to every channel of `urls` (Apprise URLs); never raises."""
    import apprise
    from apprise.utils.parse import parse_urls

    listed = parse_urls(urls or "")
    delivery = Delivery(channels=len(listed))
    for url in listed:
        scheme = url.split("://", 1)[0]
        channel = apprise.Apprise()
        if not channel.add(url):
            delivery.errors.append(
                f"{scheme}://…: not an alert URL Apprise knows (TOUSU_ALERT_URLS)"
            )
            continue
        with apprise.LogCapture(level=logging.WARNING) as said:
            ok = channel.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT)
        if ok:
            delivery.delivered += 1
        else:
            reason = " ".join(str(said.getvalue()).split())[:300] or "no reason given"
            delivery.errors.append(f"{scheme}://…: not sent: {reason}")
    return delivery


def record(
    con: duckdb.DuckDBPyConnection, alerts: list[Alert], run_id: str, delivery: Delivery
) -> None:
    now = datetime.now().astimezone()
    con.executemany(
        "INSERT INTO ops.alerts_sent VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            [a.key, a.kind, run_id, now, a.text, delivery.channels, delivery.delivered]
            for a in alerts
        ],
    )


def raise_alerts(
    con: duckdb.DuckDBPyConnection,
    alerts: list[Alert],
    run_id: str,
    run_date: date,
    urls: str | None,
) -> tuple[list[Alert], Delivery]:
    """Send the alerts not raised before in one message and record them once taken."""
    new = not_yet_raised(con, alerts)
    if not new:
        return [], Delivery()
    for a in new:
        log.warning("alert: %s", a.line())
    delivery = send(*message(run_date, run_id, new), urls)
    for error in delivery.errors:
        log.error("alert not delivered (tried again next night): %s", error)
    if delivery.taken:
        record(con, new, run_id, delivery)
    return new, delivery


def announce_night(
    con: duckdb.DuckDBPyConnection, run_id: str, run_date: date, urls: str | None
) -> tuple[list[Alert], Delivery]:
    """After a published night: its alert conditions, the new ones sent."""
    return raise_alerts(con, night_conditions(con, run_id), run_id, run_date, urls)


def announce_failure(
    warehouse: Path, run_id: str, run_date: date, reason: str, urls: str | None
) -> Delivery:
    """A night that failed: sent at once (each run fails once), recorded where the warehouse
    can still be written (it may be the thing that failed)."""
    alert = Alert(
        f"failed:{run_id}",
        "night_failed",
        f"night {run_date} (run {run_id}) failed, nothing published; the readers keep the last "
        f"published night. Cause: {reason}",
    )
    delivery = send_at_once(alert, message(run_date, run_id, [alert]), urls)
    if not delivery.taken:
        return delivery
    with suppress(Exception):
        con = db.connect(warehouse)
        try:
            record(con, [alert], run_id, delivery)
        finally:
            con.close()
    return delivery


def report_failed(flow, flow_run, state) -> None:
    """Prefect on_failure hook of the monthly report flow: one message, at once (the writer's
    file may be held by a night: not recorded)."""
    from tousu.flows.settings import current_settings

    month = (flow_run.parameters or {}).get("month") or "the month before"
    alert = Alert(
        f"report-failed:{flow_run.id}",
        "report_failed",
        f"the review pack of {month} was not written (flow run {flow_run.name}): {state.message}",
    )
    title = f"tousu: {KINDS['report_failed'][0]} / {KINDS['report_failed'][1]}"
    send_at_once(alert, (title, alert.line()), current_settings().alert_urls)


def send_at_once(alert: Alert, title_body: tuple[str, str], urls: str | None) -> Delivery:
    """A failure's alert: logged and sent now, not kept for the night's message."""
    log.error("alert: %s", alert.line())
    delivery = send(*title_body, urls)
    for error in delivery.errors:
        log.error("alert not delivered: %s", error)
    return delivery
