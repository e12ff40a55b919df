"""One connection pool per server URL and process, and the one-line fault of a server
that cannot be reached.

Stores are opened and closed around each block of work (a request, a command, a batch),
as the SQLite store is; with PostgreSQL each open borrows a connection from the process's
pool for that URL instead of connecting anew. A forked child (an ingest worker) gets a
pool of its own: a connection must never be shared across processes.
"""
from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool, PoolTimeout

from indexer.store.postgres.connection import named_rows

# The pool logs each failed retry; the one-line fault (indexer.faults) says it once.
logging.getLogger("psycopg.pool").setLevel(logging.CRITICAL)

MIN_CONNECTIONS = 1
MAX_CONNECTIONS = int(os.environ.get("MEDIA_MONITOR_DATABASE_POOL", "10"))
CONNECT_TIMEOUT = 10        # seconds to reach the server before saying it cannot be
WAIT_TIMEOUT = 60           # seconds to wait for a free connection of the pool


class StoreUnavailable(RuntimeError):
    """The PostgreSQL server cannot be reached (down, wrong address, refused, dropped)."""


def server_name(url: str) -> str:
    """host:port/database of a URL, without user or password: what errors may show."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "(an unreadable database URL)"
    host = parts.get("host") or parts.get("hostaddr") or "localhost"
    return f"{host}:{parts.get('port') or 5432}/{parts.get('dbname') or ''}"


def unreachable(url: str, exc: BaseException) -> StoreUnavailable:
    """The one-line fault for a server that did not answer."""
    reason = " ".join(str(exc).split()) or type(exc).__name__
    return StoreUnavailable(f"cannot reach the PostgreSQL server at {server_name(url)} "
                            f"({reason}); start it or check MEDIA_MONITOR_DATABASE_URL")


@dataclass
class Pooled:
    """A process's pool for one URL, and whether this process brought the schema up to date."""

    pool: ConnectionPool
    migrated: bool = False


_pools: dict[tuple[int, str, bool], Pooled] = {}
_lock = threading.Lock()


def pooled(url: str, readonly: bool = False) -> Pooled:
    """The pool of this process for url (read-only sessions when readonly), opened once."""
    key = (os.getpid(), url, readonly)
    with _lock:
        if key not in _pools:
            _pools[key] = Pooled(open_pool(url, readonly))
        return _pools[key]


def open_pool(url: str, readonly: bool) -> ConnectionPool:
    """A pool of autocommit connections; StoreUnavailable when the server does not answer."""
    try:
        # One direct connection first: a refused or unknown host says why at once, where a
        # pool would only time out retrying.
        psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT).close()
    except psycopg.OperationalError as exc:
        raise unreachable(url, exc) from None
    except psycopg.ProgrammingError as exc:
        raise StoreUnavailable(f"the database URL is not valid ({exc})") from None

    def configure(conn: psycopg.Connection) -> None:
        if readonly:    # a hot standby, or a reader that must not write
            conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")

    pool: ConnectionPool = ConnectionPool(
        url, min_size=MIN_CONNECTIONS, max_size=max(MIN_CONNECTIONS, MAX_CONNECTIONS),
        kwargs={"autocommit": True, "row_factory": named_rows,
                "connect_timeout": CONNECT_TIMEOUT},
        configure=configure, check=ConnectionPool.check_connection,
        timeout=WAIT_TIMEOUT, open=False, name=f"media-monitor {server_name(url)}")
    try:
        pool.open(wait=True, timeout=CONNECT_TIMEOUT)
    except PoolTimeout as exc:
        pool.close()
        raise unreachable(url, exc) from None
    return pool


def borrow(url: str, readonly: bool = False) -> tuple[Pooled, psycopg.Connection]:
    """A connection of the pool, checked alive; StoreUnavailable when none can be had."""
    entry = pooled(url, readonly)
    try:
        return entry, entry.pool.getconn()
    except PoolTimeout as exc:
        raise unreachable(url, exc) from None


def close_pools() -> None:
    """Close every pool of this process (tests, and a server shutting down)."""
    with _lock:
        for key in [key for key in _pools if key[0] == os.getpid()]:
            _pools.pop(key).pool.close()
