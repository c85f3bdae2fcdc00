"""Reading a source's files before loading: Parquet parts, a pool of worker processes."""

from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.helpers import write_phone
from tousu.flows import reading
from tousu.flows.intake import email
from tousu.flows.intake.delivered import FileRejected
from tousu.flows.loading import InboxFile, load_delivery, load_source, sha256_of
from tousu.flows.reading import FileRead, FileToRead, read_units
from tousu.flows.sources import SOURCES
from tousu.warehouse import db

NIGHT = date(2025, 11, 30)


def write_eml(inbox: Path, folder: str, n: int) -> Path:
    path = inbox / "email" / folder / f"m{n:04d}.eml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        (
            f"From: =?utf-8?b?546L5by6?= <c{n}@163.com>\r\n"
            "To: service@brand.example.cn\r\n"
            f"Subject: =?utf-8?b?5oqV6K+J?= {n}\r\n"
            "Date: Mon, 03 Nov 2025 14:05:22 +0800\r\n"
            f"Message-ID: <m{n}@mail.example>\r\n"
            'Content-Type: text/plain; charset="utf-8"\r\n\r\n'
            f"空气炸锅漏电 {n}\r\n"
        ).encode()
    )
    return path


def failing_reader(path: Path, rel: str):
    """A reader with a bug on one file (module level: it goes to the worker processes)."""
    if path.name == "m0003.eml":
        raise KeyError("boom")
    return email.read(path, rel)


def units_of(inbox: Path) -> list[list[FileToRead]]:
    return [
        [
            FileToRead(str(p), p.relative_to(inbox).as_posix(), "sha")
            for p in sorted(d.glob("*.eml"))
        ]
        for d in sorted((inbox / "email").iterdir())
    ]


def rows_of(parts: list[Path]) -> list[tuple]:
    files = [str(p) for p in parts]
    return duckdb.sql(
        "SELECT _source_file, _row_number, subject, body FROM read_parquet($files, "
        "union_by_name = true) ORDER BY ALL",
        params={"files": files},
    ).fetchall()


def test_a_pool_of_workers_reads_what_one_process_reads(tmp_path, monkeypatch, caplog):
    inbox = tmp_path / "inbox"
    for n in range(1, 8):
        write_eml(inbox, "202511" if n < 5 else "202512", n)
    (inbox / "email" / "202512" / "m0009.eml").write_bytes(b"")  # empty: rejected alone
    monkeypatch.setattr(reading, "POOL_FROM_FILES", 1)
    monkeypatch.setattr(reading, "PART_FILES", 2)  # a folder in several parts
    alone = read_units(failing_reader, units_of(inbox), _folder(tmp_path / "one"), workers=1)
    pooled = read_units(failing_reader, units_of(inbox), _folder(tmp_path / "pool"), workers=2)
    for one, pool in zip(alone, pooled, strict=True):
        assert {k: str(v) for k, v in one.results.items()} == {
            k: str(v) for k, v in pool.results.items()
        }
        assert rows_of(one.parts) == rows_of(pool.parts)
        assert len(pool.parts) == 2
    assert "worker processes stopped" not in caplog.text  # the pool did the reading
    results = pooled[0].results | pooled[1].results
    assert isinstance(results["email/202511/m0003.eml"], FileRejected)
    assert "could not be read (KeyError" in str(results["email/202511/m0003.eml"])
    assert "empty" in str(results["email/202512/m0009.eml"])
    assert results["email/202511/m0001.eml"] == FileRead(1)
    assert [r[0] for r in rows_of(pooled[0].parts)] == [
        "email/202511/m0001.eml",
        "email/202511/m0002.eml",
        "email/202511/m0004.eml",
    ]


def test_a_reader_that_cannot_go_to_a_worker_reads_in_the_night_process(tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    for n in range(1, 4):
        write_eml(inbox, "202511", n)
    monkeypatch.setattr(reading, "POOL_FROM_FILES", 1)
    monkeypatch.setattr(reading, "PART_FILES", 1)
    [read] = read_units(
        lambda path, rel: email.read(path, rel),  # a lambda cannot be pickled
        units_of(inbox),
        _folder(tmp_path / "parts"),
        workers=2,
    )
    assert len(rows_of(read.parts)) == 3


def test_the_nights_scratch_folder_is_empty_after_each_source(
    warehouse, tmp_path, monkeypatch, caplog
):
    _, con = warehouse
    inbox, scratch = tmp_path / "inbox", tmp_path / "tousu.duckdb.incoming"
    for n in range(1, 6):
        write_eml(inbox, "202511", n)
    monkeypatch.setattr(reading, "POOL_FROM_FILES", 1)
    outcomes = load_source(con, inbox, SOURCES["email"], "r1", NIGHT, scratch=scratch)
    assert {o.status for o in outcomes} == {"loaded"} and len(outcomes) == 5
    assert con.execute("SELECT count(*) FROM raw.email_messages").fetchone() == (5,)
    assert list(scratch.iterdir()) == []
    assert "one by one" not in caplog.text  # validated ahead, in one batch
    # A source stopped for a changed layout leaves nothing behind either.
    (inbox / "phone").mkdir()
    (inbox / "phone" / "callcenter_202511.csv").write_bytes("编号,时间\r\n1,2\r\n".encode("gbk"))
    write_phone(inbox, "callcenter_202512.csv", [])
    stopped = load_source(con, inbox, SOURCES["phone"], "r1", NIGHT, scratch=scratch)
    assert sorted(o.status for o in stopped) == ["failed", "held"]
    assert list(scratch.iterdir()) == []


def _folder(path: Path) -> Path:
    path.mkdir(parents=True)
    return path


@pytest.fixture(autouse=True)
def _no_stray_workers():
    """Every worker process the pool started has ended when a test ends."""
    import multiprocessing

    yield
    assert multiprocessing.active_children() == []


def test_validating_a_nights_deliveries_together_quarantines_as_one_by_one(tmp_path):
    """The nightly validates deliveries ahead, several per GX run; the onboarding check loads a
    delivery that validates itself. Same files, same quarantine and check results."""
    inbox = tmp_path / "inbox"
    good = "CALL{n},2025/11/0{n} 10:00:00,,1381234567{n},张伟,,电饭煲坏了,退款,A1"
    write_phone(inbox, "callcenter_202510.csv", [good.format(n=1), good.format(n=2)])
    write_phone(
        inbox,
        "callcenter_202511.csv",
        [
            good.format(n=1),  # the same record again: skipped, not validated
            "CALL3,2025/11/31 10:00:00,,13812345673,李娜,,耳机没声音,换货,A1",
            "CALL4,2025/11/04 10:00:00,,1381234,王芳,,快递丢了,退款,A1",
        ],
    )
    write_phone(inbox, "callcenter_202512.csv", ["CALL5,2025/12/05 10:00:00,,,,,,道歉,A1"])

    def facts(con) -> tuple:
        return (
            con.execute(
                "SELECT file, row_number, check_name, reason FROM ops.quarantine ORDER BY ALL"
            ).fetchall(),
            con.execute(
                "SELECT f.path, d.check_name, d.rows_checked, d.rows_failed, d.success "
                "FROM ops.dq_results d JOIN ops.file_loads f USING (load_id) "
                "WHERE d.suite <> 'batch' ORDER BY ALL"
            ).fetchall(),
            con.execute(
                "SELECT call_id, _source_file FROM raw.phone_calls ORDER BY ALL"
            ).fetchall(),
        )

    together = db.connect(tmp_path / "together.duckdb")
    db.migrate(together)
    load_source(together, inbox, SOURCES["phone"], "r1", NIGHT)
    one_by_one = db.connect(tmp_path / "one.duckdb")
    db.migrate(one_by_one)
    for path in sorted((inbox / "phone").iterdir()):
        rel = path.relative_to(inbox).as_posix()
        load_delivery(
            one_by_one,
            SOURCES["phone"],
            [InboxFile(str(path), rel, sha256_of(path), path.stat().st_size)],
            "r1",
            NIGHT,
        )
    assert facts(together) == facts(one_by_one)
    quarantined, checks, loaded = facts(together)
    assert len(quarantined) == 3 and len(loaded) == 2
    assert {c[3] for c in checks} == {0, 1}


def test_a_source_lists_its_files_in_pathlibs_order_hidden_ones_included(tmp_path):
    inbox = tmp_path / "inbox"
    for rel in [
        "email/2025-11/b.eml",
        "email/2025/a.eml",
        "email/2025/sub/c.eml",
        "email/2025/z.eml",
        "email/.hidden/d.eml",
        "email/2025/.e.eml",
        "email/x.eml/not-a-message.txt",
    ]:
        (inbox / rel).parent.mkdir(parents=True, exist_ok=True)
        (inbox / rel).write_text("x")
    (inbox / "email" / "folder.eml").mkdir()  # a folder named like a message: not a file
    source = SOURCES["email"]
    by_pathlib = sorted(
        p for pattern in source.patterns for p in inbox.glob(pattern) if p.is_file()
    )
    assert source.files(inbox) == by_pathlib
    assert source.relative_files(inbox)[0] == "email/.hidden/d.eml"


def test_workers_start_whatever_the_nights_main_module_is(tmp_path, monkeypatch, caplog):
    """A spawned worker would run the parent's __main__ file again: here a page that fails when
    run (as a Streamlit page run by an earlier test in the same process did)."""
    import sys
    import types

    page = tmp_path / "page.py"
    page.write_text('raise SystemExit("this page runs only in Streamlit")\n')
    main = types.ModuleType("__main__")
    main.__file__ = str(page)
    monkeypatch.setitem(sys.modules, "__main__", main)
    inbox = tmp_path / "inbox"
    for n in range(1, 5):
        write_eml(inbox, "202511", n)
    monkeypatch.setattr(reading, "POOL_FROM_FILES", 1)
    monkeypatch.setattr(reading, "PART_FILES", 2)
    [read] = read_units(email.read, units_of(inbox), _folder(tmp_path / "parts"), workers=2)
    assert "worker processes stopped" not in caplog.text
    assert len(rows_of(read.parts)) == 4
    assert sys.modules["__main__"] is main  # given back
