"""Marking numbers provisional where the data behind them failed validation.

mart.provisional_months lists the months and channels whose data failed a check (rows beyond a
check's tolerance, files not loaded, a core table's suite). Pages call these helpers so a
provisional month is marked wherever it is shown, with the reasons one click away.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl
import streamlit as st

from tousu.dashboards.data import query
from tousu.dashboards.i18n import t

ALL = "(all)"


def provisional(months: Sequence[date | None], channel: str = ALL) -> pl.DataFrame:
    """The provisional rows touching these months (and this channel, or every channel)."""
    months = [m for m in months if m is not None]
    if not months:
        return pl.DataFrame()
    return query(
        """
        SELECT month, channel, reasons FROM mart.provisional_months
        WHERE list_contains(?::DATE[], month) AND (? = '(all)' OR channel IN (?, '(all)'))
        ORDER BY month, channel""",
        months,
        channel,
        channel,
    )


def provisional_months(channel: str = ALL) -> set[date]:
    """Every provisional month for a channel filter (for marking a column of a trend table)."""
    rows = query(
        "SELECT DISTINCT month FROM mart.provisional_months "
        "WHERE ? = '(all)' OR channel IN (?, '(all)')",
        channel,
        channel,
    )
    return set(rows["month"].to_list())


def provisional_note(months: Sequence[date | None], channel: str = ALL) -> bool:
    """A warning over the page's figures when any of their months is provisional; return it."""
    rows = provisional(months, channel)
    if not rows.height:
        return False
    shown = ", ".join(sorted({f"{m:%Y-%m}" for m in rows["month"]}))
    st.warning(f"{t('provisional')}: {shown}. {t('provisional_why')}", icon=":material/warning:")
    with st.expander(t("provisional_reasons")):
        st.dataframe(
            rows.with_columns(pl.col("month").dt.strftime("%Y-%m")),
            hide_index=True,
            width="stretch",
        )
        st.page_link("views/data_quality.py", label=t("data_quality"), icon=":material/search:")
    return True


def data_status(column: str = "month", channel: str = ALL) -> pl.Expr:
    """'provisional' or 'final' for each month of a column (for a chart's colour)."""
    return (
        pl.when(pl.col(column).is_in(list(provisional_months(channel))))
        .then(pl.lit(t("provisional_column")))
        .otherwise(pl.lit(t("final")))
        .alias(t("data_status"))
    )


def mark_months(frame: pl.DataFrame, channel: str = ALL, column: str = "month") -> pl.DataFrame:
    """Add a `provisional` column (⚠ on the months whose data failed validation)."""
    return frame.with_columns(
        (data_status(column, channel) == t("provisional_column"))
        .replace_strict({True: "⚠", False: ""}, return_dtype=pl.String)
        .alias(t("provisional_column"))
    )
