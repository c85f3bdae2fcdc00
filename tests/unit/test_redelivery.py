"""Records delivered again, classified by the real SQL against the rule written out in Python."""

import random
import unicodedata
from datetime import datetime, timedelta

import pytest

from tousu.flows.intake import redelivery

# Spaces are what trim removes: every Unicode space separator (a GBK export's full-width
# U+3000, a web form's no-break U+00A0), not tabs.
IDS = ["A1", " A1", "A1 ", "  A1  ", "A1\u3000", "B2", "B2 ", "\u00a0B2", "", " ", "\u3000", None]
IDS += ["C3", "\tC3", "C3\u2003"]
SPACES = "".join(c for c in map(chr, range(0x110000)) if unicodedata.category(c) == "Zs")


def rows_of(seed: int) -> list[tuple]:
    """Three earlier deliveries and tonight's: ids with and without spaces at either end (what
    the rule trims), blank and missing ids, repeats within a delivery, some superseded."""
    rng = random.Random(seed)
    start = datetime(2025, 11, 1)
    rows = []
    for load in range(4):
        for file in range(rng.randint(1, 2)):
            for row in range(1, rng.randint(2, 9)):
                rows.append(
                    (
                        rng.choice(IDS),
                        rng.choice(["x", "y"]),  # the content: same or changed
                        rng.choice(["p", "q"]),
                        f"L{load}",
                        f"f{load}-{file}.csv",
                        row,
                        start + timedelta(days=load, seconds=rng.randint(0, 5)),
                        f"L{rng.randint(0, 3)}" if load < 3 and rng.random() < 0.2 else None,
                    )
                )
    return rows


def expected(rows: list[tuple], load: str) -> list[tuple]:
    """The rule: an id (trimmed of spaces, blank = none) repeated within the delivery is a
    duplicate or conflict of its first copy (by file and row); a first copy whose id is in
    force from an earlier delivery (not superseded; the latest loaded, then file, then row) is
    a duplicate or correction of it."""

    def key(r):
        k = r[0].strip(SPACES) if r[0] is not None else None
        return k or None

    def changed(n, o):
        return [c for c, i in (("a", 1), ("b", 2)) if n[i] != o[i]]

    tonight = sorted((r for r in rows if r[3] == load), key=lambda r: (r[4], r[5]))
    firsts, out = {}, []
    for n in tonight:
        k = key(n)
        if k is None:
            continue
        if k in firsts:
            o = firsts[k]
            kind = "duplicate" if not changed(n, o) else "conflict"
            out.append((n[4], n[5], k, o[4], o[5], True, kind))
            continue
        firsts[k] = n
        earlier = [r for r in rows if r[3] != load and r[7] is None and key(r) == k]
        if earlier:
            o = max(earlier, key=lambda r: (r[6], r[4], r[5]))
            kind = "duplicate" if not changed(n, o) else "correction"
            out.append((n[4], n[5], k, o[4], o[5], False, kind))
    return sorted(out)


# Without history, a first delivery: only its own repeats count (classify looks for those and
# for earlier ids before it compares anything).
@pytest.mark.parametrize("history", [True, False])
@pytest.mark.parametrize("seed", range(12))
def test_redeliveries_are_classified_by_the_rule(warehouse, seed, history):
    _, con = warehouse  # the warehouse's macros (stg.blank_to_null)
    con.execute(
        "CREATE TABLE raw_t (rid VARCHAR, a VARCHAR, b VARCHAR, _load_id VARCHAR, "
        "_source_file VARCHAR, _row_number INTEGER, _loaded_at TIMESTAMP, _superseded_by VARCHAR)"
    )
    rows = [r for r in rows_of(seed) if history or r[3] == "L3"]
    con.executemany("INSERT INTO raw_t VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    redelivery.classify(con, "raw_t", "rid", "L3", "s", by_source=False)
    got = con.execute(
        "SELECT _source_file, _row_number, record_key, previous_file, previous_row_number, "
        "in_delivery, kind FROM redelivered ORDER BY ALL"
    ).fetchall()
    assert got == expected(rows, "L3")
    assert any(r[0] != (r[0] or "").strip(SPACES) for r in rows)  # spaces at an end are drawn


def test_an_id_delivered_again_with_a_full_width_or_no_break_space_is_the_same_record(warehouse):
    """A record first exported with a full-width space after its id (a GBK spreadsheet) and
    delivered again without it, or with a no-break space, is the same record: a correction or a
    duplicate, never a second record. A tab is not a space: that id is another record."""
    _, con = warehouse
    con.execute(
        "CREATE TABLE raw_t (rid VARCHAR, a VARCHAR, b VARCHAR, _load_id VARCHAR, "
        "_source_file VARCHAR, _row_number INTEGER, _loaded_at TIMESTAMP, _superseded_by VARCHAR)"
    )
    before, tonight = datetime(2026, 10, 1), datetime(2026, 10, 2)
    rows = [
        ("A1\u3000", "x", "p", "L0", "old.csv", 1, before, None),
        ("\u00a0B2", "x", "p", "L0", "old.csv", 2, before, None),
        ("C3", "x", "p", "L0", "old.csv", 3, before, None),
        ("A1", "y", "p", "L1", "new.csv", 1, tonight, None),
        ("B2\u00a0", "x", "p", "L1", "new.csv", 2, tonight, None),
        ("\tC3", "y", "p", "L1", "new.csv", 3, tonight, None),
    ]
    con.executemany("INSERT INTO raw_t VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    redelivery.classify(con, "raw_t", "rid", "L1", "s", by_source=False)
    got = con.execute(
        "SELECT _row_number, record_key, previous_row_number, kind FROM redelivered ORDER BY 1"
    ).fetchall()
    assert got == [(1, "A1", 1, "correction"), (2, "B2", 2, "duplicate")]
    redelivery.supersede_corrected(con, "raw_t", "rid", "L1", "s", by_source=False)
    superseded = con.execute("SELECT rid FROM raw_t WHERE _superseded_by = 'L1'").fetchall()
    assert superseded == [("A1\u3000",)]


def test_trim_changes_says_whether_duckdb_trim_changes_a_string(warehouse):
    """stg.trim_changes (a cheap test for a space at an end) agrees with trim itself for every
    character at either end, ASCII-only strings and others alike."""
    _, con = warehouse
    con.execute(
        "CREATE TABLE s AS SELECT unnest([c || 'x', 'x' || c, '投诉' || c]) AS v "
        "FROM (SELECT chr(i::INTEGER) AS c FROM range(1, 1114112) r(i) "
        "WHERE i NOT BETWEEN 55296 AND 57343)"  # surrogates are no characters
    )
    [(differ, checked)] = con.execute(
        "SELECT count(*) FILTER (stg.trim_changes(v) IS DISTINCT FROM (v <> trim(v))), "
        "count(*) FILTER (v <> trim(v)) FROM s"
    ).fetchall()
    assert (differ, checked) == (0, 3 * len(SPACES))
