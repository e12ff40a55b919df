"""Copies of the store made with SQLite's online backup API: consistent while ingest runs.

The index is not copied: it is derived from the store, and a restore rebuilds it.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path


class BackupError(ValueError):
    """A backup file cannot be used; the message says why."""


def backup(store_path: Path, target: Path) -> int:
    """Copy the store into target (a new file) in one snapshot; return its documents."""
    if target.exists():
        raise BackupError(f"{target} exists already; give a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{store_path}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)   # all pages in one step: one read transaction, one snapshot
        return count_documents(copy)
    finally:
        copy.close()
        source.close()


def restore(backup_path: Path, store_path: Path) -> int:
    """Replace the store's contents by a checked backup's; return its documents."""
    check_backup(backup_path)
    source = sqlite3.connect(f"file:{backup_path}?mode=ro", uri=True)
    store_path.parent.mkdir(parents=True, exist_ok=True)
    target = sqlite3.connect(store_path, timeout=30)
    try:
        source.backup(target)
        return count_documents(target)
    finally:
        target.close()
        source.close()


def check_backup(path: Path) -> None:
    """Refuse a file that is not a whole Media Monitor store."""
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            verdict = db.execute("PRAGMA quick_check").fetchone()[0]
            count_documents(db)
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a Media Monitor store ({exc})") from None
    if verdict != "ok":
        raise BackupError(f"{path} is damaged ({verdict})")


def count_documents(db: sqlite3.Connection) -> int:
    """How many documents a store database holds."""
    return db.execute("SELECT count(*) FROM documents").fetchone()[0]
