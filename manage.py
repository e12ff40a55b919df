"""Media Monitor's command line: thin commands over corpus/ and indexer/."""
from __future__ import annotations

import json
import sys
from contextlib import contextmanager

import click

from corpus.formats import walk
from corpus.sample import write_sample
from indexer.output.export import FORMATS, write_export
from indexer.engine.whoosh.index import IndexBusy, SearchIndex
from indexer.enrich.entity_table import variant_key
from indexer.ingest.ingester import Ingester, IngestReport, store_enricher, utc_now
from indexer.instance import Instance
from indexer.ingest.reenrich import reenrich as reenrich_store
from indexer.search.params import ParamError, SearchParams, resolve_entities
from indexer.engine.whoosh.query import QueryError, build_query, explain
from indexer.output.render import render_search
from indexer.engine.whoosh.schema import FACETS
from indexer.engine.whoosh.search import UnknownDocument, duplicates_of, iter_matches, search as run_search


def emit_json(data) -> None:
    """Write one JSON document to stdout."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def fail(message: str, code: int = 2, as_json: bool = False) -> None:
    """Say what is wrong in one line on stderr (and as JSON on stdout) and exit."""
    if as_json:
        emit_json({"error": message})
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@click.group()
@click.option("--home", type=click.Path(file_okay=False), default=None,
              help="Instance folder (default: $MEDIA_MONITOR_HOME, else ./instance).")
@click.pass_context
def cli(ctx: click.Context, home: str | None) -> None:
    """Media Monitor: ingest, index and search the news."""
    ctx.obj = Instance.locate(home)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.pass_obj
def ingest(instance: Instance, paths: tuple[str, ...], as_json: bool) -> None:
    """Read news files and folders into the store (pages, feeds, HTML, JSON Lines)."""
    report = run_ingest(instance, list(walk(list(paths))))
    for item in report.files:
        if item.error:
            click.echo(f"{item.path}: {item.status}: {item.error}", err=True)
    if as_json:
        emit_json(report.to_json())
    else:
        click.echo(summary_line(report))
    sys.exit(1 if report.count_status("partial") or report.count_status("failed") else 0)


def run_ingest(instance: Instance, paths: list[str]) -> IngestReport:
    """Ingest paths with a progress bar on a terminal."""
    store = instance.open_store()
    try:
        with click.progressbar(length=len(paths), label="ingesting", file=sys.stderr,
                               hidden=not sys.stderr.isatty(), item_show_func=str) as bar:
            ingester = Ingester(store, on_batch=lambda r: bar.update(0, r.path))
            report = IngestReport()
            for path in paths:
                report.files.append(ingester.ingest_file(path))
                bar.update(1, path)
        update_index(instance, store, wait=True)
        return report
    finally:
        store.close()


def update_index(instance: Instance, store, wait: bool) -> None:
    """Catch the index up with the store, with a progress bar on a terminal.

    Readers pass wait=False: when another process is writing the index, it will catch
    up itself, and the reader searches what is there rather than blocking.
    """
    index = SearchIndex(instance.index_path)
    start, target = index.seq() or 0, store.last_seq()
    if target == start and index.exists():
        return
    with seq_progress("indexing", min(start, target), target) as advance:
        try:
            index.catch_up(store, progress=advance, wait=wait)
        except IndexBusy:
            pass


@contextmanager
def seq_progress(label: str, start: int, target: int):
    """Yield a callback that moves a progress bar (on a terminal) to each indexed seq."""
    with click.progressbar(length=max(1, target - start), label=label, file=sys.stderr,
                           hidden=not sys.stderr.isatty()) as bar:
        done = [start]

        def advance(seq: int) -> None:
            bar.update(max(0, seq - done[0]))
            done[0] = max(done[0], seq)
        yield advance


@contextmanager
def open_searcher(instance: Instance):
    """Catch the index up (healing any crash), then open a searcher on it."""
    store = instance.open_store()
    try:
        update_index(instance, store, wait=False)
    finally:
        store.close()
    with SearchIndex(instance.index_path).searcher() as searcher:
        yield searcher


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
def stats(instance: Instance, as_json: bool) -> None:
    """Show how many documents the store holds and how far the index has caught up."""
    store, index = instance.open_store(), SearchIndex(instance.index_path)
    try:
        if store.last_seq() or index.exists():
            update_index(instance, store, wait=False)
        by_kind = store.count_by_kind()
        data = {"documents": sum(by_kind.values()), "by_kind": by_kind,
                "store_seq": store.last_seq(), "index_seq": index.seq()}
    finally:
        store.close()
    if as_json:
        emit_json(data)
    else:
        click.echo(f"{data['documents']} documents ({by_kind['article']} articles, "
                   f"{by_kind['brief']} briefs); store seq {data['store_seq']}, "
                   f"index seq {data['index_seq']}")


@cli.command()
@click.pass_obj
def demo(instance: Instance) -> None:
    """Generate the project's own sample news (seeded, fixed dates) and ingest it."""
    folder = write_sample(instance.home / "demo")
    report = run_ingest(instance, list(walk([str(folder)])))
    click.echo(summary_line(report))
    home = f"python manage.py --home {instance.home}"
    click.echo(f"Demo data is in {folder}. Next, try:\n"
               f"  {home} search sanctions --country IR\n"
               f"  {home} search --entity \"United Nations\" --sort oldest --json\n"
               f"  {home} export oil --format csv --output oil.csv\n"
               f"  {home} ingest YOUR_FILES_OR_FOLDERS")


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
                     help="Published on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD, UTC)."),
        click.option("--to", "date_to", metavar="DATE",
                     help="Published on or before DATE (YYYY, YYYY-MM or YYYY-MM-DD, UTC)."),
        click.option("--sort", metavar="relevance|newest|oldest",
                     help="Order (default: relevance with a query, newest without)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


FACET_OPTIONS = {"country": ("CODE|NAME", "country (ISO code or English name)"),
                 "entity": ("NAME", "entity (canonical name, any case)"),
                 "lang": ("CODE", "language (ISO 639-1)"),
                 "source": ("NAME", "source (outlet name, any case)"),
                 "kind": ("article|brief", "kind")}


def make_params(instance: Instance, options: dict, as_json: bool = False) -> SearchParams:
    """Turn command options into SearchParams and check the query; exit 2 when bad."""
    args = {"q": " ".join(options.get("query", ())), "from": options.get("date_from"),
            "to": options.get("date_to")}
    for name in ("sort", "page", "limit", "facet_limit"):
        args[name] = options.get(name)
    for facet in FACETS:
        args[facet] = options.get(facet, ())
        args[f"exclude_{facet}"] = options.get(f"exclude_{facet}", ())
    try:
        params = SearchParams.from_args(args)
        build_query(params)
    except (ParamError, QueryError) as exc:
        fail(str(exc), 2, as_json)
    if params.include.get("entity") or params.exclude.get("entity"):
        store = instance.open_store()
        try:
            params = resolve_entities(params, lambda name: store.entity_name(variant_key(name)))
        finally:
            store.close()
    return params


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
def search(instance: Instance, as_json: bool, show_explain: bool, duplicates_id: str | None,
           **options) -> None:
    """Search the index: QUERY words (AND), filters, sort and paging; empty QUERY finds all.

    \b
    QUERY language: oil gas (both), oil OR gas, NOT gas or -gas, (a OR b) c,
    "exact phrase", "oil price"~5 (within 5 words), sanction* (at most 256 words),
    title: text: source:"Alpha News" country:Iran entity:"Bashar al-Assad" lang:en
    kind:brief, date:2020-07, date:>=2020-02, date:[2020-01-01 TO 2020-07-31].
    Put -- before a QUERY that starts with -, e.g. search --json -- -sanctions iran.
    """
    params = make_params(instance, options, as_json)
    try:
        with open_searcher(instance) as searcher:
            if duplicates_id is not None:
                data = duplicates_of(searcher, params, duplicates_id)
            else:
                data = run_search(searcher, params)
    except QueryError as exc:     # a wildcard past the bound shows only against the index
        fail(str(exc), 2, as_json)
    except UnknownDocument as exc:
        fail(str(exc), 2, as_json)
    if show_explain:
        data["explain"] = explain(params)
    if as_json:
        emit_json(data)
    else:
        if show_explain:
            click.echo(f"explain: {data['explain']}")
        click.echo(render_search(data, params.sort_order))


@cli.command()
@search_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True,
              help="jsonl (one document a line) or csv (a header, then a row per document).")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="File to write (default: stdout).")
@click.pass_obj
def export(instance: Instance, fmt: str, output: str | None, **options) -> None:
    """Write every matching document, text included, in sort order (no paging)."""
    params = make_params(instance, options)
    try:
        with open_searcher(instance) as searcher, output_stream(output) as handle:
            count = write_export(iter_matches(searcher, params), handle, fmt)
    except QueryError as exc:     # a wildcard past the bound shows only against the index
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
def reindex(instance: Instance) -> None:
    """Rebuild the search index from the store, then put it in place of the old one."""
    store = instance.open_store()
    try:
        with seq_progress("reindexing", 0, store.last_seq()) as advance:
            count = SearchIndex(instance.index_path).rebuild(store, progress=advance)
        click.echo(f"reindexed {count} documents; index seq {store.last_seq()}")
    finally:
        store.close()


@cli.command()
@click.pass_obj
def reenrich(instance: Instance) -> None:
    """Reapply language, date, country and entity rules to stored documents (seq unchanged).

    Resumable: a run that was killed carries on where it stopped when started again.
    """
    store = instance.open_store()
    index = SearchIndex(instance.index_path)
    try:
        update_index(instance, store, wait=True)
        total = sum(store.count_by_kind().values())
        with click.progressbar(length=total, label="re-enriching", file=sys.stderr,
                               hidden=not sys.stderr.isatty()) as bar:
            def refresh(docs):
                index.refresh(docs)
                bar.update(len(docs))
            count = reenrich_store(store, store_enricher(store), utc_now(), on_batch=refresh)
        click.echo(f"re-enriched {count} documents; seq unchanged at {store.last_seq()}")
    finally:
        store.close()


if __name__ == "__main__":
    cli()
