"""The PostgreSQL store: the same Store, kept on a server many machines share.

`PgStore(url)` answers every method of indexer.store.sqlite.Store with the same meaning;
its `db` speaks the `?` SQL of the store modules (users, alerts, sources), so they serve
both backends. Chosen when MEDIA_MONITOR_DATABASE_URL is set.
"""
from indexer.store.postgres.pool import StoreUnavailable
from indexer.store.postgres.store import PgStore

__all__ = ["PgStore", "StoreUnavailable"]
