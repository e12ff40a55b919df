"""Column tables: the per-segment cache file, and facet and day counts over the matches."""
from __future__ import annotations

import gzip
import itertools
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index

from indexer.engine.whoosh import column_cache, columns
from indexer.engine.whoosh.column_cache import CANDIDATES_SUFFIX, SUFFIX, fold_column
from indexer.engine.whoosh.columns import ColumnCache, count_days, count_facets, count_values
from indexer.engine.whoosh.index import WRITER_OPTIONS, SearchIndex
from indexer.engine.whoosh.query import build_query
from indexer.engine.whoosh.schema import FACETS, VALUE_SEPARATOR
from indexer.engine.whoosh.searchers import Searchers
from indexer.instance import Instance
from indexer.search import near_duplicates
from indexer.search.facets import facet_key
from indexer.search.params import SearchParams
from tests.helpers import ingest_and_index, news_records, write_jsonl

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def cache_files(instance: Instance) -> list[Path]:
    return sorted(instance.index_path.glob(f"*{SUFFIX}"))


def fresh_table(instance: Instance):
    """A table read as a new process reads it: a new searcher, a new ColumnCache."""
    searcher = Searchers(SearchIndex(instance.index_path)).current()
    return searcher, ColumnCache().table(searcher)


def plain_table(searcher) -> dict:
    """The columns read per document through Whoosh, as the cache must reproduce them."""
    rows: dict = {"ids": [], "days": [], "signatures": [], **{f: [] for f in FACETS}}
    for leaf, _offset in searcher.reader().leaf_readers():
        rows["ids"] += list(leaf.column_reader("id"))
        rows["days"] += list(leaf.column_reader("day"))
        rows["signatures"] += [bytes(s) for s in leaf.column_reader("nearsig")]
        for facet in FACETS:
            for value in leaf.column_reader(facet):
                text = value.decode("utf-8") if isinstance(value, bytes) else value or ""
                rows[facet].append([v for v in text.split(VALUE_SEPARATOR) if v])
    return rows


def plain_facet_counts(rows: dict, docnums: list[int]) -> dict[str, dict[str, int]]:
    """Per document, in Python: each folded key once, labelled by its first display value."""
    counts = {}
    for facet in FACETS:
        label: dict[str, str] = {}
        for values in rows[facet]:
            for value in values:
                label.setdefault(facet_key(value), value)
        keys = Counter(key for d in docnums for key in {facet_key(v) for v in rows[facet][d]})
        counts[facet] = {label[key]: n for key, n in keys.items()}
    return counts


@pytest.fixture()
def instance(tmp_path) -> Instance:
    home = Instance(tmp_path / "home")
    ingest_and_index(home, write_jsonl(tmp_path / "a.jsonl", news_records(40)))
    return home


def test_the_first_reader_writes_the_cache_and_the_next_one_reads_only_it(instance, monkeypatch):
    assert cache_files(instance) == []
    searcher, first = fresh_table(instance)
    assert [p.name for p in cache_files(instance)] == [
        f"{leaf.segment().segment_id()}{SUFFIX}" for leaf, _ in searcher.reader().leaf_readers()]

    def no_columns(_leaf):
        raise AssertionError("the columns were read again")

    monkeypatch.setattr(column_cache, "read_columns", no_columns)
    searcher, again = fresh_table(instance)
    rows = plain_table(searcher)
    assert again.ids == first.ids == rows["ids"] and len(again.ids) == 40
    assert again.days == rows["days"] and list(again.signatures) == rows["signatures"]
    everything = list(range(40))
    assert count_facets(again, everything) == plain_facet_counts(rows, everything)
    assert count_facets(again, everything)["kind"] == {"article": 40}
    assert sum(count_days(again, everything).values()) == 40
    assert count_days(again, everything)[0] == 4        # every 10th record is undated


def test_copy_candidates_are_kept_for_the_set_of_segments(instance, tmp_path, monkeypatch):
    _searcher, table = fresh_table(instance)
    found = table.copy_candidates()
    [kept] = instance.index_path.glob(f"*{CANDIDATES_SUFFIX}")
    assert found == near_duplicates.sharing_a_band(list(table.signatures))

    def no_search(_signatures):
        raise AssertionError("the candidates were found again")

    with monkeypatch.context() as patched:
        patched.setattr(columns, "sharing_a_band", no_search)
        assert fresh_table(instance)[1].copy_candidates() == found
    kept.write_bytes(kept.read_bytes()[:-2])                      # cut short: found again
    assert fresh_table(instance)[1].copy_candidates() == found
    ingest_and_index(instance, write_jsonl(tmp_path / "b.jsonl", news_records(5, start=40)))
    assert not kept.exists()            # the next commit's clean-up deleted it
    _searcher, table = fresh_table(instance)
    assert table.copy_candidates() == near_duplicates.sharing_a_band(list(table.signatures))


def test_a_garbled_or_foreign_cache_file_is_ignored_and_written_again(instance):
    fresh_table(instance)
    [path] = cache_files(instance)
    good = path.read_bytes()
    for bad in (good[:len(good) // 2], good[:-1] + bytes([good[-1] ^ 1]), b"", b"junk" * 50):
        path.write_bytes(bad)
        _searcher, table = fresh_table(instance)
        assert len(table.ids) == 40 and path.read_bytes() == good
    # The cache of another segment (another id, another count) under this one's name.
    other = Instance(instance.home.parent / "other")
    ingest_and_index(other, write_jsonl(instance.home.parent / "b.jsonl", news_records(7, seed=3)))
    fresh_table(other)
    path.write_bytes(cache_files(other)[0].read_bytes())
    _searcher, table = fresh_table(instance)
    assert len(table.ids) == 40 and path.read_bytes() == good


def test_a_new_segment_gets_its_file_and_a_merge_drops_the_old_ones(instance, tmp_path):
    fresh_table(instance)
    [first] = cache_files(instance)
    ingest_and_index(instance, write_jsonl(tmp_path / "b.jsonl", news_records(5, start=40)))
    searcher, table = fresh_table(instance)
    assert len(cache_files(instance)) == 2 and first in cache_files(instance)
    assert len(table.ids) == 45 and table.ids == plain_table(searcher)["ids"]
    # One segment now, merged by a writer as the project writes (its codec and options).
    whoosh_index.open_dir(str(instance.index_path)).writer(**WRITER_OPTIONS).commit(optimize=True)
    searcher, table = fresh_table(instance)
    [merged] = [leaf.segment().segment_id() for leaf, _ in searcher.reader().leaf_readers()]
    assert [p.name for p in cache_files(instance)] == [f"{merged}{SUFFIX}"]
    assert len(table.ids) == 45 and table.ids == plain_table(searcher)["ids"]


def test_a_read_only_index_folder_is_still_searched(instance, monkeypatch):
    def read_only(self, data):
        raise PermissionError(13, "Read-only file system", str(self))

    monkeypatch.setattr(Path, "write_bytes", read_only)
    searcher, table = fresh_table(instance)
    assert cache_files(instance) == [] and list(instance.index_path.glob(".*.tmp")) == []
    rows = plain_table(searcher)
    assert table.ids == rows["ids"]
    assert count_facets(table, range(40)) == plain_facet_counts(rows, list(range(40)))


def test_counting_a_facet_counts_each_document_once_per_key():
    column = fold_column([b"Iran\x1fIRAN\x1fIraq", b"", None, b"iraq", b"Iran"])
    assert column.keys == ["iran", "iraq"] and column.labels == ["Iran", "Iraq"]
    assert count_values(column, np.array([0, 1, 2, 3, 4])) == {"Iran": 2, "Iraq": 2}
    assert count_values(column, np.array([1, 2])) == {}
    assert count_values(column, np.array([3, 0])) == {"Iran": 1, "Iraq": 2}


def shared_slice(folder: Path) -> Path:
    """The first Reuters and farsnews lines of the shared corpora, in one file."""
    lines = []
    for name, count in (("reuters-21578.jsonl.gz", 1200), ("farsnews.jsonl.gz", 600)):
        with gzip.open(SHARED / name, "rt", encoding="utf-8") as handle:
            lines += [json.loads(line) for line in itertools.islice(handle, count)]
    return write_jsonl(folder / "slice.jsonl", lines)


def test_facet_and_day_counts_equal_the_plain_count_on_a_shared_slice(tmp_path):
    if not SHARED.is_dir():
        pytest.skip(f"shared corpus not found at {SHARED} (../shared beside the project)")
    home = Instance(tmp_path / "home")
    ingest_and_index(home, shared_slice(tmp_path))
    searcher, table = fresh_table(home)
    rows = plain_table(searcher)
    for query in ("", "oil", "ایران", "bank OR تهران", "-the"):
        docnums = sorted(searcher.docs_for_query(build_query(SearchParams(query=query))))
        assert docnums, query
        assert count_facets(table, docnums) == plain_facet_counts(rows, docnums), query
        assert count_days(table, docnums) == dict(Counter(rows["days"][d] for d in docnums))
    assert len(table.ids) == 1800 and len(table.copy_candidates()) > 0
    assert table.copy_candidates() == near_duplicates.sharing_a_band(list(table.signatures))


def test_an_index_without_documents_has_an_empty_table(tmp_path):
    searcher = Searchers(SearchIndex(tmp_path / "no-index")).current()
    table = ColumnCache().table(searcher)
    assert table.ids == [] and table.copy_candidates() == set()
    assert count_facets(table, []) == {facet: {} for facet in FACETS}
    assert count_days(table, []) == {}
