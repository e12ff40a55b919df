"""Media Monitor's command line: thin commands over corpus/ and indexer/."""
from __future__ import annotations

import json
import sys

import click

from corpus.formats import walk
from corpus.sample import write_sample
from indexer.ingest import Ingester, IngestReport
from indexer.instance import Instance


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
        return report
    finally:
        store.close()


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
    store = instance.open_store()
    try:
        by_kind = store.count_by_kind()
        data = {"documents": sum(by_kind.values()), "by_kind": by_kind,
                "store_seq": store.last_seq(), "index_seq": None}
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
    click.echo(f"Demo data is in {folder}. Next, try:\n"
               f"  python manage.py --home {instance.home} stats\n"
               f"  python manage.py --home {instance.home} ingest YOUR_FILES_OR_FOLDERS")


if __name__ == "__main__":
    cli()
