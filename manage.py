"""Media Monitor's command line: thin commands over corpus/ and indexer/."""
from __future__ import annotations

import json
import sqlite3
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import click

from corpus.formats import walk
from corpus.sample import write_sample
from indexer.engine import IndexDamaged, UnknownDocument
from indexer.faults import describe
from indexer.ingest.ingester import IngestReport
from indexer.instance import Instance
from indexer.output.export import FORMATS
from indexer.output.render import render_search
from indexer.search.params import FACETS, ParamError, SearchParams
from indexer.search.query_language import QueryError
from indexer.service import IndexNotUpdated, Monitor
from indexer.store.backup import BackupError
from indexer.store.sqlite import UnreadableRow


def emit_json(data) -> None:
    """Write one JSON document to stdout."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def fail(message: str, code: int = 2, as_json: bool = False) -> NoReturn:
    """Say what is wrong in one line on stderr (and as JSON on stdout) and exit."""
    if as_json:
        emit_json({"error": message})
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


class Commands(click.Group):
    """The command group: faults of the machine end a command with one line, exit 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (OSError, sqlite3.DatabaseError, IndexDamaged, UnreadableRow) as exc:
            home = ctx.obj.instance.home if isinstance(ctx.obj, Monitor) else Path(".")
            message = describe(exc, home)
            if message is None:
                raise
            fail(message, 1)


@click.group(cls=Commands)
@click.option("--home", type=click.Path(file_okay=False), default=None,
              help="Instance folder (default: $MEDIA_MONITOR_HOME, else ./instance).")
@click.pass_context
def cli(ctx: click.Context, home: str | None) -> None:
    """Media Monitor: ingest, index and search the news."""
    monitor = Monitor(Instance.locate(home))
    ctx.obj = monitor
    ctx.call_on_close(monitor.close)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.pass_obj
def ingest(monitor: Monitor, paths: tuple[str, ...], as_json: bool) -> None:
    """Read news files and folders into the store (pages, feeds, HTML, JSON Lines)."""
    try:
        report = run_ingest(monitor, list(walk(list(paths))))
    except IndexNotUpdated as exc:
        print_report(exc.report, as_json)
        fail(describe(exc.__cause__, monitor.instance.home) or str(exc.__cause__), 1)
    print_report(report, as_json)
    sys.exit(1 if report.count_status("partial") or report.count_status("failed") else 0)


def print_report(report: IngestReport, as_json: bool) -> None:
    """Each file's error on stderr, then the report (as JSON or one summary line)."""
    for item in report.files:
        if item.error:
            click.echo(f"{item.path}: {item.status}: {item.error}", err=True)
    if as_json:
        emit_json(report.to_json())
    else:
        click.echo(summary_line(report))


def run_ingest(monitor: Monitor, paths: list[str]) -> IngestReport:
    """Ingest paths, then index them, with progress bars on a terminal."""
    with progress_bar("ingesting", len(paths), item_show_func=str) as bar:
        report = monitor.ingest(paths, on_file=lambda path: bar.update(1, path),
                                on_batch=lambda r: bar.update(0, r.path))
    return report


@contextmanager
def progress_bar(label: str, length: int, **options):
    """A click progress bar on stderr, shown only on a terminal."""
    with click.progressbar(length=max(1, length), label=label, file=sys.stderr,
                           hidden=not sys.stderr.isatty(), **options) as bar:
        yield bar


def summary_line(report: IngestReport) -> str:
    """One line a person reads after an ingest."""
    return (f"{len(report.files)} files ({report.count_status('ok')} ok, "
            f"{report.count_status('partial')} partial, {report.count_status('failed')} failed, "
            f"{report.count_status('skipped')} skipped): {report.total('documents')} documents read, "
            f"{report.total('new')} new, {report.total('updated')} updated, "
            f"{report.total('unchanged')} unchanged")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_obj
def stats(monitor: Monitor, as_json: bool) -> None:
    """Show how many documents the store holds and how far the index has caught up."""
    data = monitor.stats()
    if as_json:
        emit_json(data)
        return
    by_kind = data["by_kind"]
    click.echo(f"{data['documents']} documents ({by_kind['article']} articles, "
               f"{by_kind['brief']} briefs); store seq {data['store_seq']}, "
               f"index seq {data['index_seq']}")
    behind = data["store_seq"] - (data["index_seq"] or 0)
    if behind > 0:
        click.echo(f"the index is {behind} changes behind the store: the next ingest "
                   "catches it up, or run `reindex`")


@cli.command()
@click.pass_obj
def demo(monitor: Monitor) -> None:
    """Generate the project's own sample news (seeded, fixed dates) and ingest it."""
    folder = write_sample(monitor.instance.home / "demo")
    report = run_ingest(monitor, list(walk([str(folder)])))
    click.echo(summary_line(report))
    home = f"python manage.py --home {monitor.instance.home}"
    click.echo(f"Demo data is in {folder}. Next, try:\n"
               f"  {home} search sanctions --country IR\n"
               f"  {home} search --entity \"United Nations\" --sort oldest --json\n"
               f"  {home} export oil --format csv --output oil.csv\n"
               f"  {home} ingest YOUR_FILES_OR_FOLDERS")


FACET_OPTIONS = {"country": ("CODE|NAME", "country (ISO code or English name)"),
                 "entity": ("NAME", "entity (canonical name, any case)"),
                 "lang": ("CODE", "language (ISO 639-1)"),
                 "source": ("NAME", "source (outlet name, any case)"),
                 "kind": ("article|brief", "kind")}


def search_options(command):
    """Add the query argument, facet filters, date range and sort shared by search and export."""
    options = [click.argument("query", nargs=-1)]
    for facet, (metavar, noun) in FACET_OPTIONS.items():
        options += [
            click.option(f"--{facet}", multiple=True, metavar=metavar,
                         help=f"Only documents with this {noun} (repeat for any of several)."),
            click.option(f"--exclude-{facet}", multiple=True, metavar=metavar,
                         help=f"Leave out documents with this {noun} (repeatable)."),
        ]
    options += [
        click.option("--from", "date_from", metavar="DATE",
                     help="Published on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD)."),
        click.option("--to", "date_to", metavar="DATE",
                     help="Published on or before DATE (YYYY, YYYY-MM or YYYY-MM-DD)."),
        click.option("--sort", metavar="relevance|newest|oldest",
                     help="Order (default: relevance with a query, newest without)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def search_args(options: dict) -> dict:
    """Command options as the web-style arguments SearchParams.from_args reads."""
    args = {"q": " ".join(options.get("query", ())), "from": options.get("date_from"),
            "to": options.get("date_to")}
    for name in ("sort", "page", "limit", "facet_limit"):
        args[name] = options.get(name)
    for facet in FACETS:
        args[facet] = options.get(facet, ())
        args[f"exclude_{facet}"] = options.get(f"exclude_{facet}", ())
    return args


def make_params(monitor: Monitor, options: dict, as_json: bool = False) -> SearchParams:
    """Turn command options into checked SearchParams; exit 2 when bad."""
    try:
        return monitor.params(search_args(options))
    except (ParamError, QueryError) as exc:
        fail(str(exc), 2, as_json)


@cli.command()
@search_options
@click.option("--page", metavar="N", help="Page of results, from 1 (default 1).")
@click.option("--limit", metavar="N", help="Results per page (default 10).")
@click.option("--facet-limit", metavar="N", help="Values shown per facet (default 20).")
@click.option("--json", "as_json", is_flag=True, help="Print the search JSON on stdout.")
@click.option("--explain", "show_explain", is_flag=True,
              help="Also print the parsed query (with --json, as an \"explain\" key).")
@click.option("--duplicates-of", "duplicates_id", metavar="ID",
              help="List the near-duplicate copies collapsed with document ID instead.")
@click.pass_obj
def search(monitor: Monitor, as_json: bool, show_explain: bool, duplicates_id: str | None,
           **options) -> None:
    """Search the index: QUERY words (AND), filters, sort and paging; empty QUERY finds all.

    \b
    QUERY language: oil gas (both), oil OR gas, NOT gas or -gas, (a OR b) c,
    "exact phrase", "oil price"~5 (within 5 words), sanction* (at most 256 words),
    title: text: source:"Alpha News" country:Iran entity:"Bashar al-Assad" lang:en
    kind:brief, date:2020-07, date:>=2020-02, date:[2020-01-01 TO 2020-07-31].
    Put -- before a QUERY that starts with -, e.g. search --json -- -sanctions iran.
    """
    params = make_params(monitor, options, as_json)
    try:
        if duplicates_id is not None:
            data = monitor.duplicates(params, duplicates_id)
        else:
            data = monitor.search(params)
    except (QueryError, UnknownDocument) as exc:  # a wildcard past its bound shows only here
        fail(str(exc), 2, as_json)
    if show_explain:
        data["explain"] = monitor.explain(params)
    if as_json:
        emit_json(data)
        return
    if show_explain:
        click.echo(f"explain: {data['explain']}")
    click.echo(render_search(data, params.sort_order))


@cli.command()
@search_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True,
              help="jsonl (one document a line) or csv (a header, then a row per document).")
@click.option("--output", type=click.Path(dir_okay=False), default=None,
              help="File to write (default: stdout).")
@click.pass_obj
def export(monitor: Monitor, fmt: str, output: str | None, **options) -> None:
    """Write every matching document, text included, in sort order (no paging)."""
    params = make_params(monitor, options)
    try:
        with output_stream(output) as handle:
            count = monitor.export(params, handle, fmt)
    except QueryError as exc:     # a wildcard past its bound shows only against the index
        fail(str(exc), 2)
    click.echo(f"exported {count} documents" + (f" to {output}" if output else ""), err=True)


@contextmanager
def output_stream(path: str | None):
    """Open the output file (newline='' as the csv module wants), else stdout."""
    if path is None:
        yield click.get_text_stream("stdout")
        return
    with open(path, "w", encoding="utf-8", newline="") as handle:
        yield handle


@cli.command()
@click.pass_obj
def reindex(monitor: Monitor) -> None:
    """Rebuild the search index from the store, then put it in place of the old one."""
    target = monitor.stats()["store_seq"]
    with progress_bar("reindexing", target) as bar:
        count = monitor.reindex(progress=seq_advance(bar, 0))
    click.echo(f"reindexed {count} documents; index seq {target}")


def seq_advance(bar, start: int):
    """A callback that moves a progress bar to each indexed seq."""
    done = [start]

    def advance(seq: int) -> None:
        bar.update(max(0, seq - done[0]))
        done[0] = max(done[0], seq)
    return advance


@cli.command()
@click.pass_obj
def reenrich(monitor: Monitor) -> None:
    """Reapply language, date, country and entity rules to stored documents (seq unchanged).

    Resumable: a run that was killed carries on where it stopped when started again.
    """
    total = monitor.stats()["documents"]
    with progress_bar("re-enriching", total) as bar:
        count = monitor.reenrich(on_batch=bar.update)
    click.echo(f"re-enriched {count} documents; seq unchanged at {monitor.stats()['store_seq']}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (127.0.0.1: this machine only).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="Port to listen on.")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Worker processes (default: the number of cores).")
@click.pass_obj
def serve(monitor: Monitor, host: str, port: int, workers: int | None) -> None:
    """Serve the web app and JSON API (gunicorn), after catching the index up once."""
    from web.server import serve as run_server   # the CLI alone never loads Flask

    run_server(str(monitor.instance.home), host, port, workers, echo=click.echo)


@cli.command()
@click.option("--repair", is_flag=True, help="Repair what can be repaired (times, the index).")
@click.option("--json", "as_json", is_flag=True, help="Print {problems, repairs} as JSON.")
@click.pass_obj
def check(monitor: Monitor, repair: bool, as_json: bool) -> None:
    """Verify the store (readable rows, seq order) and that the index holds all of it."""
    report = monitor.check(repair)
    if as_json:
        emit_json({"problems": report.problems, "repairs": report.repairs})
    else:
        for line in report.repairs:
            click.echo(f"repaired: {line}")
        for line in report.problems:
            click.echo(f"problem: {line}", err=True)
        click.echo("the store and the index are consistent" if not report.problems
                   else f"{len(report.problems)} problems")
    sys.exit(1 if report.problems else 0)


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def backup(monitor: Monitor, path: Path) -> None:
    """Copy the store into a new file PATH (consistent while an ingest runs)."""
    try:
        count = monitor.backup(path)
    except BackupError as exc:
        fail(str(exc), 2)
    click.echo(f"backed up {count} documents to {path}")


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a store that holds documents.")
@click.pass_obj
def restore(monitor: Monitor, path: Path, force: bool) -> None:
    """Put the backup PATH in place of the store, then rebuild the index from it."""
    try:
        with progress_bar("reindexing", 1) as bar:
            count = monitor.restore(path, force, progress=lambda seq: bar.update(0))
    except BackupError as exc:
        fail(str(exc), 2)
    click.echo(f"restored {count} documents from {path}; the index was rebuilt")


if __name__ == "__main__":
    cli()
