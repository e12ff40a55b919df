"""Media Monitor's command line: thin commands over corpus/ and indexer/."""
from __future__ import annotations

import json
import sqlite3
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from corpus.formats import walk
from indexer.engine import IndexDamaged, IndexWorkerFault, UnknownDocument
from indexer.faults import database_server_fault, describe
from indexer.instance import Instance
from indexer.output.export import FORMATS
from indexer.output.render import render_search
from indexer.search.params import FACETS, ParamError, SearchParams
from indexer.search.query_language import QueryError
from indexer.service import IngestStopped, Monitor
from indexer.store.backup import BackupError
from indexer.store.sqlite import UnreadableRow

# Ingesting and the sample writer are imported where used, so that a search starts fast.
if TYPE_CHECKING:
    from indexer.ingest.ingester import IngestReport


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
        except Exception as exc:  # noqa: BLE001 - describe() picks the machine's faults
            if not isinstance(exc, (OSError, sqlite3.DatabaseError, IndexDamaged, UnreadableRow,
                                    IndexWorkerFault)) \
                    and not database_server_fault(exc):
                raise
            home = ctx.obj.instance.home if isinstance(ctx.obj, Monitor) else Path(".")
            message = describe(exc, home)
            if message is None:
                raise
            fail(message, 1)


@click.group(cls=Commands)
@click.option("--home", type=click.Path(file_okay=False), default=None,
              help="Instance folder (default: $MEDIA_MONITOR_HOME, else ./instance).")
@click.option("--database", metavar="URL", default=None,
              help="postgresql://… keep the store and search in PostgreSQL "
                   "(default: $MEDIA_MONITOR_DATABASE_URL, else the embedded SQLite + Whoosh).")
@click.pass_context
def cli(ctx: click.Context, home: str | None, database: str | None) -> None:
    """Media Monitor: ingest, index and search the news."""
    monitor = Monitor(Instance.locate(home, database))
    ctx.obj = monitor
    ctx.call_on_close(monitor.close)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.option("--follow-links", is_flag=True,
              help="Follow symbolic links that lead outside the folders given.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes that enrich documents, then write the index of a large "
                   "backlog (default: one per core); 1 runs everything in this process.")
@click.pass_obj
def ingest(monitor: Monitor, paths: tuple[str, ...], as_json: bool, follow_links: bool,
           workers: int | None) -> None:
    """Read news files and folders into the store (pages, feeds, HTML, JSON Lines)."""
    try:
        report = run_ingest(monitor, list(walk(list(paths), follow_links=follow_links)),
                            workers)
    except IngestStopped as exc:
        print_report(exc.report, as_json)
        fail(describe(exc.__cause__, monitor.instance.home) or str(exc.__cause__), 1)
    print_report(report, as_json)
    sys.exit(1 if report.count_status("partial") or report.count_status("failed") else 0)


def print_report(report: IngestReport, as_json: bool) -> None:
    """Each file's error on stderr, then the report (as JSON or one summary line)."""
    for item in report.files:
        if item.error:
            click.echo(f"{item.path}: {item.status}: {item.error}", err=True)
        if item.warning_count:
            plural = "s" if item.warning_count > 1 else ""
            click.echo(f"{item.path}: {item.warning_count} warning{plural}: {item.warnings[0]}",
                       err=True)
    if as_json:
        emit_json(report.to_json())
    else:
        click.echo(summary_line(report))


def run_ingest(monitor: Monitor, paths: list[str], workers: int | None = None) -> IngestReport:
    """Ingest paths, then index them, with progress bars on a terminal."""
    with progress_bar("ingesting", len(paths), item_show_func=str) as bar:
        report = monitor.ingest(paths, on_file=lambda path: bar.update(1, path),
                                on_batch=lambda r: bar.update(0, r.path), workers=workers)
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
    from corpus.sample import write_sample

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
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes writing the index (default: one per core).")
@click.pass_obj
def reindex(monitor: Monitor, workers: int | None) -> None:
    """Rebuild the search index from the store, then put it in place of the old one."""
    stats = monitor.stats()
    with progress_bar("reindexing", stats["documents"]) as bar:
        count = monitor.reindex(progress=lambda _seq: bar.update(1), workers=workers)
    click.echo(f"reindexed {count} documents; index seq {stats['store_seq']}")


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
@click.option("--no-worker", is_flag=True,
              help="Do not start the alert delivery worker (run `alerts worker` elsewhere).")
@click.pass_obj
def serve(monitor: Monitor, host: str, port: int, workers: int | None, no_worker: bool) -> None:
    """Serve the web app and JSON API (gunicorn), after catching the index up once;
    the alert delivery worker runs beside it unless --no-worker."""
    from web.server import serve as run_server  # the CLI alone never loads Flask

    run_server(str(monitor.instance.home), host, port, workers, echo=click.echo,
               alert_worker=not no_worker)


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


@cli.command("move-to")
@click.argument("url", metavar="postgresql://...")
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=500, show_default=True,
              help="Rows per transaction on the target.")
@click.pass_obj
def move_to(monitor: Monitor, url: str, batch_size: int) -> None:
    """Copy this instance into an empty PostgreSQL database, then compare the counts.

    Resumable: a move that was stopped carries on where it stopped when run again.
    Stop ingests, the web app and workers of this instance while it moves.
    """
    from indexer.store.postgres.move import MoveError, StoreUnavailable, move_instance

    moved: dict[str, int] = {}

    def show(table: str, rows: int) -> None:    # progress on a terminal only
        moved[table] = moved.get(table, 0) + rows
        if sys.stderr.isatty():
            click.echo(f"\rmoving {table}: {moved[table]} rows ", nl=False, err=True)
    try:
        report = move_instance(monitor.instance, url, batch_size, on_batch=show)
    except StoreUnavailable as exc:
        fail(str(exc), 1)
    except MoveError as exc:
        fail(str(exc), 2)
    finally:
        if moved and sys.stderr.isatty():
            click.echo(err=True)
    for line in report.lines():
        click.echo(line)
    if report.mismatches:
        fail(f"the counts differ for {', '.join(report.mismatches)}; stop what writes to "
             "the target and move into a new, empty database", 1)
    click.echo("the move had already finished; counts checked" if report.already_finished
               else f"moved {report.copied} rows; the counts match")


# --- accounts and alerts -----------------------------------------------------------------

@cli.group(cls=Commands)
def users() -> None:
    """Accounts: add, list, disable, set-password, token."""


def account_error(exc: Exception) -> NoReturn:
    """Exit 2 with the accounts' own message."""
    fail(str(exc), 2)


@users.command("add")
@click.argument("username")
@click.option("--email", default=None, help="Where the user's alert emails go.")
@click.option("--admin", is_flag=True, help="May add users in the web app.")
@click.password_option(help="The password (asked twice when not given).")
@click.pass_obj
def users_add(monitor: Monitor, username: str, email: str | None, admin: bool,
              password: str) -> None:
    """Add a user USERNAME with a password (at least 8 characters)."""
    from indexer import accounts

    with monitor.store() as store:
        try:
            user = accounts.add_user(store, username, password, email, admin)
        except accounts.AccountError as exc:
            account_error(exc)
    click.echo(f"added user {user.username}" + (" (admin)" if user.is_admin else ""))


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the users as JSON.")
@click.pass_obj
def users_list(monitor: Monitor, as_json: bool) -> None:
    """List the users: name, email, admin, disabled."""
    from dataclasses import asdict

    from indexer import accounts

    with monitor.store() as store:
        found = accounts.list_users(store)
    if as_json:
        emit_json([asdict(user) for user in found])
        return
    for user in found:
        flags = [flag for flag, on in (("admin", user.is_admin), ("disabled", user.disabled)) if on]
        click.echo(f"{user.username}\t{user.email or '-'}\t{' '.join(flags)}".rstrip())


@users.command("disable")
@click.argument("username")
@click.option("--enable", is_flag=True, help="Enable the user again instead.")
@click.pass_obj
def users_disable(monitor: Monitor, username: str, enable: bool) -> None:
    """Disable USERNAME: no login, API tokens refused, alerts stopped (until --enable)."""
    from indexer import accounts

    with monitor.store() as store:
        try:
            accounts.set_disabled(store, username, not enable)
        except accounts.AccountError as exc:
            account_error(exc)
    click.echo(f"{'enabled' if enable else 'disabled'} {username}")


@users.command("set-password")
@click.argument("username")
@click.password_option(help="The new password (asked twice when not given).")
@click.pass_obj
def users_set_password(monitor: Monitor, username: str, password: str) -> None:
    """Give USERNAME a new password."""
    from indexer import accounts

    with monitor.store() as store:
        try:
            accounts.set_password(store, username, password)
        except accounts.AccountError as exc:
            account_error(exc)
    click.echo(f"changed the password of {username}")


@users.command("token")
@click.argument("username")
@click.option("--label", default="", help="What the token is for.")
@click.pass_obj
def users_token(monitor: Monitor, username: str, label: str) -> None:
    """Make an API token for USERNAME and print it (it is shown only this once)."""
    from indexer import accounts

    with monitor.store() as store:
        try:
            user = accounts.require_user(store, username)
        except accounts.AccountError as exc:
            account_error(exc)
        click.echo(accounts.new_token(store, user.id, label))


@cli.group(cls=Commands)
def alerts() -> None:
    """Saved-search alerts: list, add, pause, resume, delete, run, worker."""


def alert_owner(monitor: Monitor, alert_id: int):
    """The owner of an alert; exit 2 when there is no such alert."""
    owner = monitor.alerts.owner_of(alert_id)
    if owner is None:
        fail(f"no alert {alert_id}", 2)
    return owner


@alerts.command("list")
@click.option("--user", "username", default=None, help="Only this user's alerts.")
@click.option("--json", "as_json", is_flag=True, help="Print the alerts as JSON.")
@click.pass_obj
def alerts_list(monitor: Monitor, username: str | None, as_json: bool) -> None:
    """List saved searches with their owner, frequency, state and unread hits."""
    from indexer import accounts

    with monitor.store() as store:
        try:
            people = [accounts.require_user(store, username)] if username else accounts.list_users(store)
        except accounts.AccountError as exc:
            account_error(exc)
    found = [(user, search) for user in people for search in monitor.alerts.list(user)]
    if as_json:
        emit_json([{**search.to_json(), "user": user.username} for user, search in found])
        return
    for user, search in found:
        state = "broken" if search.broken else "paused" if search.paused else "active"
        click.echo(f"{search.id}\t{user.username}\t{search.name}\t{search.frequency}\t{state}"
                   f"\t{search.unread} unread")


@alerts.command("add")
@search_options
@click.option("--user", "username", required=True, help="Whose alert it is.")
@click.option("--name", required=True, help="The alert's name.")
@click.option("--frequency", type=click.Choice(["instant", "daily", "weekly", "off"]),
              default="instant", show_default=True, help="When it sends.")
@click.option("--email/--no-email", default=False, help="Send by email to the user.")
@click.option("--webhook", default=None, metavar="URL", help="POST each message here, signed.")
@click.pass_obj
def alerts_add(monitor: Monitor, username: str, name: str, frequency: str, email: bool,
               webhook: str | None, **options) -> None:
    """Save a search (QUERY and filters as for `search`) as USER's alert, from now on."""
    from indexer import accounts
    from indexer.alerts.saved import AlertError

    with monitor.store() as store:
        try:
            user = accounts.require_user(store, username)
        except accounts.AccountError as exc:
            account_error(exc)
    try:
        search = monitor.alerts.create(user, name, search_args(options), frequency, email, webhook)
    except (ParamError, QueryError, AlertError) as exc:
        fail(str(exc), 2)
    click.echo(f"added alert {search.id} ({search.name}) for {user.username}")


def alert_command(name: str, action: str, past: str):
    """A command that applies one Alerts action to an alert by id."""
    @alerts.command(name, help=f"{action.capitalize()} the alert ID.")
    @click.argument("alert_id", type=int)
    @click.pass_obj
    def command(monitor: Monitor, alert_id: int) -> None:
        getattr(monitor.alerts, action)(alert_owner(monitor, alert_id), alert_id)
        click.echo(f"{past} alert {alert_id}")
    return command


alert_command("pause", "pause", "paused")
alert_command("resume", "resume", "resumed")
alert_command("delete", "delete", "deleted")


@alerts.command("run")
@click.option("--deliver", is_flag=True, help="Also send what is due (when no worker runs).")
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON.")
@click.pass_obj
def alerts_run(monitor: Monitor, deliver: bool, as_json: bool) -> None:
    """Match the alerts against new documents (for cron; every ingest does it too)."""
    data = monitor.alerts.run().to_json()
    if deliver:
        data["delivery"] = monitor.alerts.deliver()
    if as_json:
        emit_json(data)
        return
    click.echo(f"{data['searches']} alerts over {data['documents']} documents: "
               f"{data['hits']} new hits" + (f", {len(data['broken'])} broken" if data["broken"] else ""))
    if deliver:
        click.echo("delivery: {sent} sent, {failed} failed tries, {digests} digests queued"
                   .format(**data["delivery"]))


@alerts.command("worker")
@click.option("--once", is_flag=True, help="One round, then stop.")
@click.option("--interval", type=click.FloatRange(0.1, 3600), default=5.0, show_default=True,
              help="Seconds between rounds.")
@click.option("--no-poll", "poll", flag_value=False, default=True,
              help="Do not poll the sources in this worker.")
@click.pass_obj
def alerts_worker(monitor: Monitor, once: bool, interval: float, poll: bool) -> None:
    """Send due alert messages (email, webhook) and digests, until stopped."""
    from indexer.alerts.settings import DeliverySettings
    from indexer.alerts.worker import run_worker

    settings = DeliverySettings.from_env()
    if once:
        done = monitor.alerts.deliver(settings)
        click.echo("{sent} sent, {failed} failed tries, {digests} digests queued".format(**done))
        return
    click.echo(f"delivering alerts of {monitor.instance.home} every {interval:g} s", err=True)
    if poll:
        start_source_poller(monitor)
    try:
        run_worker(monitor, settings, interval, report=lambda done: click.echo(
            "{sent} sent, {failed} failed tries, {digests} digests queued".format(**done), err=True))
    except KeyboardInterrupt:
        pass


def start_source_poller(monitor: Monitor) -> None:
    """Poll the sources in a thread of this worker process, with a Monitor of its own."""
    from indexer.sources.worker import start_poller

    def said(runs) -> None:
        for run in runs:
            reason = f": {run.error}" if run.error else ""
            click.echo(f"source {run.source}: {run.status}, {run.new} new{reason}", err=True)
    start_poller(Monitor(monitor.instance), report=said)


@cli.group(cls=Commands)
def sources() -> None:
    """Feeds (or pages linking to one) polled on a schedule: their news arrives by itself."""


def source_service(monitor: Monitor):
    """The instance's sources with fetch settings from MEDIA_MONITOR_SOURCES_*."""
    from indexer.sources.service import Sources

    return Sources(monitor)


def source_error(exc: Exception) -> NoReturn:
    """A refused source or an unknown name: one line, exit 2."""
    fail(str(exc))


@sources.command("add")
@click.argument("url")
@click.option("--name", default=None, help="Name shown for the source (default: the feed's title).")
@click.option("--every", default="15m", show_default=True, help="Interval: 30s, 15m, 2h, 1d.")
@click.option("--lang", default=None, help="Language of items that declare none (ISO 639-1).")
@click.option("--fetch-articles", is_flag=True, help="Fetch each new item's page for its full text.")
@click.pass_obj
def sources_add(monitor: Monitor, url: str, name: str | None, every: str, lang: str | None,
                fetch_articles: bool) -> None:
    """Add a feed URL, or a page that links to its feed."""
    from indexer.sources.service import SourceError

    service = source_service(monitor)
    try:
        source = service.add(url, name=name, every=every, lang=lang, fetch_articles=fetch_articles)
    except SourceError as exc:
        source_error(exc)
    finally:
        service.close()
    found = f" (found on {source.page_url})" if source.page_url else ""
    click.echo(f"added {source.name}: {source.url}{found}, every {source.every}")


@sources.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the sources as JSON.")
@click.pass_obj
def sources_list(monitor: Monitor, as_json: bool) -> None:
    """Every source with its health: last run's counts, failures and next try."""
    found = source_service(monitor).list()
    if as_json:
        emit_json([source.to_json() for source in found])
        return
    if not found:
        click.echo("no sources: add one with `manage.py sources add URL`")
    for source in found:
        click.echo(f"{source.name}  [{source.health}]  every {source.every}  {source.url}")
        click.echo(f"    {source.health_line()}")


def source_command(name: str, action: str, past: str):
    """pause, resume and remove: one NAME each."""
    @sources.command(name, help=f"{action.capitalize()} the source NAME.")
    @click.argument("source_name", metavar="NAME")
    @click.pass_obj
    def command(monitor: Monitor, source_name: str) -> None:
        from indexer.sources.service import SourceError

        try:
            getattr(source_service(monitor), action)(source_name)
        except SourceError as exc:
            source_error(exc)
        click.echo(f"{past} {source_name}")
    return command


source_command("pause", "pause", "paused")
source_command("resume", "resume", "resumed")
source_command("remove", "remove", "removed")


@sources.command("poll")
@click.argument("name", required=False)
@click.option("--all", "every_source", is_flag=True, help="Poll every source now, due or not.")
@click.option("--json", "as_json", is_flag=True, help="Print the runs as JSON.")
@click.pass_obj
def sources_poll(monitor: Monitor, name: str | None, every_source: bool, as_json: bool) -> None:
    """Poll the due sources once (or NAME now), for cron; exit 1 if a poll failed."""
    from indexer.sources.service import SourceError

    service = source_service(monitor)
    try:
        runs = service.poll(name, due_only=not every_source)
    except SourceError as exc:
        source_error(exc)
    finally:
        service.close()
    if as_json:
        emit_json([run.to_json() for run in runs])
    for run in runs if not as_json else []:
        counts = (f"{run.fetched} fetched, {run.new} new, {run.updated} updated, "
                  f"{run.unchanged} unchanged, {run.errors} errors")
        reason = f": {run.error}" if run.error else ""
        click.echo(f"{run.source}: {run.status} ({counts}){reason}")
    sys.exit(1 if any(run.status == "failed" for run in runs) else 0)


if __name__ == "__main__":
    cli()
