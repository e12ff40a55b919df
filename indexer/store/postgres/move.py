"""Moving an embedded instance (its SQLite store) into an empty PostgreSQL database.

`move_instance(instance, url)` copies every table of the store, table by table in key
order, in batches. Each batch is one transaction on the target that also records how far
the table got (a meta row `move_after:<table>`), so a move killed at any point leaves
the target consistent, and running it again carries on after the last committed batch:
no row is copied twice. Ids, seqs and checkpoints are kept as they are; the identity
sequences are set past the largest id; the documents' search rows are written in the same
transaction as the documents, so searches work on the target as soon as the move ends.

The target records which instance it holds (meta `moved_from`: a random id the source
keeps in its own meta), so a database that holds anything else is refused. At the end the
rows of every table are counted on both sides. The source is read in one snapshot per
run; writers (ingest, web, workers) should be stopped while it moves.
"""
from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import psycopg

from indexer.engine.postgres import schema as search_schema
from indexer.engine.postgres.engine import SEQ_KEY
from indexer.engine.postgres.rows import write_rows
from indexer.instance import Instance
from indexer.store.postgres import schema as store_schema
from indexer.store.postgres.pool import CONNECT_TIMEOUT, StoreUnavailable, server_name, unreachable
from indexer.store.sqlite import Store, row_to_document

# pg_try_advisory_lock's key for "an instance is being moved in" (any constant of our own).
MOVE_LOCK = 0x6D6D_0003
INSTANCE_KEY = "instance_id"      # the source's own random id (its meta)
MOVED_FROM = "moved_from"         # the target's record of which instance it holds
FINISHED = "move_finished"        # set when a move has copied everything and checked counts
PROGRESS = "move_after:"          # + table name: the key of the last row copied
DEFAULT_BATCH = 500


class MoveError(RuntimeError):
    """The move cannot start or cannot go on: the message says why in one line."""


@dataclass(frozen=True)
class Table:
    """A table copied in the order of its key (the key's columns, those that are BLOBs)."""

    name: str
    key: tuple[str, ...]
    blobs: frozenset[str] = frozenset()
    identity: bool = False        # its id comes from an identity sequence on the target


# Parents before children (the foreign keys of users, saved searches and the outbox).
TABLES = (
    Table("documents", ("seq",)),
    Table("entities", ("variant",)),
    Table("users", ("id",), identity=True),
    Table("api_tokens", ("id",), identity=True),
    Table("saved_searches", ("id",), identity=True),
    Table("alert_hits", ("id",), identity=True),
    Table("alert_hit_bands", ("search_id", "band", "hit_id"), frozenset({"band"})),
    Table("outbox", ("id",), identity=True),
    Table("sources", ("id",), identity=True),
    Table("source_runs", ("id",), identity=True),
    Table("source_articles", ("doc_id",)),
)
# Meta rows the target keeps for itself, or this move sets (last_seq at the end).
OWN_META = {"last_seq", "schema_version", INSTANCE_KEY}
# Tables a target may already hold and still count as empty: the schema's and the engine's.
OURS = {table.name for table in TABLES} | {"meta", "search_meta", "search_entries",
                                           "search_labels", "search_words"}


@dataclass
class MoveReport:
    """Rows per table on each side after the move, and whether this run copied anything."""

    counts: list[tuple[str, int, int]] = field(default_factory=list)   # table, source, target
    copied: int = 0
    already_finished: bool = False

    @property
    def mismatches(self) -> list[str]:
        return [name for name, source, target in self.counts if source != target]

    def lines(self) -> list[str]:
        """The counts as a table a person reads."""
        width = max(len(name) for name, _, _ in self.counts)
        rows = [f"{'table':<{width}}  {'source':>9}  {'target':>9}"]
        for name, source, target in self.counts:
            mark = "" if source == target else "  MISMATCH"
            rows.append(f"{name:<{width}}  {source:>9}  {target:>9}{mark}")
        return rows


Progress = Callable[[str, int], None]      # (table, rows copied in this batch)


def move_instance(instance: Instance, url: str, batch_size: int = DEFAULT_BATCH,
                  on_batch: Progress | None = None) -> MoveReport:
    """Copy the instance's store into the database at url (empty, or a move of this same
    instance that stopped), then count both sides. MoveError or StoreUnavailable when it
    cannot."""
    if not instance.store_path.exists():
        raise MoveError(f"there is no store at {instance.store_path}: nothing to move")
    source = Store(instance.store_path)
    try:
        source_id = instance_id(source)
        with connect(url) as conn:
            take_move_lock(conn, url)
            try:
                return run_move(source, source_id, conn, url, batch_size, on_batch)
            except psycopg.OperationalError as exc:
                if conn.broken:         # the server went away: one line, a re-run resumes
                    raise unreachable(url, exc) from None
                raise MoveError(f"the target refused the move ({first_line(exc)})") from None
            except psycopg.Error as exc:
                raise MoveError(f"the target refused the move ({first_line(exc)})") from None
    finally:
        source.close()


def first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def connect(url: str) -> psycopg.Connection:
    """An autocommit connection to the target; one line when it cannot be had."""
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT)
    except psycopg.OperationalError as exc:
        raise unreachable(url, exc) from None
    except psycopg.ProgrammingError as exc:
        raise StoreUnavailable(f"the database URL is not valid ({exc})") from None


def instance_id(store: Store) -> str:
    """The source's random id, made once and kept in its meta."""
    store.db.execute("INSERT OR IGNORE INTO meta VALUES (?, ?)", (INSTANCE_KEY, uuid.uuid4().hex))
    value = store.get_meta(INSTANCE_KEY)
    assert value is not None
    return value


def take_move_lock(conn: psycopg.Connection, url: str) -> None:
    """One move into a database at a time (a session lock, let go when the move ends)."""
    if not scalar(conn, "SELECT pg_try_advisory_lock(%s)", (MOVE_LOCK,)):
        raise MoveError(f"another move into {server_name(url)} is running; wait for it to end")


def run_move(source: Store, source_id: str, conn: psycopg.Connection, url: str,
             batch_size: int, on_batch: Progress | None) -> MoveReport:
    """Check the target, copy what is left, count. The source is read in one snapshot."""
    unknown = source_tables(source.db) - {table.name for table in TABLES} - {"meta"}
    if unknown:
        raise MoveError(f"the store has tables this version cannot move ({', '.join(sorted(unknown))}); "
                        "upgrade the program")
    check_target(conn, url, source_id)
    store_schema.migrate(conn)
    search_schema.apply(conn)
    report = MoveReport()
    source.db.execute("BEGIN")          # one read snapshot: the counts match what was copied
    try:
        last_seq = source.last_seq()
        finished = target_meta(conn, FINISHED) is not None
        if not finished:
            with conn.transaction():
                set_meta(conn, MOVED_FROM, source_id)
                # Ahead of any seq the copy brings, so nothing written meanwhile can take one.
                set_meta(conn, "last_seq", str(max(last_seq, int(target_meta(conn, "last_seq") or 0))))
            for table in TABLES:
                report.copied += copy_table(source.db, conn, table, batch_size, on_batch)
            finish(source, conn, last_seq)
        report.already_finished = finished
        report.counts = count_both(source.db, conn, last_seq)
        if not report.mismatches and not finished:
            with conn.transaction():
                set_meta(conn, FINISHED, "1")
    finally:
        source.db.execute("COMMIT")
    return report


def source_tables(db: sqlite3.Connection) -> set[str]:
    return {row[0] for row in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}


def check_target(conn: psycopg.Connection, url: str, source_id: str) -> None:
    """Refuse a database holding anything but an empty schema or a move of this instance."""
    where = server_name(url)
    tables = {row[0] for row in conn.execute(
        "SELECT relname FROM pg_class WHERE relkind IN ('r', 'p', 'v', 'm') "
        "AND relnamespace = current_schema()::regnamespace")}
    foreign = tables - OURS
    if foreign:
        raise MoveError(f"{where} holds tables that are not Media Monitor's "
                        f"({', '.join(sorted(foreign)[:5])}); move into an empty database")
    if "meta" not in tables:
        return
    moved_from = target_meta(conn, MOVED_FROM)
    if moved_from == source_id:
        return                      # this instance's move, stopped or finished: carry on
    if moved_from is not None:
        raise MoveError(f"{where} holds a move from another instance ({moved_from}); "
                        "move into an empty database")
    filled = [name for name in sorted(tables & (OURS - {"meta", "search_meta"}))
              if scalar(conn, f"SELECT EXISTS (SELECT 1 FROM {name})")]
    if filled:
        raise MoveError(f"{where} is not empty (it holds {', '.join(filled)}); "
                        "move into an empty database")


def scalar(conn: psycopg.Connection, sql: str, params: Sequence[Any] = ()) -> Any:
    """The one value a statement returns."""
    row = conn.execute(sql, params).fetchone()
    assert row is not None, "the statement returns one row"
    return row[0]


def target_meta(conn: psycopg.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = %s", (key,)).fetchone()
    return row[0] if row else None


def set_meta(conn: psycopg.Connection, key: str, value: str) -> None:
    conn.execute("INSERT INTO meta VALUES (%s, %s) ON CONFLICT (key) "
                 "DO UPDATE SET value = EXCLUDED.value", (key, value))


def copy_table(db: sqlite3.Connection, conn: psycopg.Connection, table: Table,
               batch_size: int, on_batch: Progress | None) -> int:
    """Copy the rows after the recorded key, a batch per transaction; how many."""
    after = decode_key(table, target_meta(conn, PROGRESS + table.name))
    copied = 0
    while rows := read_batch(db, table, after, batch_size):
        columns = rows[0].keys()
        after = tuple(rows[-1][name] for name in table.key)
        with conn.transaction(), conn.cursor() as cursor:
            write_batch(cursor, table, columns, rows)
            set_meta(conn, PROGRESS + table.name, encode_key(table, after))
        copied += len(rows)
        if on_batch:
            on_batch(table.name, len(rows))
    return copied


def read_batch(db: sqlite3.Connection, table: Table, after: tuple | None,
               batch_size: int) -> list[sqlite3.Row]:
    """The next rows of the table in key order, after the key given (None: from the start)."""
    order = ", ".join(table.key)
    where = f"WHERE ({order}) > ({', '.join('?' * len(table.key))}) " if after else ""
    return db.execute(f"SELECT * FROM {table.name} {where}ORDER BY {order} LIMIT ?",
                      (*(after or ()), batch_size)).fetchall()


def write_batch(cursor: psycopg.Cursor, table: Table, columns: Sequence[str],
                rows: list[sqlite3.Row]) -> None:
    """COPY the rows in as they are (ids included), with what goes with them."""
    if table.name == "documents":
        write_documents(cursor, columns, rows)
    else:
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(tuple(row))
    if table.identity:
        # Past the largest id so far, so rows made on the target later never take one.
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                       f"(SELECT max(id) FROM {table.name}))")


def write_documents(cursor: psycopg.Cursor, columns: Sequence[str],
                    rows: list[sqlite3.Row]) -> None:
    """Documents upserted by id (a document stored again in the source since an earlier
    run has a new seq, so it comes again), with their search rows."""
    names = ", ".join(columns)
    cursor.execute("CREATE TEMP TABLE IF NOT EXISTS move_documents "
                   "(LIKE documents) ON COMMIT DELETE ROWS")
    with cursor.copy(f"COPY move_documents ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(tuple(row))
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in columns if name != "id")
    cursor.execute(f"INSERT INTO documents ({names}) SELECT {names} FROM move_documents "
                   f"ON CONFLICT (id) DO UPDATE SET {updates}")
    write_rows(cursor, [row_to_document(row) for row in rows])


def encode_key(table: Table, key: tuple) -> str:
    """A row's key as JSON (BLOB columns as hex)."""
    return json.dumps([value.hex() if name in table.blobs else value
                       for name, value in zip(table.key, key, strict=True)])


def decode_key(table: Table, text: str | None) -> tuple | None:
    if text is None:
        return None
    values: list[Any] = json.loads(text)
    return tuple(bytes.fromhex(value) if name in table.blobs else value
                 for name, value in zip(table.key, values, strict=True))


def finish(source: Store, conn: psycopg.Connection, last_seq: int) -> None:
    """The source's meta (what a running reenrich recorded, ...), its last_seq, and the
    search rows' seq: the target then stands where the source stood."""
    with conn.transaction():
        for key, value in source.db.execute("SELECT key, value FROM meta"):
            if key not in OWN_META and not key.startswith(PROGRESS):
                set_meta(conn, key, str(value))
        set_meta(conn, "last_seq", str(max(last_seq, int(target_meta(conn, "last_seq") or 0))))
        conn.execute("INSERT INTO search_meta VALUES (%s, %s) ON CONFLICT (key) "
                     "DO UPDATE SET value = EXCLUDED.value", (SEQ_KEY, str(last_seq)))


def count_both(db: sqlite3.Connection, conn: psycopg.Connection,
               last_seq: int) -> list[tuple[str, int, int]]:
    """(table, source rows, target rows) for every table, the search rows, and last_seq."""
    counts = []
    for table in TABLES:
        source = db.execute(f"SELECT count(*) FROM {table.name}").fetchone()[0]
        target = scalar(conn, f"SELECT count(*) FROM {table.name}")
        counts.append((table.name, source, target))
    documents = counts[0][1]
    counts.append(("search rows", documents, scalar(conn, "SELECT count(*) FROM search_entries")))
    counts.append(("last_seq", last_seq, int(target_meta(conn, "last_seq") or 0)))
    return counts
