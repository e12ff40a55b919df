"""Searchers reused across queries while the index stays the same (one per thread).

Opening a Whoosh searcher costs ~76 ms at 50k documents and our per-searcher column table
(columns.py) costs more the first time; a server answers many queries between index
changes, so it keeps one searcher per thread and opens a new one only when the index has
a new generation (a commit) or a new folder (a rebuild swapped `index.new` in: the
generation numbers of the new folder can equal the old ones, its inode cannot).
"""
from __future__ import annotations

import os
import threading

from whoosh import index as whoosh_index

from indexer.engine.whoosh.index import SearchIndex, empty_index


class Searchers:
    """Hand out a current searcher of one index to each thread that asks."""

    def __init__(self, index: SearchIndex):
        self.index = index
        self._local = threading.local()

    def current(self):
        """Return this thread's searcher, reopened first if the index changed under it."""
        local = self._local
        folder = self._folder_identity()
        searcher = getattr(local, "searcher", None)
        if searcher is not None and local.folder == folder and searcher.up_to_date():
            return searcher
        if searcher is not None:
            searcher.close()
        ix = (whoosh_index.open_dir(str(self.index.path)) if folder and self.index.exists()
              else empty_index())
        local.searcher, local.folder = ix.searcher(), folder
        return local.searcher

    def close(self) -> None:
        """Close this thread's searcher (other threads close theirs)."""
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None:
            searcher.close()
            self._local.searcher = None

    def _folder_identity(self) -> tuple[int, int] | None:
        """(device, inode) of the index folder, None while there is none.

        One stat per query; whether the folder holds an index is asked only on reopening.
        """
        try:
            info = os.stat(self.index.path)
        except OSError:
            return None
        return info.st_dev, info.st_ino
