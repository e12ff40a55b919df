"""The news files of ../shared, all ingested once (the `shared_instance` fixture), then again."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from corpus.formats import read_bytes
from corpus.jsonl import read_jsonl
from tests.helpers import store_ids

pytestmark = pytest.mark.slow

JSONL_DOCUMENTS = {"reuters-21578.jsonl.gz": 18000, "saudinewsnet.jsonl.gz": 27644,
                   "farsnews.jsonl.gz": 1200}


def files_of(run, paths: list[str]) -> list[dict]:
    by_path = {item["path"]: item for item in run.report["files"]}
    return [by_path[path] for path in paths]


def one_file(run, path: str) -> dict:
    [item] = files_of(run, [path])
    return item


def test_exit_1_because_of_broken_feeds_and_no_traceback(shared_instance):
    for run in (shared_instance.first, shared_instance.second):
        assert run.code == 1
        assert "Traceback" not in run.stderr
        failing = {item["path"] for item in run.report["files"]
                   if item["status"] in ("partial", "failed")}
        assert failing == set(shared_instance.broken_feeds())


def test_every_path_is_reported_once(shared_instance):
    every = [p for group in shared_instance.paths.values() for p in group]
    assert sorted(item["path"] for item in shared_instance.first.report["files"]) == sorted(every)
    assert shared_instance.first.report["skipped_files"] == 0


def test_broken_feeds_give_one_line_errors(shared_instance):
    broken = shared_instance.broken_feeds()
    assert len(broken) == 2
    for item in files_of(shared_instance.first, broken):
        assert item["format"] == "feed"
        assert item["status"] in ("partial", "failed"), item
        assert item["error"] and "\n" not in item["error"], item
        assert (item["status"] == "partial") == (item["documents"] > 0)
        lines = [line for line in shared_instance.first.stderr.splitlines() if item["path"] in line]
        assert len(lines) == 1 and item["error"] in lines[0]


def test_every_html_page_is_ok(shared_instance):
    items = files_of(shared_instance.first, shared_instance.paths["html"])
    assert len(items) == 252
    bad = [(i["path"], i["status"], i["error"]) for i in items
           if (i["format"], i["status"], i["error"]) != ("html", "ok", None) or i["documents"] < 1]
    assert not bad


def test_every_feed_that_is_not_broken_is_ok(shared_instance):
    broken = set(shared_instance.broken_feeds())
    others = [p for p in shared_instance.paths["feed"] if p not in broken]
    assert len(others) == 32
    bad = [(i["path"], i["status"], i["error"], i["documents"])
           for i in files_of(shared_instance.first, others)
           if (i["format"], i["status"], i["error"]) != ("feed", "ok", None) or i["documents"] < 1]
    assert not bad


def test_jsonl_corpora_are_read_whole(shared_instance):
    for path in shared_instance.paths["jsonl"]:
        item = one_file(shared_instance.first, path)
        assert (item["format"], item["status"], item["error"]) == ("jsonl", "ok", None)
        assert item["documents"] == JSONL_DOCUMENTS[Path(path).name]


def test_seed_page_gives_an_article_and_five_briefs(shared_instance):
    [page] = shared_instance.paths["page"]
    item = one_file(shared_instance.first, page)
    assert (item["format"], item["status"], item["documents"], item["new"]) == ("page", "ok", 6, 6)


def test_farsnews_holds_1195_distinct_documents(shared_instance):
    [path] = [p for p in shared_instance.paths["jsonl"] if p.endswith("farsnews.jsonl.gz")]
    item = one_file(shared_instance.first, path)
    assert (item["documents"], item["new"], item["unchanged"], item["updated"]) == (1200, 1195, 5, 0)
    ids = [doc.id for doc in read_jsonl(read_bytes(Path(path), True)[0])]
    assert (len(ids), len(set(ids))) == (1200, 1195)
    assert set(ids) <= set(store_ids(shared_instance.home))


def test_counts_per_format_add_up(shared_instance):
    report = shared_instance.first.report
    files, documents = Counter(), Counter()
    for item in report["files"]:
        files[item["format"]] += 1
        documents[item["format"]] += item["documents"]
    assert files == {"jsonl": 3, "page": 1, "html": 252, "feed": 34}
    assert all(documents[fmt] > 0 for fmt in files)
    assert sum(documents.values()) == report["documents"]
    for key in ("new", "updated", "unchanged"):
        assert report[key] == sum(item[key] for item in report["files"])
    assert (report["ok_files"], report["partial_files"] + report["failed_files"]) == (288, 2)


def test_store_holds_what_the_first_ingest_added(shared_instance):
    first = shared_instance.first
    stored = store_ids(shared_instance.home)
    assert first.stats["documents"] == len(stored) == len(set(stored)) == first.report["new"]
    assert first.report["new"] + first.report["updated"] + first.report["unchanged"] == (
        first.report["documents"] - sum(item["skipped_items"] for item in first.report["files"]))


def test_second_ingest_changes_nothing(shared_instance):
    first, second = shared_instance.first, shared_instance.second
    assert (second.report["new"], second.report["updated"]) == (0, 0)
    assert second.report["documents"] == first.report["documents"]
    keep = ("documents", "by_kind", "store_seq")
    assert [second.stats[k] for k in keep] == [first.stats[k] for k in keep]
    assert [(i["path"], i["status"], i["documents"]) for i in second.report["files"]] == [
        (i["path"], i["status"], i["documents"]) for i in first.report["files"]]
