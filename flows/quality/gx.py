"""Running our suite files with Great Expectations 1.x on pandas frames.

Suite files (expectations/*.json) list GX expectation types and kwargs with our own `meta`
(the check's name, its reason in English and Chinese). GX's SQL path does not work with DuckDB
(STACK_NOTES), so frames are handed to GX's pandas data source. One ephemeral context per
process holds every suite: building suites and validation definitions costs more than small
deliveries do, so each is built once.

The context is per-process state, and so are the validation results it keeps for the night's
Data Docs (forget_results at the night's start, build_data_docs at its end): the Data Docs show
the validations run in the process that builds them. The nightly flow therefore runs every task
in its own process (flows/nightly.py names its task runner, threads); a runner that sent tasks
to other processes or machines would leave the Data Docs without the deliveries' validations
(the results themselves are also in ops.dq_results, which does not depend on it).
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pandas as pd

SUITES_DIR = Path(__file__).resolve().parents[2] / "expectations"


def read_suite(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def expectation_name(expectation: dict) -> str:
    """e.g. expect_column_values_to_be_in_set(category)."""
    kwargs = expectation["kwargs"]
    columns = [kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs]
    return f"{expectation['type']}({', '.join(columns)})"


@cache
def _context():
    import great_expectations as gx

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.execution_engine import pandas_execution_engine

    # GX fingerprints every in-memory frame under 1 GB by hashing all its values (a quarter of
    # a 262,144-row batch's validation); our frames are validated once and never looked up by
    # fingerprint, so none is taken.
    pandas_execution_engine.HASH_THRESHOLD = 0
    _filter_once(pandas_execution_engine.PandasExecutionEngine)
    context = gx.get_context(mode="ephemeral")
    # One progress bar per delivery would bury the nightly's log.
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context, context.data_sources.add_pandas("tousu")


# Each row condition's rows of the frame being validated: (the frame, its filtered rows) by the
# frame's id and the condition, emptied when a run ends.
_filtered: dict[tuple, tuple[pd.DataFrame, pd.DataFrame]] = {}


def _filter_once(engine) -> None:
    """Make GX filter a frame by a row condition once per run, not once per metric.

    GX's pandas engine filters the whole batch again for every metric of an expectation with a
    row condition: about 50 filters of each ticket-events batch, whose 9 conditional
    expectations share one condition (20 of the 41 s GX took on a first night's 7.8M events;
    one 524,288-row batch 1.5 s instead of 0.5). GX gives an expectation without a condition
    the batch frame itself, shared by every metric, so metrics do not change the frame they
    get, and one filtered frame can be shared the same way."""
    apply = engine._apply_row_condition_filter

    def once(self, data, row_condition, domain_kwargs):
        key = (id(data), repr(row_condition), domain_kwargs.get("condition_parser"))
        held = _filtered.get(key)
        if held is None or held[0] is not data:  # the entry holds `data`: its id is not reused
            held = _filtered[key] = (data, apply(self, data, row_condition, domain_kwargs))
        return held[1]

    engine._apply_row_condition_filter = once


def validation_definition(spec: dict, mostly: tuple[float, ...] | None = None):
    """The GX validation definition of a suite file (built once per process).

    `mostly` gives each expectation its tolerance (from expectations/thresholds.yml), so GX's
    own success agrees with what ops.dq_results records.
    """
    key = (json.dumps(spec, sort_keys=True, ensure_ascii=False), mostly)
    built = _built.get(spec["name"])
    if built is None or built[0] != key:
        _built[spec["name"]] = (key, _definition(*key))
    return _built[spec["name"]][1]


# suite name -> (what it was built from, its validation definition). Data Docs name suites by
# their file's name, so a suite whose file or tolerances changed replaces the one built before.
_built: dict[str, tuple] = {}


def _definition(spec_json: str, mostly: tuple[float, ...] | None):
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    spec = json.loads(spec_json)
    context, source = _context()
    name = spec["name"]
    if name in _built:
        context.validation_definitions.delete(name)
        context.suites.delete(name)
        source.delete_asset(name)
    suite = context.suites.add(gx.ExpectationSuite(name=name))
    for i, e in enumerate(spec["expectations"]):
        kwargs = dict(e["kwargs"])
        if mostly is not None and mostly[i] < 1:
            kwargs["mostly"] = mostly[i]
        suite.add_expectation(
            ExpectationConfiguration(
                type=e["type"], kwargs=kwargs, meta={**e.get("meta", {}), "position": i}
            ).to_domain_obj()
        )
    batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("whole")
    return context.validation_definitions.add(
        gx.ValidationDefinition(name=name, data=batch, suite=suite)
    )


def run(
    definition,
    frame: pd.DataFrame,
    parameters: dict | None = None,
    result_format: str | dict = "SUMMARY",
    name: str | None = None,
):
    """Validate a frame (kept for the night's Data Docs under `name`).

    GX's progress bars and deprecation chatter are not ours to show.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return definition.run(
                batch_parameters={"dataframe": frame},
                expectation_parameters=parameters or {},
                result_format=result_format,
                run_id=run_name(name) if name else None,
            )
        finally:
            _filtered.clear()  # the filtered frames are this run's only
            _forget_batch()


def _forget_batch() -> None:
    """Let go of the frame GX keeps as its execution engine's last batch. GX holds each data
    asset's last batch until the next run of the same asset, so every suite's last frame stayed
    in memory for the rest of the night (143 MiB of Arrow memory after a first night's load at
    1,000,000 complaints, with frames of 245,760 rows)."""
    batches = _context()[1].get_execution_engine().batch_manager
    batches.reset_batch_cache()
    batches.batch_data_cache.clear()


def frames(relation, rows: int) -> Iterator[pd.DataFrame]:
    """A DuckDB relation's rows as pandas frames of `rows` rows (the last one fewer).

    DuckDB's Arrow reader hands batches of at most a row group (122,880 rows) whatever size is
    asked, some of them far shorter (27,076 rows among ticket events'), and each GX run costs a
    fixed part on top of its rows: 1,572,864 ticket events validated in 2.4 s as six frames of
    262,144 rows, 4.6 s as DuckDB's fourteen batches."""
    import pyarrow as pa

    held: list = []
    count = 0
    for batch in relation.to_arrow_reader(rows):
        held.append(batch)
        count += batch.num_rows
        while count >= rows:
            table = pa.Table.from_batches(held)
            frame, rest = table.slice(0, rows).to_pandas(), table.slice(rows)
            held, count = rest.to_batches(), rest.num_rows
            del table, rest  # GX runs on the frame while only the rows after it stay Arrow
            yield frame
    if count:
        frame = pa.Table.from_batches(held).to_pandas()
        del held
        yield frame


def columns_read(spec: dict) -> list[str]:
    """The columns a suite's expectations read (their own and their row conditions'), in the
    order first named."""
    found: dict[str, None] = {}

    def walk(value) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key in ("column", "column_A", "column_B") and isinstance(inner, str):
                    found[inner] = None
                elif key == "column_list" and isinstance(inner, list):
                    found.update(dict.fromkeys(inner))
                elif key == "column" and isinstance(inner, dict) and "name" in inner:
                    found[inner["name"]] = None
                else:
                    walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    for expectation in spec["expectations"]:
        walk(expectation["kwargs"])
    return list(found)


def narrowed(frame: pd.DataFrame, spec: dict) -> pd.DataFrame:
    """The frame with only the columns the suite reads (the same index): GX copies every
    column of a frame for each expectation with a row condition, so a narrow frame validates
    faster with the same results. A column the suite names that the frame lacks is left for
    GX to report."""
    return frame[[c for c in columns_read(spec) if c in frame.columns]]


def paired(spec: dict, outcome) -> list[tuple[dict, object]]:
    """Pair each expectation of the file with its result (GX does not promise the order)."""
    results = {r.expectation_config.meta["position"]: r for r in outcome.results}
    return [(e, results[i]) for i, e in enumerate(spec["expectations"])]


def run_name(name: str) -> object:
    """A GX run id carrying our name for the run (shown in Data Docs), e.g. the delivery."""
    from great_expectations.core.run_identifier import RunIdentifier

    # Data Docs file paths and links are built from it: keep it to safe characters.
    return RunIdentifier(run_name=re.sub(r"[^\w.-]+", "_", name).strip("_"))


def forget_results() -> None:
    """Drop the results kept in this process, so the next Data Docs show one night only (no
    context yet: nothing kept, and GX is not even imported: a night that validates nothing
    does not pay GX's few seconds of start-up)."""
    if _context.cache_info().currsize == 0:
        return
    store = _context()[0].validation_results_store
    for key in store.list_keys():
        store.remove_key(key)


def results_kept() -> int:
    """How many validation results this process keeps for the Data Docs (0 without GX)."""
    if _context.cache_info().currsize == 0:
        return 0
    return len(_context()[0].validation_results_store.list_keys())


def build_data_docs(target: Path, run_id: str = "", keep_nights: tuple[str, ...] = ()) -> Path:
    """Build GX Data Docs (static HTML) of the results kept since forget_results into target.

    The site shows one night's validations (GX keeps them in this process only). The sites of
    the nights in `keep_nights` (those whose failures still leave a month provisional) are kept
    under nights/<run_id>/, tonight's among them when it is one of those nights, so every
    failure the app lists has its validation page. The new site replaces the old one by
    renames, so a reader never sees half a site.
    """
    import shutil
    from datetime import datetime

    from tousu.flows.quality import docs_assets
    from tousu.flows.settings import DATA_DOCS_MANIFEST

    context = _context()[0]
    site = Path(
        context.get_config().data_docs_sites["local_site"]["store_backend"]["base_directory"]
    )
    shutil.rmtree(site, ignore_errors=True)  # last night's pages are not tonight's
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        context.build_data_docs()
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh, old = target.with_name(target.name + ".new"), target.with_name(target.name + ".old")
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(site, fresh)
    offline = docs_assets.make_offline(fresh)
    if not offline:
        logging.getLogger(__name__).warning(
            "Data Docs load their scripts from public CDNs: the npm copies are not installed "
            "(python -m tousu.flows.quality.docs_assets)"
        )
    kept = []
    for night in keep_nights:
        earlier = target / "nights" / night
        if night == run_id:
            shutil.copytree(site, fresh / "nights" / night)
            docs_assets.make_offline(fresh / "nights" / night)
        elif earlier.is_dir():
            shutil.copytree(earlier, fresh / "nights" / night)
        else:
            continue
        kept.append(night)
    (fresh / DATA_DOCS_MANIFEST).write_text(
        json.dumps(
            {
                "run_id": run_id,
                "built_at": datetime.now().astimezone().isoformat(timespec="seconds"),
                "offline_assets": offline,
                "nights_kept": sorted(kept),
            }
        ),
        encoding="utf-8",
    )
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    fresh.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return target / "index.html"
