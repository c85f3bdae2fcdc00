"""`tousu sources ...`: onboard an export by a mapping file (list, check, init, suite)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

sources_app = typer.Typer(
    help="Sources declared by a mapping file (bring your own export).", no_args_is_help=True
)


def _mapping(source: str, mapping: Path | None):
    from tousu.flows.byo.mapping import MappingError, load_mapping
    from tousu.flows.byo.source import declared, sources_dir

    try:
        if mapping:
            return load_mapping(mapping)
        found = declared().get(source)
    except MappingError as exc:
        typer.echo(f"mapping refused, nothing loaded:\n{exc}", err=True)
        raise typer.Exit(2) from exc
    if isinstance(found, MappingError):
        typer.echo(f"mapping refused, nothing loaded:\n{found}", err=True)
        raise typer.Exit(2)
    if found is None:
        typer.echo(
            f"no mapping declares source {source!r} in {sources_dir()} "
            f"(give --mapping FILE, or set TOUSU_SOURCES_DIR)",
            err=True,
        )
        raise typer.Exit(2)
    return found


@sources_app.command("list")
def list_sources() -> None:
    """The declared sources of the mapping folder, and whether each mapping can be used."""
    from tousu.flows.byo.mapping import MappingError
    from tousu.flows.byo.source import declared, sources_dir

    typer.echo(f"mapping folder: {sources_dir()}")
    for name, m in declared().items():
        if isinstance(m, MappingError):
            typer.echo(f"  {name}: REFUSED\n    " + str(m).replace("\n", "\n    "))
        else:
            typer.echo(f"  {name}: {', '.join(m.patterns)} ({m.format.type}) {m.description}")


@sources_app.command("check")
def check(
    target: Annotated[Path, typer.Argument(help="A sample file, or a folder of them.")],
    source: Annotated[str, typer.Option(help="The declared source's name.")],
    mapping: Annotated[
        Path | None, typer.Option(help="A mapping file not yet in the folder.")
    ] = None,
) -> None:
    """Dry-run a mapping on a sample: what would load, what would be quarantined and why,
    which columns are left unmapped. Nothing is written to the warehouse."""
    from tousu.flows.byo.dry_run import check_sample
    from tousu.flows.settings import get_settings

    m = _mapping(source, mapping)
    if not target.exists():
        raise typer.BadParameter(f"{target} does not exist")
    s = get_settings()
    report = check_sample(target, m, phone_region=s.phone_region, timezone=s.timezone)
    typer.echo(report.text())
    raise typer.Exit(0 if report.ok else 1)


@sources_app.command("init")
def init(
    sample: Annotated[Path, typer.Option(help="A sample export to draft the mapping from.")],
    source: Annotated[
        str | None, typer.Option(help="Name for the source (default: from the file name).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Where to write the draft (default: print it).")
    ] = None,
) -> None:
    """Draft a mapping from a file's header and values, for a person to finish."""
    from tousu.flows.byo.draft import draft, slug

    text = draft(sample, source or slug(sample))
    if out:
        if out.exists():
            raise typer.BadParameter(f"{out} exists; not overwritten")
        out.write_text(text, encoding="utf-8")
        typer.echo(
            f"draft written to {out}; fill in the TODOs, then run "
            f"`tousu sources check {sample} --source {source or slug(sample)} "
            f"--mapping {out}`"
        )
    else:
        typer.echo(text)


@sources_app.command("suite")
def suite(source: Annotated[str, typer.Argument(help="The declared source's name.")]) -> None:
    """Print the GX suite generated from a source's mapping (JSON), for review."""
    from tousu.flows.byo.suite import generate_suite

    typer.echo(json.dumps(generate_suite(_mapping(source, None)), ensure_ascii=False, indent=2))
