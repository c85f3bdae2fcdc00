"""Records delivered again, classified by the real SQL against the rule written out in Python."""

import random
from datetime import datetime, timedelta

import pytest

from tousu.flows.intake import redelivery

IDS = ["A1", " A1", "A1 ", "  A1  ", "B2", "B2 ", "", " ", None, "C3", "\tC3"]


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
        k = r[0].strip(" ") if r[0] is not None else None
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
    assert any(r[0] != (r[0] or "").strip(" ") for r in rows)  # spaces at an end are drawn
