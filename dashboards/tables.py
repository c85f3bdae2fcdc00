"""Tables as a person reads them, in the page's language (every st.dataframe goes through here).

- Headers and coded values (clock, channel, status, ...) from the translation table (i18n.py),
  looked up in the script thread (a label function called from polars' worker threads has no
  session and fell back to Chinese).
- Rates as percentages with one rounding (a stored 0.7735 shows 77.4 %, not 77.3 %: the stored
  value's decimal digits are rounded half up, not its binary neighbour), months as 2026-10, times
  in the company's zone without microseconds, thousands separators, empty cells empty.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import polars as pl
import polars.selectors as cs
import streamlit as st

from tousu.dashboards.data import FirstRows
from tousu.dashboards.i18n import column_label, t, value_labels

# Columns holding a share between 0 and 1 (shown as a percentage).
RATE = re.compile(r"(_rate|_share|^share|^csat|^sla_compliance|^sla|^checks_passed)$")
# Columns holding the first day of a month (shown as 2026-10).
MONTH = re.compile(r"^(month|months?_start)$")


def percent(value: float | None, digits: int = 1) -> str:
    """A share as a percentage, rounded once, half up: 0.7735 -> '77.4 %'; None -> ''."""
    if value is None:
        return ""
    exact = Decimal(repr(value)) * 100
    return f"{exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)} %"


def percent_value(value: float | None, digits: int = 1) -> float | None:
    """A share as a number of percent, rounded once, half up (for a sortable column)."""
    if value is None:
        return None
    exact = Decimal(repr(value)) * 100
    return float(exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def readable(frame: pl.DataFrame) -> tuple[pl.DataFrame, dict]:
    """The frame as shown, and Streamlit's column settings for it (before headers change)."""
    config: dict = {}
    exprs: list[pl.Expr] = []
    rates: list[pl.Series] = []
    labels_of = value_labels()
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if name in labels_of:
            exprs.append(column.cast(pl.String).replace(labels_of[name]))
        elif RATE.search(name) and dtype.is_numeric():
            # the stored rate rounded once to a number of percent: sortable, shown with '%'
            rates.append(pl.Series(name, [percent_value(v) for v in frame[name]], pl.Float64))
            config[name] = st.column_config.NumberColumn(format="%.1f %%")
        elif dtype == pl.Date and MONTH.search(name):
            exprs.append(column.dt.strftime("%Y-%m"))
        elif isinstance(dtype, pl.Datetime):  # data.query gives them in the company's zone
            exprs.append(column.dt.strftime("%Y-%m-%d %H:%M:%S"))
        elif dtype == pl.Date:
            exprs.append(column.dt.strftime("%Y-%m-%d"))
        elif dtype.is_numeric():
            config[name] = st.column_config.NumberColumn(format="localized")
        elif dtype == pl.Null:  # a column of nothing but empty cells
            exprs.append(column.cast(pl.String))
        elif isinstance(dtype, pl.List):
            exprs.append(column.cast(pl.List(pl.String)).list.join(", "))
    shown = frame.with_columns(*exprs, *rates).with_columns(cs.string().fill_null(""))
    return shown, config


def show(frame: pl.DataFrame, key: str | None = None, **options):
    """st.dataframe of a frame made readable; `options` pass on (selection, height, ...).
    Returns Streamlit's selection event when `on_select` is given."""
    shown, config = readable(frame)
    config.update(options.pop("column_config", {}))
    labels: dict[str, str] = {}
    for name in frame.columns:  # two columns with one header: the second says which it is
        label = column_label(name)
        labels[name] = f"{label} ({name})" if label in labels.values() else label
    settings = {}
    for name, setting in config.items():
        if name not in labels:  # a setting for a column this frame does not have
            continue
        setting = dict(setting)
        setting["label"] = setting.get("label") or labels[name]
        settings[labels[name]] = setting
    return st.dataframe(  # type: ignore[call-overload]
        shown.rename(labels),
        hide_index=True,
        width="stretch",
        key=key,
        column_config=settings,
        **options,
    )


def note_first_rows(rows: FirstRows, filtered: bool = True) -> None:
    """Say that a list shows only its first rows (dashboards/data.first_rows), and, when the
    page's filters choose its rows, that narrowing them shows the rest."""
    if rows.cut:
        note = "first_rows" if filtered else "first_rows_unfiltered"
        st.caption(t(note).format(shown=rows.frame.height, total=rows.total))
