"""The PostgreSQL store keeps what the SQLite store keeps, with the same meaning.

One slice of the shared corpus (Reuters, SaudiNewsNet, Farsnews) is ingested into both
stores once per module; documents, the entity table and counts must come back equal.
Then what only a server has: processes opening a new database at once, writers of
several connections, and a server that cannot be reached.
"""
from __future__ import annotations

import gzip
import json
import subprocess
import sys
import threading
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from corpus.document import Document
from indexer.ingest.ingester import Ingester
from indexer.store import Store
from tests.helpers import CORPUS, ROOT, manage

psycopg = pytest.importorskip("psycopg", reason="PostgreSQL tests skipped: psycopg is not installed")

from indexer.store.postgres import PgStore, StoreUnavailable  # noqa: E402
from indexer.store.postgres.pool import close_pools  # noqa: E402
from indexer.store.postgres.schema import SCHEMA_VERSION  # noqa: E402

SLICE = {"reuters-21578.jsonl.gz": 120, "saudinewsnet.jsonl.gz": 60, "farsnews.jsonl.gz": 60}
NOW = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)


def corpus_slice(folder: Path) -> Path:
    """The first lines of each shared JSON Lines corpus, in one temporary file."""
    if not all((CORPUS / name).exists() for name in SLICE):
        pytest.skip(f"shared corpus not found at {CORPUS} (../shared beside the project)")
    path = folder / "slice.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for name, count in SLICE.items():
            with gzip.open(CORPUS / name, "rt", encoding="utf-8") as lines:
                for _, line in zip(range(count), lines, strict=False):
                    out.write(line)
    return path


def ingest(store: Store, path: Path) -> None:
    with Ingester(store, clock=lambda: NOW, workers=1) as ingester:
        ingester.ingest([str(path)])


@pytest.fixture(scope="module", autouse=True)
def _pools_closed():
    """Give every pooled connection of this module back to the server at its end."""
    yield
    close_pools()


@pytest.fixture(scope="module")
def both(pg_cluster, tmp_path_factory):
    """(SQLite store, PgStore) that ingested the same corpus slice at the same clock."""
    folder = tmp_path_factory.mktemp("pg_store")
    path = corpus_slice(folder)
    lite, pg = Store(folder / "store.sqlite3"), PgStore(pg_cluster.create_database())
    ingest(lite, path)
    ingest(pg, path)
    yield lite, pg
    lite.close()
    pg.close()


@pytest.fixture
def empty(pg_url):
    store = PgStore(pg_url)
    yield store
    store.close()


def made(n: int, **fields) -> Document:
    """A document of our own, already enriched as the store receives them."""
    base = dict(title=f"Title {n}", text=f"Text of document {n}.", source="Wire",
                url=f"https://example.org/{n}", date_source="metadata", lang="en",
                published=datetime(2024, 5, n % 28 + 1, 23, 15, tzinfo=timezone.utc),
                ingested_at=NOW, countries=["IR"], entities=[{"name": "Tehran", "type": "place"}])
    return Document(**{**base, **fields})


def save_all(store: Store, docs: list[Document]) -> None:
    with store.transaction():
        for doc in docs:
            doc.seq = store.next_seq()
            store.save(doc)


# --- the same documents as SQLite ---------------------------------------------------------

def test_the_slice_comes_back_equal_to_the_sqlite_store(both):
    lite, pg = both
    lite_docs, pg_docs = list(lite.iter_all()), list(pg.iter_all())
    assert len(pg_docs) == sum(SLICE.values()) == 240
    assert pg_docs == lite_docs                    # every field, seq and order included
    assert pg.count_by_kind() == lite.count_by_kind() == {"article": 240, "brief": 0}
    assert pg.last_seq() == lite.last_seq() == 240
    ids = [doc.id for doc in lite_docs[::7]]
    assert pg.get_many(ids) == lite.get_many(ids)


def test_the_slice_keeps_its_languages_times_and_entities(both):
    _, pg = both
    docs = list(pg.iter_all())
    assert {doc.lang for doc in docs} >= {"en", "ar", "fa"}
    assert sum(1 for doc in docs if doc.entities) > 100
    assert all(doc.ingested_at == NOW for doc in docs)
    local = [doc for doc in docs if doc.published_local is not None]
    for doc in local:       # the publisher's offset survives, at the same instant
        assert doc.published_local.utcoffset() is not None
        assert doc.published_local == doc.published


def test_entity_table_and_languages_match_sqlite(both):
    lite, pg = both
    assert sorted(pg.entity_rows()) == sorted(lite.entity_rows())
    assert len(pg.entity_rows()) > 100
    variant, name, _ = sorted(lite.entity_rows())[0]
    assert pg.entity_name(variant) == name and pg.entity_name("no such variant") is None
    for source in {doc.source for doc in lite.iter_all()}:
        assert pg.common_language(source) == lite.common_language(source)
    first = next(lite.iter_all())
    assert pg.language_of(first.id) == first.lang and pg.language_of("missing") is None


def test_reingesting_the_slice_changes_nothing(both, tmp_path):
    _, pg = both
    before = list(pg.iter_all())
    ingest(pg, corpus_slice(tmp_path))
    assert list(pg.iter_all()) == before and pg.last_seq() == 240


# --- one store's behaviour ----------------------------------------------------------------

def test_round_trip_of_every_field_and_seq_order(empty):
    assert empty.last_seq() == 0 and empty.count_by_kind() == {"article": 0, "brief": 0}
    tehran = timezone(timedelta(hours=3, minutes=30))
    docs = [made(1, published_local=datetime(2024, 5, 3, 2, 45, tzinfo=tehran)),
            made(2, title=None, url=None, source=None, lang=None, countries=[], entities=[],
                 text="Percent % and question ? marks, 'quotes' and \"more\"."),
            made(3, kind="brief", parent_id="p" * 20, external_id="ext-3",
                 published=datetime(987, 1, 2, tzinfo=timezone.utc), date_source="text")]
    save_all(empty, docs)
    assert [doc.seq for doc in docs] == [1, 2, 3]
    assert empty.get_many([d.id for d in docs] + ["missing"]) == {d.id: d for d in docs}
    assert empty.get(docs[0].id).published_local.utcoffset() == timedelta(hours=3, minutes=30)
    assert [d.id for d in empty.iter_since(1, batch_size=1)] == [docs[1].id, docs[2].id]
    assert list(empty.iter_since(3)) == []
    assert empty.count_by_kind() == {"article": 2, "brief": 1}


def test_resave_replaces_the_row_and_gives_a_new_seq(empty):
    doc = made(4)
    save_all(empty, [doc])
    changed = replace(doc, title="Corrected")
    save_all(empty, [changed])
    assert empty.get(doc.id) == changed and changed.seq == 2
    assert [d.title for d in empty.iter_all()] == ["Corrected"]
    save_all(empty, [replace(changed)])                      # the same again: one row still
    assert empty.count_by_kind()["article"] == 1 and empty.last_seq() == 3


def test_a_failed_transaction_keeps_nothing(empty):
    with pytest.raises(RuntimeError, match="boom"):
        with empty.transaction():
            doc = made(5)
            doc.seq = empty.next_seq()
            empty.save(doc)
            raise RuntimeError("boom")
    assert empty.last_seq() == 0 and empty.get(made(5).id) is None


def test_next_seq_outside_a_transaction_is_refused(empty):
    with pytest.raises(RuntimeError, match="inside store.transaction"):
        empty.next_seq()


def test_update_enrichment_leaves_raw_fields_and_seq(empty):
    doc = made(6)
    save_all(empty, [doc])
    enriched = replace(doc, lang="fa", countries=["IR", "IQ"], date_source="text",
                       entities=[{"name": "بغداد", "type": "place"}],
                       published=datetime(2024, 6, 1, 20, 30, tzinfo=timezone.utc),
                       published_local=datetime(2024, 6, 2, 0, 0,
                                                tzinfo=timezone(timedelta(hours=3, minutes=30))),
                       title="not written", seq=99)
    empty.update_enrichment(enriched)
    assert empty.get(doc.id) == replace(enriched, title=doc.title, seq=1)
    assert empty.last_seq() == 1


def test_entity_rows_keep_the_first_canonical_name(empty):
    empty.add_entity_rows([("tehran", "Tehran", "place"), ("iran", "Iran", "place")])
    empty.add_entity_rows([("tehran", "TEHRAN", "org"), ("irna", "IRNA", "org")])
    assert sorted(empty.entity_rows()) == [("iran", "Iran", "place"), ("irna", "IRNA", "org"),
                                          ("tehran", "Tehran", "place")]


def test_common_language_is_the_most_frequent_then_the_first_by_name(empty):
    save_all(empty, [made(10, lang="fa"), made(11, lang="ar"), made(12, lang="ar"),
                     made(13, lang=None), made(14, source="Other", lang="fa"),
                     made(15, source="Other", lang="en")])
    assert empty.common_language("Wire") == "ar"
    assert empty.common_language("Other") == "en"           # a tie: the first by name
    assert empty.common_language("Nobody") is None


def test_meta_values(empty):
    assert empty.get_meta("absent") is None and empty.get_meta("last_seq") == "0"
    empty.set_meta("k", "1")
    empty.set_meta("k", "2")
    assert empty.get_meta("k") == "2"
    empty.delete_meta("k")
    assert empty.get_meta("k") is None


# --- what only a server has ---------------------------------------------------------------

def test_an_earlier_transaction_that_commits_later_is_not_skipped(pg_url):
    """A reader notes last_seq while an ingest holds an open batch; another writer comes
    and goes; reading on from the noted seq finds both documents, in commit order."""
    first, second, reader = PgStore(pg_url), PgStore(pg_url), PgStore(pg_url)
    early, late = made(20), made(21)
    try:
        with first.transaction():
            early.seq = first.next_seq()
            first.save(early)
            seen = reader.last_seq()
            writer = threading.Thread(target=save_all, args=(second, [late]))
            writer.start()
            writer.join(timeout=1)
            assert writer.is_alive()            # it waits for the open batch to commit
            assert list(reader.iter_since(seen)) == [] and seen == 0
        writer.join(timeout=30)
        assert [(d.id, d.seq) for d in reader.iter_since(seen)] == [(early.id, 1), (late.id, 2)]
    finally:
        for store in (first, second, reader):
            store.close()


def test_a_raw_transaction_taking_seq_is_ordered_too(pg_url):
    """next_seq's row lock orders writers that bypass transaction() (the move-to copy)."""
    a, b = PgStore(pg_url), PgStore(pg_url)
    try:
        with a._conn.transaction():
            assert a.next_seq() == 1
            taker = threading.Thread(target=save_all, args=(b, [made(22)]))
            taker.start()
            taker.join(timeout=1)
            assert taker.is_alive()
        taker.join(timeout=30)
        assert a.last_seq() == 2 and [d.seq for d in a.iter_all()] == [2]
    finally:
        a.close()
        b.close()


OPEN_STORE = ("import sys; from indexer.store.postgres import PgStore; "
              "s = PgStore(sys.argv[1]); print(s.get_meta('schema_version'), s.last_seq())")


def test_processes_opening_a_new_database_at_once_migrate_it_once(pg_url):
    runs = [subprocess.Popen([sys.executable, "-c", OPEN_STORE, pg_url], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(3)]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], outputs
    assert [out for out, _ in outputs] == [f"{SCHEMA_VERSION} 0\n"] * 3
    store = PgStore(pg_url)
    try:
        assert store.db.execute("SELECT COUNT(*) FROM meta WHERE key = 'last_seq'").fetchone()[0] == 1
    finally:
        store.close()


def test_opening_a_migrated_database_again_changes_nothing(pg_url):
    from indexer.store.postgres.schema import migrate

    store = PgStore(pg_url)
    try:
        save_all(store, [made(30)])
        assert migrate(store._conn) == SCHEMA_VERSION
        assert store.last_seq() == 1 and store.get_meta("schema_version") == str(SCHEMA_VERSION)
    finally:
        store.close()


def test_an_unreachable_server_is_one_line_naming_it(pg_cluster):
    from tests.pg_support import free_port

    port = free_port()
    with pytest.raises(StoreUnavailable) as caught:
        PgStore(f"postgresql://nobody:secret@127.0.0.1:{port}/news")
    message = str(caught.value)
    assert message.startswith(f"cannot reach the PostgreSQL server at 127.0.0.1:{port}/news (")
    assert "\n" not in message and "secret" not in message
    assert message.endswith("start it or check MEDIA_MONITOR_DATABASE_URL")


def test_a_read_only_store_reads_and_refuses_writes(both, pg_cluster):
    _, pg = both
    reader = PgStore(pg.url, readonly=True)
    try:
        assert reader.last_seq() == 240 and reader.get(next(pg.iter_all()).id) is not None
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            with reader.transaction():
                reader.set_meta("x", "y")
    finally:
        reader.close()


# --- users, alerts and sources: the same SQL on both stores -------------------------------

@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request, tmp_path):
    """A new, empty store of each kind (the PostgreSQL one on the session's cluster)."""
    if request.param == "sqlite":
        store: Store = Store(tmp_path / "store.sqlite3")
    else:
        store = PgStore(request.getfixturevalue("pg_cluster").create_database())
    yield store
    store.close()


def test_accounts_names_tokens_and_disabling(any_store):
    from indexer import accounts

    ana = accounts.add_user(any_store, "Ana", "password-1", email="ana@example.org", is_admin=True)
    accounts.add_user(any_store, "bob", "password-2")
    with pytest.raises(accounts.AccountError, match="the user name 'ANA' is taken"):
        accounts.add_user(any_store, "ANA", "password-3")
    assert [u.username for u in accounts.list_users(any_store)] == ["Ana", "bob"]
    assert accounts.authenticate(any_store, "ana", "password-1").id == ana.id
    assert accounts.authenticate(any_store, "ana", "wrong") is None
    token = accounts.new_token(any_store, ana.id, "script")
    assert accounts.user_for_token(any_store, token).username == "Ana"
    [listed] = accounts.list_tokens(any_store, ana.id)
    assert listed["label"] == "script" and set(listed) == {"id", "label", "created_at", "last_used_at"}
    accounts.set_disabled(any_store, "ana")
    assert accounts.user_for_token(any_store, token) is None
    accounts.set_disabled(any_store, "ana", False)
    assert accounts.revoke_token(any_store, ana.id, listed["id"]) is True
    assert accounts.revoke_token(any_store, ana.id, listed["id"]) is False
    assert accounts.user_for_token(any_store, token) is None


def a_search(store: Store, name: str, checkpoint: int = 0) -> int:
    from indexer import accounts
    from indexer.store import alerts as rows

    user = accounts.find_user(store, "ana") or accounts.add_user(store, "ana", "password-1")
    with store.transaction():
        return rows.insert_search(store.db, user_id=user.id, name=name, args="{}",
                                  frequency="instant", checkpoint=checkpoint,
                                  webhook_secret="s", feed_token=f"feed-{name}",
                                  last_digest_at="2026-03-01T00:00:00Z",
                                  created_at="2026-03-01T00:00:00Z")


def test_saved_searches_hits_and_bands(any_store):
    from indexer.store import alerts as rows

    db = any_store.db
    oil, gas = a_search(any_store, "oil"), a_search(any_store, "Gas", checkpoint=5)
    with any_store.transaction():
        first = rows.insert_hit(db, oil, "doc-1", 1, ["نفت", "oil"], None, b"\x00\xffsig",
                                "2026-03-01T00:00:01Z", False)
        assert rows.insert_hit(db, oil, "doc-1", 1, ["oil"], None, b"x", "t", False) is None
        copy = rows.insert_hit(db, oil, "doc-2", 2, ["oil"], first, b"sig2", "2026-03-01T00:00:02Z",
                               False)
        rows.insert_bands(db, oil, first, [b"\x01band", b"\x02band"])
        rows.insert_bands(db, oil, first, [b"\x01band"])
    assert isinstance(first, int) and isinstance(copy, int) and copy > first
    assert rows.hits_sharing_bands(db, oil, [b"\x01band", b"nope"]) == [(first, b"\x00\xffsig")]
    assert rows.hits_sharing_bands(db, oil, []) == []
    [hit] = rows.hit_rows(db, oil)
    assert (hit["doc_id"], hit["words"], hit["copies"], hit["read"]) == ("doc-1", ["نفت", "oil"], 1, 0)
    assert rows.hits_by_id(db, [copy, first])[0]["doc_id"] == "doc-2"
    assert rows.all_hit_pairs(db) == [(oil, "doc-1", None), (oil, "doc-2", first)]
    assert [(s["name"], s["unread"], s["hits"]) for s in rows.searches_of(db)] == [
        ("Gas", 0, 0), ("oil", 1, 1)]
    rows.advance_checkpoints(db, [oil, gas], 3, "2026-03-01T01:00:00Z")
    assert rows.checkpoints(db, [oil, gas, 999]) == {oil: 3, gas: 5}      # never back
    assert rows.unqueued_hits(db, oil) == [first]
    rows.mark_queued(db, oil)
    assert rows.unqueued_hits(db, oil) == []
    assert rows.mark_read(db, oil) == 2 and rows.mark_read(db, oil) == 0
    rows.update_search(db, gas, paused=1)
    assert [s["name"] for s in rows.matchable_searches(db)] == ["oil"]
    assert rows.search_by_feed_token(db, "feed-oil")["id"] == oil
    rows.delete_search(db, oil)
    assert rows.search_row(db, oil) is None and rows.all_hit_pairs(db) == []


def test_outbox_leases_are_held_by_one_sender(any_store):
    from indexer.store import alerts as rows

    db = any_store.db
    search = a_search(any_store, "oil")
    now, later = "2026-03-01T00:00:00Z", "2026-03-01T00:10:00Z"
    message = rows.insert_message(db, search, "webhook", "instant", [7, 8], now)
    assert rows.due_messages(db, now, 10) == [message]
    assert rows.take_lease(db, message, "worker-a", now, later) is True
    assert rows.take_lease(db, message, "worker-b", now, later) is False
    assert rows.due_messages(db, now, 10) == []
    rows.mark_attempt_failed(db, message, "worker-a", "HTTP 500", "2026-03-01T00:05:00Z")
    assert rows.message_row(db, message)["hit_ids"] == [7, 8]
    assert rows.due_messages(db, "2026-03-01T00:05:00Z", 10) == [message]
    assert rows.take_lease(db, message, "worker-b", "2026-03-01T00:05:00Z", later) is True
    rows.mark_sent(db, message, "worker-a", later)             # not its lease: nothing
    assert rows.message_counts(db) == {"pending": 1}
    rows.mark_sent(db, message, "worker-b", later)
    assert rows.message_counts(db) == {"sent": 1}
    state = rows.channel_states(db, search)["webhook"]
    assert (state["status"], state["attempts"], state["last_error"]) == ("sent", 2, None)


def test_sources_runs_and_article_records(any_store):
    import sqlite3

    from indexer.store import sources as rows

    db = any_store.db
    when = "2026-03-01T00:00:00Z"
    wire = rows.insert_source(db, name="Wire", url="https://example.org/feed", every_seconds=600,
                              next_due_at=when, created_at=when)
    rows.insert_source(db, name="agency", url="https://example.org/a", every_seconds=60,
                       next_due_at="2026-03-02T00:00:00Z", created_at=when)
    with pytest.raises(sqlite3.IntegrityError):
        rows.insert_source(db, name="WIRE", url="https://x.org", every_seconds=1,
                           next_due_at=when, created_at=when)
    assert rows.source_by_name(db, "wire")["id"] == wire
    assert [s["name"] for s in rows.all_sources(db)] == ["agency", "Wire"]
    assert [s["name"] for s in rows.due_sources(db, when)] == ["Wire"]
    rows.insert_run(db, {"source_id": wire, "started_at": when, "finished_at": when,
                         "status": "ok", "http_status": 200, "bytes": 900, "fetched": 3,
                         "new": 2, "updated": 0, "unchanged": 1, "errors": 0})
    listed = {s["name"]: s for s in rows.all_sources(db)}
    assert (listed["Wire"]["run_status"], listed["Wire"]["run_new"]) == ("ok", 2)
    assert listed["agency"]["run_status"] is None
    rows.update_source(db, wire, paused=1, failures=2)
    assert rows.due_sources(db, when) == [] and [s["name"] for s in rows.active_sources(db)] == ["agency"]
    rows.record_article(db, "doc-1", wire, "https://example.org/1", when, "timeout")
    rows.record_article(db, "doc-1", wire, "https://example.org/1", when, None)
    assert rows.article_fetched(db, "doc-1")["error"] is None
    assert [r["fetched"] for r in rows.runs_of(db, wire)] == [3]
    rows.delete_source(db, wire)
    assert rows.source_by_id(db, wire) is None and rows.runs_of(db, wire) == []


def test_a_record_carrying_nul_goes_in_and_the_rest_of_its_file_too(pg_url, tmp_path):
    """PostgreSQL refuses NUL in text: such a record (a damaged export) is stored without
    it, and the records after it are not lost."""
    records = [{"id": "n1", "source": "Wire", "title": "Oil\u0000 price",
                "text": "Oil prices rose in Tehran.\u0000 Traders said so.", "published": "2024-05-02"},
               {"id": "n2", "source": "Wire", "title": "Gas", "text": "Gas prices fell in Riyadh.",
                "published": "2024-05-02"}]
    path = tmp_path / "nul.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    done = manage(tmp_path / "home", "--database", pg_url, "ingest", path)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    found = manage(tmp_path / "home", "--database", pg_url, "search", "--json", "prices")
    hits = {d["title"]: d for d in json.loads(found.stdout)["results"]}
    assert set(hits) == {"Oil price", "Gas"}


def test_text_given_to_the_server_with_nul_is_kept_without_it(empty):
    """A name or a query typed with NUL (a malformed form) is stored without it, not refused
    with a traceback; the same text looks it up."""
    search_id = a_search(empty, "oil\x00 watch")
    row = empty.db.execute("SELECT name FROM saved_searches WHERE name = ?",
                           ("oil\x00 watch",)).fetchone()
    assert row is not None and row["name"] == "oil watch"
    assert empty.db.execute("SELECT id FROM saved_searches WHERE name = 'oil watch'"
                            ).fetchone()[0] == search_id


def test_check_verifies_a_postgresql_instance_and_backup_points_to_pg_dump(pg_url, tmp_path):
    home = tmp_path / "home"
    path = tmp_path / "news.jsonl"
    path.write_text("".join(json.dumps({"id": f"c{n}", "source": "Wire", "title": f"Oil {n}",
                                        "text": "Oil prices rose in Tehran.",
                                        "published": "2024-05-02T23:30:00+03:30"}) + "\n"
                            for n in range(3)), encoding="utf-8")
    assert manage(home, "--database", pg_url, "ingest", path).returncode == 0
    done = manage(home, "--database", pg_url, "check")
    assert done.returncode == 0, done.stderr
    assert "consistent" in done.stdout
    # A local time naming another instant than `published` is found and repaired.
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("UPDATE documents SET published_local = '2024-05-09T10:00:00+03:30' "
                     "WHERE external_id = 'c1'")
    found = manage(home, "--database", pg_url, "check", "--json")
    assert found.returncode == 1 and "Traceback" not in found.stderr, found.stderr
    [problem] = json.loads(found.stdout)["problems"]
    assert "local time" in problem
    assert manage(home, "--database", pg_url, "check", "--repair").returncode == 0
    assert manage(home, "--database", pg_url, "check").returncode == 0
    for command in (["backup", tmp_path / "copy.sqlite3"], ["restore", tmp_path / "copy.sqlite3"]):
        refused = manage(home, "--database", pg_url, *command)
        assert refused.returncode == 2 and "pg_dump" in refused.stderr, refused.stderr
        assert "Traceback" not in refused.stderr
    assert not (tmp_path / "copy.sqlite3").exists()


# --- search rows worked out by the ingest's workers ----------------------------------------

def search_tables(store: PgStore) -> list[list[tuple]]:
    """Every search row (without ts: an undated document's is its ingest time), word and
    label of a store, in order."""
    columns = ("doc_id, seq, title_words::text, text_words::text, country_keys, entity_keys, "
               "lang_keys, source_keys, kind_keys, day, month, nearsig, bands, copy_candidate, "
               "text_positions")
    return [store.db.execute(f"SELECT {columns} FROM search_entries ORDER BY doc_id").fetchall(),
            store.db.execute("SELECT * FROM search_words ORDER BY field, word").fetchall(),
            store.db.execute("SELECT * FROM search_labels ORDER BY facet, key").fetchall()]


def test_search_rows_worked_out_by_the_workers_are_one_process_rows(pg_cluster, tmp_path):
    from corpus.jsonl import record_to_document
    from indexer.engine.postgres.rows import text_part
    from indexer.ingest.pool import analyse_chunk

    path = corpus_slice(tmp_path)
    stores = {workers: PgStore(pg_cluster.create_database()) for workers in (1, 2)}
    try:
        for workers, store in stores.items():
            with Ingester(store, clock=lambda: NOW, workers=workers) as ingester:
                report = ingester.ingest([str(path)])
            assert report.total("new") == sum(SLICE.values())
        one, two = (search_tables(store) for store in stores.values())
        assert len(one[0]) == sum(SLICE.values()) and one[1] and one[2]
        assert two == one
    finally:
        for store in stores.values():
            store.close()
    # What a worker hands back is the store's own text part of each document.
    docs = [record_to_document(json.loads(line)) for line in path.read_text().splitlines()[:20]]
    analyses = analyse_chunk(docs, NOW, False, True, PgStore.prepare)
    assert [a.prepared for a in analyses] == [text_part(doc) for doc in docs]


def test_a_remembered_text_part_is_what_the_search_row_holds(empty):
    from indexer.engine.postgres.rows import text_key, text_part

    doc, other = made(1, text="Oil prices rose in Tehran."), made(2, text="Wheat harvest news.")
    empty.remember([replace(text_part(other), key=text_key(doc))])
    save_all(empty, [doc])
    words = empty.db.execute("SELECT text_words::text FROM search_entries").fetchone()[0]
    assert "'wheat'" in words and "'oil'" not in words
    save_all(empty, [replace(doc, seq=None)])      # forgotten once its transaction ended
    words = empty.db.execute("SELECT text_words::text FROM search_entries").fetchone()[0]
    assert "'oil'" in words and "'wheat'" not in words
