"""Faults of the machine rather than of the input, said in one line with the way out.

A full disk, a folder without write permission, a store file that is not a database or a
damaged index are not bugs to show as tracebacks: every front end turns them into one
sentence that names the cause and what to do (the CLI on stderr, the web app as a page).
"""
from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from indexer.engine import IndexDamaged, IndexWorkerFault
from indexer.store.sqlite import UnreadableRow

NO_SPACE = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}
NO_WRITE = {errno.EROFS, errno.EACCES, errno.EPERM}


def database_server_fault(exc: BaseException) -> bool:
    """Whether exc says the PostgreSQL server is out of reach (down, refused, dropped, no
    free connection); told by module so that SQLite-only commands never import psycopg."""
    module = type(exc).__module__
    if module.startswith("indexer.store.postgres"):
        return type(exc).__name__ == "StoreUnavailable"
    if module.startswith("psycopg_pool"):
        return True
    if module.startswith("psycopg"):
        import psycopg

        return isinstance(exc, psycopg.OperationalError)
    return False


def database_fault_types() -> tuple[type[Exception], ...]:
    """The exception types of an unreachable PostgreSQL server, for handlers that register
    by type (the web app); () where psycopg is not installed."""
    try:
        import psycopg
        import psycopg_pool

        from indexer.store.postgres import StoreUnavailable
    except ImportError:
        return ()
    return (psycopg.OperationalError, psycopg_pool.PoolTimeout, StoreUnavailable)


def describe(exc: BaseException, home: Path) -> str | None:
    """One line for a fault of the machine, or None when exc is not one."""
    if database_server_fault(exc):
        if type(exc).__name__ == "StoreUnavailable":
            return str(exc)
        reason = " ".join(str(exc).split()) or type(exc).__name__
        return (f"the PostgreSQL server cannot be reached ({reason}); start it or check "
                "MEDIA_MONITOR_DATABASE_URL, then run the command again: what was stored "
                "before is kept")
    if isinstance(exc, UnreadableRow):
        return f"{exc}; run `manage.py check --repair`"
    if isinstance(exc, IndexDamaged):
        return f"{exc}; run `manage.py reindex` to rebuild it from the store"
    if isinstance(exc, IndexWorkerFault):
        return str(exc)
    if isinstance(exc, sqlite3.DatabaseError):
        return describe_database(exc, home)
    if isinstance(exc, OSError) and exc.errno in NO_SPACE:
        where = exc.filename or home
        return (f"no space left writing {where} ({exc.strerror}); free some space and run "
                "the command again: what was stored before is kept")
    if isinstance(exc, OSError) and exc.errno in NO_WRITE:
        where = exc.filename or home
        return (f"cannot write {where} ({exc.strerror}); give this user write access to "
                f"{home} or choose another --home")
    return None


def describe_database(exc: sqlite3.DatabaseError, home: Path) -> str:
    """What a failing store says, by SQLite's own message."""
    message = str(exc)
    store = home / "store.sqlite3"
    if "not a database" in message or "malformed" in message:
        return (f"{store} is not a readable Media Monitor store ({message}); restore a "
                "backup with `manage.py restore PATH`, or move the file aside to start afresh")
    if "full" in message:
        return (f"no space left writing {store} ({message}); free some space and run the "
                "command again: what was stored before is kept")
    if "readonly" in message or "unable to open" in message:
        return (f"cannot write {store} ({message}); give this user write access to {home} "
                "or choose another --home")
    return f"the store {store} failed ({message}); `manage.py check` tells what is wrong"
