"""`make bench`: time the nightly flow on a large demo inbox, per stage and per channel.

It prints rows/s per channel, total seconds and peak memory of the nightly run, and, measured in
the same run on the same files, the time DuckDB alone takes to read the CSV and JSON exports
into tables, with the ratio between the two. The inbox is generated in a child process so the
peak memory printed is the nightly run's own. Then four nights, each in its own process, show
what a night costs as the history grows (incremental_nights).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb

from tousu.dashboards.pages import SCRIPTS
from tousu.flows.bench_history import deepen
from tousu.flows.settings import TIMEZONE, night_end
from tousu.flows.sources import SOURCES
from tousu.flows.workers import cores

# What DuckDB alone reads of each source's files (None: no DuckDB reader for the format here:
# GBK needs the `encodings` extension, xlsx the `excel` one, and .eml is MIME).
DUCKDB_ALONE = {
    "phone": None,
    "chat": "SELECT * FROM read_json({files}, format = 'newline_delimited', ignore_errors = true)",
    "email": None,
    "social": "SELECT unnest(mentions) FROM read_json({files}, maximum_object_size = 268435456)",
    "store": None,
    "webform": "SELECT * FROM read_csv({files}, all_varchar = true, ignore_errors = true)",
    "ticket_events": "SELECT * FROM read_csv({files}, all_varchar = true)",
    "satisfaction": "SELECT * FROM read_csv({files}, all_varchar = true)",
}


def duckdb_alone(inbox: Path) -> dict[str, tuple[int, float]]:
    """Rows and seconds DuckDB takes to read each source's files into a table."""
    con = duckdb.connect()
    out = {}
    for name, query in DUCKDB_ALONE.items():
        if query is None:
            continue
        files = [str(p) for p in SOURCES[name].files(inbox)]
        started = time.perf_counter()
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE t AS {query.format(files='$files')}", {"files": files}
        )
        out[name] = (
            con.execute("SELECT count(*) FROM t").fetchall()[0][0],
            time.perf_counter() - started,
        )
    con.close()
    out["email"] = plain_email_parse(inbox)
    return out


def plain_email_parse(inbox: Path) -> tuple[int, float]:
    """Messages and seconds the standard library alone takes to parse every .eml file and
    decode its subject, sender and text body, on one core: email's yardstick (no columnar reader
    exists for MIME)."""
    import email
    from email.header import decode_header, make_header

    files = SOURCES["email"].files(inbox)
    started = time.perf_counter()
    for path in files:
        msg = email.message_from_bytes(path.read_bytes())
        for header in ("Subject", "From"):
            str(make_header(decode_header(msg.get(header) or "")))
        part = next((p for p in msg.walk() if p.get_content_type() == "text/plain"), None)
        if part is not None:
            payload = part.get_payload(decode=True) or b""
            payload.decode(part.get_content_charset() or "utf-8", errors="replace")
    return len(files), time.perf_counter() - started


class TimedGX:
    """The gx module, with the seconds and rows its `run` takes counted (the benchmark's
    counter, kept out of the production code: it wraps the module the suites call)."""

    def __init__(self, gx):
        self.gx, self.seconds, self.rows = gx, 0.0, 0

    def __getattr__(self, name):
        return getattr(self.gx, name)

    def run(self, definition, frame, *args, **kwargs):
        started = time.perf_counter()
        try:
            return self.gx.run(definition, frame, *args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started
            self.rows += len(frame)


# Every page but the audit log (an administrator's, not the review's).
VIEWS = tuple(s for s in SCRIPTS if s != "views/audit.py")


def view_seconds(published: Path) -> dict[str, tuple[float, float]]:
    """Seconds each review page takes to run its script on the published copy (Streamlit's
    AppTest, no browser): the first time (cold caches) and again (cached)."""

    from datetime import datetime

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from tousu.flows.demo.users import write_demo_users
    from tousu.warehouse.users import get_user

    os.environ["TOUSU_PUBLISHED"] = str(published)
    store = published.with_name("bench-app.duckdb")  # the app's file: a quality manager signs in
    os.environ["TOUSU_PLANS"] = str(store)
    write_demo_users(store, datetime.now().astimezone())
    app = Path(__file__).resolve().parent.parent / "dashboards" / "app.py"
    out = {}
    for view in VIEWS:
        at = AppTest.from_file(str(app), default_timeout=120)
        at.session_state["user"] = get_user(store, "manager")
        at.session_state["last_activity"] = datetime.now().astimezone()
        at.run()
        st.cache_data.clear()  # cold: as after a new night is published
        started = time.perf_counter()
        at.switch_page(view).run()
        cold = time.perf_counter() - started
        started = time.perf_counter()
        at.run()
        warm = time.perf_counter() - started
        if at.exception:
            raise RuntimeError(f"{view}: {at.exception}")
        out[view] = (cold, warm)
    return out


def report_seconds(published: Path, work: Path) -> tuple[date, float, dict[str, int]]:
    """Seconds to write the review pack (PDF and Excel, zh and en) of the last complete month
    (`tousu report`, the copy's build included), and the files' sizes."""
    from tousu.dashboards.report import LANGS, build

    con = duckdb.connect(str(published), read_only=True)
    try:
        [(month,)] = con.execute(
            "SELECT max(month) FROM mart.satisfaction_closure_monthly "
            "WHERE month < (SELECT max(month) FROM mart.satisfaction_closure_monthly)"
        ).fetchall()
    finally:
        con.close()
    started = time.perf_counter()
    files = build(published, month, LANGS, work / "reports", work / "bench-report-app.duckdb")
    seconds = time.perf_counter() - started
    return month, seconds, {p.name: p.stat().st_size for p in files}


def viewer_copy_seconds(published: Path) -> dict[str, tuple[int, float]]:
    """Complaints and seconds to build a viewer's copy of the published warehouse (the first
    page a user opens after each night waits for it): every complaint masked (a quality
    manager), one agent (the busiest operator) and a supervisor's ten operators."""
    from tousu.warehouse import viewer_copy

    con = duckdb.connect(str(published), read_only=True)
    busiest = [
        o
        for (o,) in con.execute(
            "SELECT operator FROM core.complaint_events WHERE operator IS NOT NULL "
            "GROUP BY 1 ORDER BY count(*) DESC LIMIT 10"
        ).fetchall()
    ]
    con.close()
    out = {}
    for label, scope in (
        ("quality manager (all)", viewer_copy.EVERYTHING),
        ("agent (1 operator)", viewer_copy.Scope(tuple(busiest[:1]))),
        ("supervisor (10 operators)", viewer_copy.Scope(tuple(busiest))),
    ):
        started = time.perf_counter()
        copy = viewer_copy.build(published, scope)
        seconds = time.perf_counter() - started
        out[label] = (
            copy.execute("SELECT count(*) FROM core.complaints").fetchall()[0][0],
            seconds,
        )
        copy.close()
    return out


def gx_million_rows(published: Path, rows: int = 1_000_000) -> tuple[int, float, float, int]:
    """Seconds GX takes to validate `rows` ticket events with their suite, as the nightly does.

    Returns (rows, seconds to make the frame, seconds in GX, unexpected rows found). The
    events are repeated when the benchmark's inbox has fewer.
    """
    import pandas as pd

    from tousu.flows.quality import gx
    from tousu.flows.quality.source_suites import _definition, source_suite
    from tousu.warehouse import db

    suite = source_suite("ticket_events")
    con = db.connect(published, read_only=True)
    started = time.perf_counter()
    frame = con.sql(f"SELECT * FROM {suite.view} LIMIT {rows}").df()
    con.close()
    while 0 < len(frame) < rows:
        frame = pd.concat([frame, frame], ignore_index=True).head(rows)
    framed = time.perf_counter() - started
    started = time.perf_counter()
    outcome = gx.run(
        _definition(suite),
        frame,
        {"run_end": pd.Timestamp("2026-11-02", tz=TIMEZONE)},
        result_format="COMPLETE",
    )
    seconds = time.perf_counter() - started
    unexpected = sum(len(r.result.get("unexpected_index_list") or []) for r in outcome.results)
    return len(frame), framed, seconds, unexpected


def declared_source_load(work: Path, rows: int = 200_000) -> tuple[int, int, float]:
    """Rows read, rows loaded and seconds to load a CFPB-style export of `rows` records through
    its mapping (warehouse/sources/cfpb.yml): the bundled sample's records repeated with new
    ids, its cut last line kept at the end."""
    import csv

    from tousu.flows.byo.mapping import load_mapping
    from tousu.flows.byo.source import BUNDLED, as_source
    from tousu.flows.loading import load_source
    from tousu.warehouse import db

    sample = (
        Path(__file__).resolve().parents[1] / "tests" / "data" / "cfpb_complaints_2023_sample.csv"
    )
    text = sample.read_text(encoding="utf-8")
    body, cut = text.rsplit("\n", 1)
    records = list(csv.reader(body.splitlines()[1:]))
    header = body.split("\n", 1)[0]
    inbox = work / "declared-inbox"
    (inbox / "cfpb").mkdir(parents=True, exist_ok=True)
    with (inbox / "cfpb" / "complaints.csv").open("w", encoding="utf-8", newline="") as fh:
        fh.write(header + "\n")
        writer = csv.writer(fh, lineterminator="\n")
        for i in range(rows - 1):
            record = list(records[i % len(records)])
            record[-1] = str(10_000_000 + i)  # Complaint ID
            writer.writerow(record)
        fh.write(cut)
    warehouse = work / "declared.duckdb"
    warehouse.unlink(missing_ok=True)
    con = db.connect(warehouse)
    db.migrate(con)
    mapping = load_mapping(BUNDLED / "cfpb.yml")
    started = time.perf_counter()
    [outcome] = load_source(con, inbox, as_source("cfpb", mapping), "bench", date(2023, 12, 31))
    seconds = time.perf_counter() - started
    con.close()
    return outcome.rows_read, outcome.rows_loaded, seconds


def night_in_child(inbox: Path, warehouse: Path, run_date: date) -> dict:
    """One night (the nightly's plain sequence of steps, without Prefect) in a child process:
    its seconds per stage, its own peak memory, and what it loaded."""
    out = warehouse.with_name(f"night-{run_date}.json")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tousu.flows.bench",
            "--one-night",
            str(inbox),
            str(warehouse),
            run_date.isoformat(),
            str(out),
        ]
    )
    if proc.wait():
        raise SystemExit(f"bench: the night of {run_date} failed ({proc.returncode})")
    return json.loads(out.read_text())


def peak_mib_since_exec() -> float:
    """This process's peak resident memory since it started its program (VmHWM; getrusage's
    maxrss would include the parent's memory copied at fork)."""
    return _status_mib("VmHWM")


def _status_mib(field: str) -> float:
    """A memory field of /proc/self/status, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def one_night(inbox: Path, warehouse: Path, run_date: date, out: Path) -> None:
    from tousu.flows.night import Night
    from tousu.flows.nightly import STEPS, run_night
    from tousu.flows.runs import NightSummary
    from tousu.warehouse import db

    night = Night.resolve(inbox, warehouse, run_date)
    summary = NightSummary(night.run_id, night.run_date, [])
    memory = StagePeaks()
    cpu: dict[str, float] = {}

    def step(fn, *args):
        stage = memory.stage = STEPS[fn][0]
        before = cpu_seconds()
        try:
            return fn(*args)
        finally:
            cpu[stage] = cpu.get(stage, 0.0) + cpu_seconds() - before

    started = time.perf_counter()
    # the warehouse held open from the first step to the publish, as the flow holds it: one
    # DuckDB instance for the night, whose memory is what the nightly really uses
    with (
        memory,
        db.held_open(
            night.warehouse,
            timezone=night.timezone,
            phone_region=night.phone_region,
            memory_limit=night.memory_limit,
        ),
    ):
        run_night(night, summary, step=step)
    out.write_text(
        json.dumps(
            {
                "seconds": time.perf_counter() - started,
                "stages": summary.stage_seconds,
                "rows_read": summary.totals().rows_read,
                "files": summary.totals().files_new,
                "complaints": summary.complaints,
                "peak_mib": peak_mib_since_exec(),
                "stage_peak_mib": memory.peaks,
                "stage_cpu_seconds": cpu,
                "sources": {c.source: [c.rows_read, c.seconds] for c in summary.channels},
                # the largest of the reading workers (each a process of its own, flows/reading.py)
                "workers_peak_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            }
        )
    )


def cpu_seconds() -> float:
    """CPU seconds used by this process (every thread) and by its children that have ended (a
    source's reading workers end with its reading): a stage's CPU seconds over its seconds say
    how many of the machine's cores it kept busy."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


class StagePeaks:
    """The process's resident memory sampled every 50 ms, its peak kept per stage of the night
    (VmHWM alone says how high, not when)."""

    def __init__(self) -> None:
        self.stage = "start"
        self.peaks: dict[str, float] = {}
        self._done = threading.Event()

    def _sample(self) -> None:
        while not self._done.wait(0.05):
            mib = _status_mib("VmRSS")
            self.peaks[self.stage] = max(self.peaks.get(self.stage, 0.0), mib)

    def __enter__(self) -> StagePeaks:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()


LAST_MONTH = re.compile(r"20\d\d\d\d")


def incremental_nights(inbox: Path, work: Path, history_copies: int = 0) -> dict[str, dict]:
    """The history without its last month, a night with nothing new, the night that brings the
    last month, and that month alone into an empty warehouse: what a night costs as the
    history grows and the delta does not. With `history_copies`, also the last month's night on
    the history deepened by that many earlier copies (flows/bench_history.py)."""
    found = (LAST_MONTH.search(str(p.relative_to(inbox))) for p in inbox.rglob("*"))
    months = sorted({m.group(0) for m in found if m})
    last = months[-1]
    history, delta = work / "nights-inbox", work / "delta-inbox"
    for folder in (history, delta, work / "nights", work / "delta"):
        shutil.rmtree(folder, ignore_errors=True)
    for path in inbox.rglob("*"):
        if not path.is_file():
            continue
        rel = path.relative_to(inbox)
        target = (delta if last in str(rel) else history) / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    run = date(int(last[:4]), int(last[4:]), 1)
    nights = {"history": night_in_child(history, work / "nights" / "tousu.duckdb", run)}
    nights["no new file"] = night_in_child(
        history, work / "nights" / "tousu.duckdb", run + timedelta(days=1)
    )
    deep = work / "deep" / "tousu.duckdb"
    if history_copies:
        shutil.rmtree(deep.parent, ignore_errors=True)
        deep.parent.mkdir(parents=True)
        shutil.copyfile(work / "nights" / "tousu.duckdb", deep)
        made = deepen(deep, history_copies, night_end(run + timedelta(days=1), TIMEZONE))
    shutil.copytree(delta, history, dirs_exist_ok=True)
    end = run + timedelta(days=40)
    nights["last month"] = night_in_child(history, work / "nights" / "tousu.duckdb", end)
    nights["last month alone"] = night_in_child(delta, work / "delta" / "tousu.duckdb", end)
    if history_copies:
        nights["last month, deep"] = night_in_child(history, deep, end) | {"deepened": made}
        nights["last month, deep"]["file_gib"] = deep.stat().st_size / 2**30
    return nights


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--history-copies",
        type=int,
        default=0,
        help="also measure the last month's night on the history deepened by this many copies",
    )
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--one-night", nargs=4, metavar=("INBOX", "WAREHOUSE", "DATE", "OUT"))
    args = parser.parse_args(argv)
    if args.one_night:
        inbox, warehouse, run_date, out = args.one_night
        one_night(Path(inbox), Path(warehouse), date.fromisoformat(run_date), Path(out))
        return
    work = args.workdir or Path(tempfile.mkdtemp(prefix="tousu-bench-"))
    inbox, warehouse = work / "inbox", work / "tousu.duckdb"
    for stale in work.glob("tousu*.duckdb*"):
        stale.unlink()

    print(f"generating {args.complaints:,} complaints into {inbox} ...", flush=True)
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tousu.flows.cli",
            "demo-data",
            "--out",
            str(inbox),
            "--complaints",
            str(args.complaints),
            "--seed",
            str(args.seed),
        ],
        check=True,
    )
    generate_s = time.perf_counter() - started

    from tousu.flows.nightly import nightly  # imported late: Prefect's import is not the bench's
    from tousu.flows.quality import source_suites

    timed_gx = source_suites.gx = TimedGX(source_suites.gx)  # the delivery suites' GX calls
    started = time.perf_counter()
    try:
        summary = nightly(inbox=inbox, warehouse=warehouse, run_date=date(2026, 11, 1))
    finally:
        source_suites.gx = timed_gx.gx
    total_s = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    in_gx = {"seconds": timed_gx.seconds, "rows": timed_gx.rows}
    alone = duckdb_alone(inbox)
    views = view_seconds(Path(summary.published))
    report = report_seconds(Path(summary.published), work)
    copies = viewer_copy_seconds(Path(summary.published))
    million = gx_million_rows(Path(summary.published))
    declared = declared_source_load(work)
    nights = incremental_nights(inbox, work, args.history_copies)
    deep_views, deep_copies = {}, {}
    if "last month, deep" in nights:  # the review on the deep history's published copy
        from tousu.flows.settings import published_path_for

        deep_published = published_path_for(work / "deep" / "tousu.duckdb")
        deep_views = view_seconds(deep_published)
        deep_copies = viewer_copy_seconds(deep_published)

    print()
    print(
        f"tousu bench: {args.complaints:,} complaints, {summary.totals().files_new:,} files, "
        f"{summary.totals().rows_read:,} rows"
    )
    print(
        "'alone': DuckDB alone reading a CSV / JSON source's files into a table; for email the "
        "standard library alone parsing and decoding every message, on one core"
    )
    print(
        f"{'source':<14}{'rows':>11}{'seconds':>9}{'rows/s':>10}"
        f"{'alone s':>16}{'rows/s':>11}{'ratio':>7}"
    )
    for c in summary.channels:
        rate = c.rows_read / c.seconds if c.seconds else 0
        line = f"{c.source:<14}{c.rows_read:>11,}{c.seconds:>9.1f}{rate:>10,.0f}"
        if c.source in alone:
            rows, secs = alone[c.source]
            line += f"{secs:>16.2f}{rows / secs:>11,.0f}{c.seconds / secs:>7.1f}x"
        else:
            line += f"{'n/a':>16}"
        print(line)
    stages = summary.stage_seconds
    print(
        f"stages: generate {generate_s:.1f} s (not in total), load {stages['load']:.1f} s, "
        f"core {stages['core']:.1f} s, GX core suites {stages['validate']:.1f} s, "
        f"marts {stages['marts']:.1f} s, GX Data Docs {stages.get('data_docs', 0):.1f} s, "
        f"publish {stages.get('publish', 0):.1f} s"
    )
    print(
        f"nightly total {total_s:.1f} s (including Prefect's temporary server start), "
        f"peak memory {peak_mib:,.0f} MiB, complaints in core {summary.complaints:,}"
    )
    print(
        f"GX source suites in the nightly: {in_gx['seconds']:.1f} s for {in_gx['rows']:,} rows "
        f"({in_gx['seconds'] / total_s:.0%} of the nightly total)"
    )
    rows, framed, seconds, unexpected = million
    print(
        f"GX at {rows:,} rows (ticket events suite, 15 expectations, COMPLETE results): "
        f"{seconds:.1f} s in GX + {framed:.1f} s to build the frame; {unexpected:,} unexpected"
    )
    read, loaded, seconds = declared
    print(
        f"declared source (CFPB mapping, {read:,} records incl. a cut last line): "
        f"{loaded:,} loaded in {seconds:.1f} s ({read / seconds:,.0f} rows/s)"
    )
    print(
        "nights as the history grows (plain steps without Prefect, each in its own process; "
        f"per stage: seconds / peak memory / cores busy, of {cores()}):"
    )
    print(
        f"  {'night':<18}{'files':>7}{'rows':>11}{'seconds':>9}{'peak MiB':>10}{'worker':>8}"
        "  stages"
    )
    for name, n in nights.items():
        stages = ", ".join(
            f"{k} {v:.1f} s/{n['stage_peak_mib'].get(k, 0):,.0f} MiB/"
            f"{n['stage_cpu_seconds'].get(k, 0) / v if v else 0:.1f} cores"
            for k, v in n["stages"].items()
        )
        print(
            f"  {name:<18}{n['files']:>7,}{n['rows_read']:>11,}{n['seconds']:>9.1f}"
            f"{n['peak_mib']:>10,.0f}{n['workers_peak_mib']:>8,.0f}  {stages}"
        )
    ratio = nights["last month"]["seconds"] / nights["last month alone"]["seconds"]
    print(
        f"  the last month's night costs {ratio:.1f}x loading that month into an empty "
        f"warehouse; a night with no new file {nights['no new file']['seconds']:.1f} s"
    )
    if "last month, deep" in nights:
        deep = nights["last month, deep"]
        made = deep["deepened"]
        print(
            f"  deep: the history copied {args.history_copies}x straight into core and raw "
            f"({made['complaints']:,} complaints, {made['raw_ticket_events']:,} raw ticket "
            f"events; copies {made['copy_s']:.1f} s, marts "
            f"{made['marts_s']:.1f} s, not in the night); the warehouse file after the night "
            f"{deep['file_gib']:.1f} GiB, its publish {deep['stages'].get('publish', 0):.1f} s"
        )
    else:
        print("  deep history: not measured (make bench BENCH_HISTORY_COPIES=9 adds it)")
    on_deep = " / on the deep history" if deep_copies else ""
    print(
        "a user's copy of the published warehouse (built at the first page after a night)"
        f"{on_deep}:"
    )
    for label, (n, seconds) in copies.items():
        line = f"  {label:<27}{n:>10,} complaints {seconds:>7.2f} s"
        if label in deep_copies:
            line += f"  /{deep_copies[label][0]:>11,} complaints {deep_copies[label][1]:>7.2f} s"
        print(line)
    print(f"review pages, seconds to render (first / cached){on_deep}:")
    for view, (cold, warm) in views.items():
        line = f"  {Path(view).stem:<15}{cold:>7.2f}{warm:>7.2f}"
        if view in deep_views:
            line += f"  /{deep_views[view][0]:>7.2f}{deep_views[view][1]:>7.2f}"
        print(line)
    month, seconds, sizes = report
    print(
        f"monthly review pack of {month:%Y-%m}, PDF and Excel in zh and en: {seconds:.1f} s ("
        + ", ".join(f"{name} {size / 1024:,.0f} KiB" for name, size in sizes.items())
        + ")"
    )


if __name__ == "__main__":
    main()
