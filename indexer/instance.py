"""Where an instance keeps its data: the store and the index inside one folder."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from indexer.store import Store


@dataclass(frozen=True)
class Instance:
    """An instance folder: `store.sqlite3` (the truth) and `index/` (derived from it)."""

    home: Path

    @classmethod
    def locate(cls, home: str | None) -> "Instance":
        """The folder given, else $MEDIA_MONITOR_HOME, else ./instance."""
        return cls(Path(home or os.environ.get("MEDIA_MONITOR_HOME") or "instance"))

    @property
    def store_path(self) -> Path:
        return self.home / "store.sqlite3"

    @property
    def index_path(self) -> Path:
        return self.home / "index"

    def open_store(self) -> Store:
        """Open (creating if needed) the instance's store."""
        return Store(self.store_path)

    def open_engine(self):
        """The search engine of this instance (Whoosh, in the index folder), reading the
        documents it shows from the instance's store."""
        from indexer.engine.documents import store_documents
        from indexer.engine.whoosh.engine import WhooshEngine  # loads Whoosh only when searched

        return WhooshEngine(self.index_path, fetch=store_documents(self.store_path))
