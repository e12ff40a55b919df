"""A lean index (issue 15): it stores no document; results read them from the store by id."""
from __future__ import annotations

import shutil
from dataclasses import replace

import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3FieldWriter

from indexer.engine.documents import store_documents
from indexer.engine.whoosh import index as index_module
from indexer.engine.whoosh import search as search_module
from indexer.engine.whoosh.codec import InliningCodec
from indexer.engine.whoosh.engine import WhooshEngine
from indexer.engine.whoosh.index import SearchIndex
from indexer.engine.whoosh.schema import build_schema
from indexer.instance import Instance
from indexer.search.params import SearchParams
from indexer.store import Store
from tests.helpers import ingest_and_index, news_records, write_jsonl
from tests.news_fixture import DOCS, save_documents


@pytest.fixture
def indexed(tmp_path):
    """An instance holding the fixture news, indexed; its engine reads the store."""
    instance = Instance(tmp_path / "home")
    save_documents(instance, [replace(d) for d in DOCS])
    engine = instance.open_engine()
    store = instance.open_store()
    engine.catch_up(store)
    yield instance, store, engine
    engine.close()
    store.close()


def oil(limit: str = "100") -> SearchParams:
    return SearchParams.from_args({"q": "oil", "limit": limit, "sort": "oldest"})


def test_the_index_stores_nothing():
    assert [name for name in build_schema().names() if build_schema()[name].stored] == []


def test_a_document_changed_in_the_store_shows_its_new_entities(indexed):
    _instance, store, engine = indexed
    first = engine.search(oil()).documents[0]
    assert first["url"] == "https://news.example/a5"
    assert first["entities"] == [{"name": "opec", "type": "org"}]
    # What reenrich does: new entities saved in place, seq unchanged, index not refreshed.
    changed = store.get(first["id"])
    changed.entities = [{"name": "Saudi Aramco", "type": "org"}]
    with store.transaction():
        store.update_enrichment(changed)
    again = engine.search(oil()).documents[0]
    assert again["entities"] == [{"name": "Saudi Aramco", "type": "org"}]
    assert [d["entities"] for d in engine.iter_matches(oil()) if d["id"] == first["id"]] == [
        [{"name": "Saudi Aramco", "type": "org"}]]


def test_a_match_the_store_no_longer_holds_is_left_out(indexed):
    _instance, store, engine = indexed
    urls = [d["url"] for d in engine.search(oil()).documents]
    assert urls == ["https://news.example/a5", "https://news.example/a1",
                    "https://news.example/a2", "https://news.example/a3",
                    "https://news.example/u1"]
    gone = engine.search(oil()).documents[1]["id"]
    store.db.execute("DELETE FROM documents WHERE id = ?", (gone,))
    found = engine.search(oil())
    assert found.total == 5          # counted from the index, which still holds it
    assert [d["url"] for d in found.documents] == [urls[0]] + urls[2:]
    assert [d["url"] for d in engine.iter_matches(oil())] == [urls[0]] + urls[2:]


def test_documents_are_read_in_batches_in_order(indexed, monkeypatch):
    _instance, _store, engine = indexed
    every = SearchParams.from_args({"sort": "oldest"})
    whole = [d["id"] for d in engine.iter_matches(every)]
    monkeypatch.setattr(search_module, "FETCH_BATCH", 2)
    assert [d["id"] for d in engine.iter_matches(every)] == whole
    assert len(set(whole)) == len(DOCS)


def test_an_engine_on_a_moved_folder_reads_the_store_beside_it(tmp_path):
    folder = tmp_path / "first"
    store = Store(folder / "documents.db")       # not the instance's file name
    ingest_and_index_with(store, folder / "index", tmp_path)
    store.close()
    shutil.move(folder, tmp_path / "moved")
    engine = WhooshEngine(tmp_path / "moved" / "index")        # no fetch given
    try:
        found = engine.search(SearchParams.from_args({"q": "the", "limit": "3"}))
        assert found.total == 30 and len(found.documents) == 3
        assert all(d["text"] for d in found.documents)
    finally:
        engine.close()


def ingest_and_index_with(store: Store, index_path, tmp_path) -> None:
    from indexer.ingest.ingester import Ingester

    path = write_jsonl(tmp_path / "a.jsonl", [dict(r, text=r["text"] + " the")
                                              for r in news_records(30)])
    Ingester(store, detect_language=False).ingest([str(path)])
    SearchIndex(index_path).catch_up(store)


def test_a_bulk_catch_up_merges_only_at_its_last_commit(tmp_path, monkeypatch):
    monkeypatch.setattr(index_module, "COMMIT_EVERY", 20)
    merges = []
    real_commit = whoosh_index.FileIndex.writer

    def spying_writer(ix, **options):
        writer = real_commit(ix, **options)
        commit = writer.commit

        def recorded(*args, **kwargs):
            merges.append(kwargs.get("merge", True))
            return commit(*args, **kwargs)
        writer.commit = recorded
        return writer
    instance = Instance(tmp_path / "home")
    ingest_and_index(instance, write_jsonl(tmp_path / "a.jsonl", news_records(5)))
    monkeypatch.setattr(whoosh_index.FileIndex, "writer", spying_writer)
    more = write_jsonl(tmp_path / "b.jsonl", news_records(65, start=5))
    ingest_and_index(instance, more)       # a backlog of 65 into an index that exists
    assert merges == [False, False, False, True]
    engine = WhooshEngine(instance.index_path,
                          fetch=store_documents(instance.store_path))
    try:
        every = list(engine.iter_matches(SearchParams()))
        assert len(every) == len({d["id"] for d in every}) == 70
    finally:
        engine.close()


def test_segments_with_inlined_postings_merge(tmp_path):
    # A word in one document, an id, a facet value: posting lists short enough to be kept
    # in the term table (codec.py); merging reads them back and writes them again.
    instance = Instance(tmp_path / "home")
    for part in range(3):
        ingest_and_index(instance, write_jsonl(tmp_path / f"{part}.jsonl",
                                               news_records(10, seed=part, start=part * 10)))
    engine = instance.open_engine()
    try:
        answers = [engine.search(SearchParams.from_args({"q": q, "sort": "oldest"}))
                   for q in ("the", "zanzibar", "")]
        before = [(a.total, [d["id"] for d in a.documents], a.facets) for a in answers]
        ix = whoosh_index.open_dir(str(instance.index_path))
        assert len(ix.reader().leaf_readers()) == 3
        ix.optimize()                              # one segment: every posting list merged
        assert len(whoosh_index.open_dir(str(instance.index_path)).reader().leaf_readers()) == 1
        answers = [engine.search(SearchParams.from_args({"q": q, "sort": "oldest"}))
                   for q in ("the", "zanzibar", "")]
        assert [(a.total, [d["id"] for d in a.documents], a.facets) for a in answers] == before
        assert before[2][0] == 30
    finally:
        engine.close()


class PerPostingCodec(InliningCodec):
    """The project's codec with Whoosh's own field writer (a length read per posting)."""

    def field_writer(self, storage, segment):
        return W3FieldWriter(self, storage, segment)


def test_field_lengths_read_once_write_the_same_files(tmp_path):
    # The field writer reads each field's lengths once (codec.py), Whoosh's per posting:
    # the block length bounds they feed are the same, and so are the files, byte for byte.
    from indexer.engine.whoosh.schema import document_fields

    instance = Instance(tmp_path / "home")
    store = instance.open_store()
    try:
        from indexer.ingest.ingester import Ingester

        Ingester(store, detect_language=False).ingest(
            [str(write_jsonl(tmp_path / "a.jsonl", news_records(300, words=(20, 400))))])
        docs = list(store.iter_all())
    finally:
        store.close()
    contents = []
    for name, codec in (("once", InliningCodec()), ("per-posting", PerPostingCodec())):
        folder = tmp_path / name
        folder.mkdir()
        writer = whoosh_index.create_in(str(folder), build_schema()).writer(
            **dict(index_module.WRITER_OPTIONS, codec=codec))
        for doc in docs:
            writer.add_document(**document_fields(doc))
        writer.commit()
        contents.append({path.suffix: path.read_bytes() for path in folder.iterdir()
                         if path.suffix in (".trm", ".pst")})
    assert set(contents[0]) == {".trm", ".pst"} and len(contents[0][".pst"]) > 10_000
    assert contents[0] == contents[1]


def test_inlined_postings_are_pickled_compactly_and_read_back():
    from whoosh.codec.whoosh3 import W3TermInfo

    from indexer.engine.whoosh.codec import CompactTermInfo

    postings = ((5, 9, 12), (1.0, 2.0, 1.0), (b"\x00\x05", b"\x00\x05\x07", b"\x02\x01"))
    compact, whooshs = CompactTermInfo(), W3TermInfo()
    for info in (compact, whooshs):
        info._weight, info._df, info._maxweight = 4.0, 3, 2.0
        info._minlength, info._maxlength, info._minid, info._maxid = 2, 3, 5, 12
        info.set_inlined(*postings)
    read = W3TermInfo.from_bytes(compact.to_bytes())
    assert read.inlined_postings() == postings
    assert (read.doc_frequency(), read.max_id()) == (3, 12)
    assert len(compact.to_bytes()) < len(whooshs.to_bytes()) - 50


MADE_UP_TEXTS = [
    "", "   ", "Oil EXPORTS rose; U.S. crude fell 3.5 pct to $17.20 a barrel.",
    "سرمایه‌گذاری بین‌المللی هم‌اکنون در تهران",           # ZWNJ ends a word
    "اَلسُّعُودِيَّة والسعودية بالرياض للمملكة",               # marks inside words, articles
    "\u0651 \u0640 \u200c lone marks, a tatweel and a joiner fold to nothing",
    "Straße CAFÉ café naïve ﻻ ٣٤٥ ۱۲۳ Ⅻ",                  # casefold, forms, digits
    "word " * 300 + "other words later " * 10,               # positions past 255
]


def test_indexed_terms_are_what_the_filter_chain_gives():
    # indexed_terms replaces the analyzer's filter chain when a text is indexed: the same
    # postings (term, count, weight, positions) in the same order, for every text.
    from whoosh.fields import TEXT

    from indexer.engine.whoosh.analysis import indexed_terms
    from tests.helpers import CORPUS, shared_records

    field = build_schema()["text"]
    texts = list(MADE_UP_TEXTS)
    if CORPUS.is_dir():
        texts += [f"{r.get('title') or ''}\n{r.get('text') or ''}" for r in shared_records(200)]
    for text in texts:
        fused = list(field.index(text))
        assert fused == list(TEXT.index(field, text))          # Whoosh's path: the chain
        assert [term.decode() for term, *_ in fused] == list(indexed_terms(text))
    assert sum(len(list(field.index(text))) for text in texts) > 1000
