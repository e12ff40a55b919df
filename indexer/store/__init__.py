"""The store: the only SQL of the project. SQLite is the embedded default."""
from indexer.store.sqlite import Store

__all__ = ["Store"]
