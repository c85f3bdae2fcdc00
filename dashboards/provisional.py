"""Marking numbers provisional where the data behind them failed validation, by how much.

mart.provisional_problems lists each problem behind a provisional month with its size;
warehouse/data_gaps.py gives each month one status for the channel filter (alarm, minor gap,
acknowledged). Pages call these helpers so the warning over the figures, a chart's colour and a
table's column always agree, with the reasons one click away.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import altair as alt
import polars as pl
import streamlit as st

from tousu.dashboards.data import plans_path, query
from tousu.dashboards.i18n import code_label, t
from tousu.dashboards.tables import percent
from tousu.warehouse import data_gaps
from tousu.warehouse.acknowledgements import in_force

ALL = data_gaps.ALL
# A status's colour on every chart: an alarm stands out, a small or acknowledged gap does not.
COLOURS = {"final": "#4c78a8", "minor": "#9ecae9", "acknowledged": "#9d9d9d", "alarm": "#f58518"}


def problems() -> pl.DataFrame:
    return query("SELECT * FROM mart.provisional_problems ORDER BY month, channel, source")


def acknowledged() -> list[tuple[str, str]]:
    """The (source, check) pairs acknowledged and in force today (read from the app's file, so
    an acknowledgement shows at once)."""
    return [(a.source, a.check_name) for a in in_force(plans_path(), date.today())]


def statuses(channel: str = ALL, months: Sequence[date | None] | None = None) -> pl.DataFrame:
    """One row per provisional month of the channel filter: status, size of the gap, reasons."""
    wanted = None if months is None else [m for m in months if m is not None]
    return data_gaps.month_status(problems(), acknowledged(), channel, wanted)


def gap_text(row: dict) -> str:
    """'2026-02: 2 of 86 records missing (2.3 %)', or the files missing."""
    month = f"{row['month']:%Y-%m}"
    parts = []
    if row["missing"] is not None and row["rows"] is not None:
        parts.append(
            t("gap_rows").format(
                missing=row["missing"],
                rows=row["rows"] + row["missing"],
                unit=code_label(row["unit"]),
                share=percent(row["share"] or 0),
            )
        )
    if row["files_missing"]:
        parts.append(t("gap_files").format(n=row["files_missing"]))
    return f"{month}: {', '.join(parts)}"


def provisional_note(months: Sequence[date | None], channel: str = ALL) -> bool:
    """Over the page's figures: an alarm for months whose gap is large, a note for small or
    acknowledged gaps, each with its size; the reasons one click away. Return whether any."""
    rows = statuses(channel, months)
    if not rows.height:
        return False
    found = list(rows.iter_rows(named=True))
    by_status = {s: [r for r in found if r["status"] == s] for s in data_gaps.STATUSES}
    if by_status["alarm"]:
        st.warning(
            f"{t('provisional')}: {'; '.join(map(gap_text, by_status['alarm']))}. "
            f"{t('provisional_why')}",
            icon=":material/warning:",
        )
    if by_status["minor"]:
        st.caption(f"{t('gap_minor')}: {'; '.join(map(gap_text, by_status['minor']))}")
    if by_status["acknowledged"]:
        st.caption(
            f"{t('gap_acknowledged')}: {'; '.join(map(gap_text, by_status['acknowledged']))}"
        )
    with st.expander(t("provisional_reasons")):
        st.dataframe(
            rows.select(
                pl.col("month").dt.strftime("%Y-%m").alias(t("month")),
                pl.col("status").replace_strict(status_labels()).alias(t("data_status")),
                # texts made here, in the script thread (t() needs the session's language)
                pl.Series(t("gap"), [gap_text(r) for r in found], dtype=pl.String),
                pl.col("reasons").alias(t("reason")),
            ),
            hide_index=True,
            width="stretch",
        )
        st.page_link("views/data_quality.py", label=t("data_quality"), icon=":material/search:")
    return True


def status_labels() -> dict[str, str]:
    return {s: t(f"data_{s}") for s in data_gaps.STATUSES}


def data_status(column: str = "month", channel: str = ALL) -> pl.Expr:
    """Each month's status label (final, small gap, provisional, acknowledged), for a chart's
    colour: the same status the warning above the chart names."""
    found = statuses(channel)
    labels = status_labels()
    mapping = {m: labels[s] for m, s in zip(found["month"], found["status"], strict=True)}
    return (
        pl.col(column)
        .dt.truncate("1mo")
        .cast(pl.Date)
        .replace_strict(mapping, default=labels["final"], return_dtype=pl.String)
        .alias(t("data_status"))
    )


def status_colour() -> alt.Color:
    """An altair colour encoding of the data_status column with the fixed colours."""
    labels = status_labels()
    return alt.Color(
        f"{t('data_status')}:N",
        title=t("data_status"),
        scale=alt.Scale(
            domain=[labels[s] for s in data_gaps.STATUSES],
            range=[COLOURS[s] for s in data_gaps.STATUSES],
        ),
    )


def mark_months(frame: pl.DataFrame, channel: str = ALL, column: str = "month") -> pl.DataFrame:
    """Add a data-status column: empty for a final month, else its status (⚠ for an alarm)."""
    labels = status_labels()
    marks = {labels["final"]: "", labels["alarm"]: f"⚠ {labels['alarm']}"}
    return frame.with_columns(data_status(column, channel).replace(marks).alias(t("data_status")))
