"""Finding complaints by what a person has at hand: a complaint id, phone number, e-mail address,
order, member, social or app user number.

Identifiers are matched as stored in core (phones in E.164, e-mail addresses case-blind), so
the caller runs this on the unmasked published copy and then keeps only what its viewer may see.
"""

from __future__ import annotations

import duckdb

from tousu.warehouse import db

# The identifiers a person can be found by (core.complaints columns), erasure's among them.
PERSON_KEYS = ("phone", "email", "member_no")
SEARCH_KEYS = (*PERSON_KEYS, "order_no", "social_id", "app_user_id", "source_customer_id")


def complaints_carrying(
    con: duckdb.DuckDBPyConnection,
    key: str,
    columns: tuple[str, ...] = SEARCH_KEYS,
    by_id: bool = True,
) -> list[str]:
    """The complaints whose id is the key (if `by_id`) or that carry it in one of `columns`."""
    key = key.strip()
    if not key:
        return []
    phone = db.phone_e164(key) if any(c.isdigit() for c in key) and "@" not in key else None
    terms = ["complaint_id = $key"] if by_id else []
    for column in columns:
        if column == "phone":
            terms.append("phone = $phone")
        elif column == "email":
            terms.append("lower(email) = lower($key)")
        else:
            terms.append(f"upper({column}) = upper($key)")
    rows = con.execute(
        f"SELECT DISTINCT complaint_id FROM core.complaints WHERE {' OR '.join(terms)} ORDER BY 1",
        {"key": key, "phone": phone},
    ).fetchall()
    return [r[0] for r in rows]
