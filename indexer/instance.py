"""Where an instance keeps its data: the store and the index inside one folder, or both
in a PostgreSQL database shared by many machines (MEDIA_MONITOR_DATABASE_URL)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from indexer.store import Store


@dataclass(frozen=True)
class Instance:
    """An instance folder: `store.sqlite3` (the truth) and `index/` (derived from it).

    With a database URL, the store and the search rows live in PostgreSQL instead (the
    folder then holds nothing the instance needs); read_url, a hot standby, serves
    searches and page reads.
    """

    home: Path
    database_url: str | None = None
    read_url: str | None = None

    @classmethod
    def locate(cls, home: str | None, database: str | None = None) -> "Instance":
        """The folder given, else $MEDIA_MONITOR_HOME, else ./instance; the database given,
        else $MEDIA_MONITOR_DATABASE_URL (and $MEDIA_MONITOR_READ_URL), else none."""
        url = database or os.environ.get("MEDIA_MONITOR_DATABASE_URL") or None
        return cls(Path(home or os.environ.get("MEDIA_MONITOR_HOME") or "instance"), url,
                   (os.environ.get("MEDIA_MONITOR_READ_URL") or None) if url else None)

    @property
    def store_path(self) -> Path:
        return self.home / "store.sqlite3"

    @property
    def index_path(self) -> Path:
        return self.home / "index"

    def open_store(self) -> Store:
        """Open (creating if needed) the instance's store."""
        if self.database_url:
            from indexer.store.postgres import PgStore

            return PgStore(self.database_url)
        return Store(self.store_path)

    def open_reading_store(self) -> Store:
        """A store for searches and page reads: the standby when one is set."""
        if self.database_url and self.read_url:
            from indexer.store.postgres import PgStore

            return PgStore(self.read_url, readonly=True)
        return self.open_store()

    def open_engine(self):
        """The search engine of this instance (Whoosh, in the index folder; PostgreSQL with
        a database URL), reading the documents it shows from the instance's store."""
        if self.database_url:
            return self._open_pg_engine()
        from indexer.engine.documents import store_documents
        from indexer.engine.whoosh.engine import WhooshEngine  # loads Whoosh only when searched

        return WhooshEngine(self.index_path, fetch=store_documents(self.store_path))

    def _open_pg_engine(self):
        from indexer.engine.postgres.engine import PgEngine
        from indexer.store.postgres import PgStore

        assert self.database_url is not None
        url = self.read_url or self.database_url

        def fetch(ids):
            from corpus.document import to_json

            store = PgStore(url, readonly=bool(self.read_url))
            try:
                return {i: to_json(doc) for i, doc in store.get_many(ids).items()}
            finally:
                store.close()

        return PgEngine(self.database_url, fetch=fetch, read_database=self.read_url)
