"""How much a provisional month lacks, and whether that is an alarm, acknowledged, or minor.

mart.provisional_problems lists each problem behind a provisional month with its size (rows
missing of the month's rows, per unit: records, events, follow-ups, core rows; a file not loaded
has no known size). This module turns it into one status per month for a channel filter, the
same for every page, chart and report:

- ``acknowledged``: every problem of the month is acknowledged (plans.dq_acknowledgements, in
  force today): a person knows the gap and said why; the numbers still lack the rows.
- ``alarm``: a file is missing, or the share missing of some unit reaches the alarm share
  (expectations/thresholds.yml, ``provisional.alarm_share``).
- ``minor``: a gap below it: stated, not coloured as an alarm.

Plain functions over polars frames: the app and the monthly report call them with what they read.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import polars as pl

from tousu.flows.intake.thresholds import load_thresholds

ALL = "(all)"
STATUSES = ("final", "minor", "alarm", "acknowledged")


def alarm_share() -> float:
    return load_thresholds().provisional.alarm_share


def for_channel(problems: pl.DataFrame, channel: str) -> pl.DataFrame:
    """The problems a channel filter's figures rest on: that channel's and every channel's."""
    if channel == ALL:
        return problems
    return problems.filter(pl.col("channel").is_in([channel, ALL]))


def unit_gaps(problems: pl.DataFrame, channel: str) -> pl.DataFrame:
    """Per month and unit: rows missing and the month's rows of the unit (its denominator).

    A delivery's missing rows count once however many of its checks failed; the denominator is
    the channel's rows, or every channel's when no channel is chosen."""
    rows_col = "all_rows" if channel == ALL else "unit_rows"
    sized = for_channel(problems, channel).filter(pl.col("unit") != "files")
    missing = (
        sized.unique(["month", "unit", "load_id"])
        .group_by("month", "unit")
        .agg(pl.col("rows_missing").sum().alias("missing"))
    )
    # every channel's rows are already in all_rows; a channel's, once per channel
    denominators = (
        sized.unique(["month", "unit"] if channel == ALL else ["month", "unit", "channel"])
        .group_by("month", "unit")
        .agg(pl.col(rows_col).sum().alias("rows"))
    )
    return (
        missing.join(denominators, on=["month", "unit"])
        .with_columns(
            (pl.col("missing") / (pl.col("rows") + pl.col("missing"))).fill_nan(None).alias("share")
        )
        .sort("month", "unit")
    )


def month_status(
    problems: pl.DataFrame,
    acknowledged: Iterable[tuple[str, str]],
    channel: str = ALL,
    months: Iterable[date] | None = None,
    alarm: float | None = None,
) -> pl.DataFrame:
    """One row per provisional month of the channel filter (restricted to `months` if given):
    status, the largest share missing and its unit, rows missing of rows, files missing, problems
    and how many of them are acknowledged, the reasons."""
    alarm = alarm_share() if alarm is None else alarm
    found = for_channel(problems, channel)
    if months is not None:
        found = found.filter(pl.col("month").is_in(list(months)))
    schema = {
        "month": pl.Date,
        "status": pl.String,
        "unit": pl.String,
        "missing": pl.Int64,
        "rows": pl.Int64,
        "share": pl.Float64,
        "files_missing": pl.UInt32,
        "problems": pl.UInt32,
        "acknowledged": pl.UInt32,
        "reasons": pl.String,
    }
    if not found.height:
        return pl.DataFrame(schema=schema)
    acks = pl.DataFrame(
        list(acknowledged), schema={"source": pl.String, "check_name": pl.String}, orient="row"
    ).with_columns(pl.lit(True).alias("is_acknowledged"))
    found = found.join(acks.unique(), on=["source", "check_name"], how="left")
    per_problem = found.unique(["month", "source", "check_name", "reason"])
    summary = per_problem.group_by("month").agg(
        pl.len().cast(pl.UInt32).alias("problems"),
        pl.col("is_acknowledged").fill_null(False).sum().cast(pl.UInt32).alias("acknowledged"),
        (pl.col("unit") == "files").sum().cast(pl.UInt32).alias("files_missing"),
        pl.col("reason").unique().sort().str.join("; ").alias("reasons"),
    )
    # the unit whose share missing is largest speaks for the month
    worst = (
        unit_gaps(found, channel)
        .sort("share", descending=True, nulls_last=True)
        .group_by("month", maintain_order=True)
        .first()
        .select("month", "unit", "missing", "rows", "share")
    )
    frame = summary.join(worst, on="month", how="left").with_columns(
        pl.when(pl.col("acknowledged") == pl.col("problems"))
        .then(pl.lit("acknowledged"))
        .when((pl.col("files_missing") > 0) | (pl.col("share").fill_null(0) >= alarm))
        .then(pl.lit("alarm"))
        .otherwise(pl.lit("minor"))
        .alias("status")
    )
    return frame.select(list(schema)).cast(schema).sort("month")  # type: ignore[arg-type]


def status_of(statuses: pl.DataFrame, month: date) -> str:
    """A month's status: 'final' when it is not provisional."""
    row = statuses.filter(pl.col("month") == month)
    return row["status"][0] if row.height else "final"
