"""The demo inbox: deterministic, 13 months, native shapes, defects recorded in the manifest."""

import hashlib
from datetime import date

from tousu.flows.demo.defects import KINDS
from tousu.flows.demo.generator import generate, thirteen_months_before


def digest(folder):
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(path.relative_to(folder).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def test_same_seed_same_inbox_other_seed_other_inbox(tmp_path):
    a = generate(tmp_path / "a", 150, seed=3)
    b = generate(tmp_path / "b", 150, seed=3)
    c = generate(tmp_path / "c", 150, seed=4)
    assert a == b and digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a") != digest(tmp_path / "c") and a != c


def test_thirteen_whole_months():
    assert thirteen_months_before(date(2026, 10, 31)) == date(2025, 10, 1)
    assert thirteen_months_before(date(2026, 1, 15)) == date(2025, 1, 1)


def test_inbox_has_every_channel_in_its_native_shape_and_every_defect_kind(small_inbox):
    inbox, manifest = small_inbox
    assert manifest["from"] == "2025-10-01" and manifest["until"] == "2026-10-31"
    assert set(manifest["by_channel"]) == {"phone", "chat", "email", "social", "store", "webform"}
    months = {p.stem[-6:] for p in (inbox / "phone").glob("callcenter_??????.csv")}
    assert len(months) == 13
    assert {p.suffix for p in inbox.rglob("*") if p.is_file()} == {
        ".csv",
        ".jsonl",
        ".eml",
        ".json",
        ".xlsx",
    }
    phone_csv = next((inbox / "phone").glob("*.csv")).read_bytes()
    assert "通话编号".encode("gbk") in phone_csv
    assert b"=?gb2312?B?" in b"".join(p.read_bytes() for p in (inbox / "email").rglob("*.eml"))
    planted = {d["kind"] for d in manifest["defects"]}
    assert planted == set(KINDS)
    assert manifest["open_complaints"] > 0
