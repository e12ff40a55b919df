"""manage.py ingest and demo: per-file reports, exact-once storage, exit codes."""
import pytest

from tests.helpers import SEED_PAGE, file_outcome, ingest_json, manage, stats_json


@pytest.mark.skipif(not SEED_PAGE.exists(), reason="../shared is absent: no seed page")
def test_seed_page_twice(tmp_path):
    code, first, _ = ingest_json(tmp_path, SEED_PAGE)
    assert code == 0
    assert (first["documents"], first["new"], first["ok_files"]) == (6, 6, 1)
    assert file_outcome(first["files"][0]) == {
        "path": None, "format": "page", "status": "ok", "documents": 6, "new": 6,
        "updated": 0, "unchanged": 0, "skipped_items": 0, "error": None}
    code, second, _ = ingest_json(tmp_path, SEED_PAGE)
    assert (code, second["new"], second["updated"], second["unchanged"]) == (0, 0, 0, 6)
    assert stats_json(tmp_path)["by_kind"] == {"article": 1, "brief": 5}


def test_summary_line_and_skipped_files(tmp_path):
    (tmp_path / "notes.md").write_text("# not news")
    (tmp_path / "a.jsonl").write_text('{"title": "A", "text": "Alpha"}\n{"title": "", "text": ""}\n')
    done = manage(tmp_path / "home", "ingest", str(tmp_path))
    assert done.returncode == 0
    assert done.stdout.strip() == ("2 files (1 ok, 0 partial, 0 failed, 1 skipped): "
                                   "2 documents read, 1 new, 0 updated, 0 unchanged")
    code, report, _ = ingest_json(tmp_path / "home", tmp_path / "a.jsonl")
    assert report["files"][0]["skipped_items"] == 1 and report["unchanged"] == 1


def test_updated_record_gets_a_new_seq(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text('{"id": "1", "source": "S", "title": "A", "text": "Alpha"}\n')
    ingest_json(tmp_path / "home", path)
    before = stats_json(tmp_path / "home")["store_seq"]
    path.write_text('{"id": "1", "source": "S", "title": "A", "text": "Alpha, corrected"}\n')
    code, report, _ = ingest_json(tmp_path / "home", path)
    after = stats_json(tmp_path / "home")
    assert (report["updated"], after["documents"], after["store_seq"]) == (1, 1, before + 1)


def test_demo_is_seeded_and_idempotent(tmp_path):
    first = manage(tmp_path, "demo")
    assert first.returncode == 0, first.stderr
    counts = stats_json(tmp_path)
    assert counts["documents"] >= 200 and counts["by_kind"]["brief"] > 0
    second = manage(tmp_path, "demo")
    assert second.returncode == 0 and " 0 new, 0 updated" in second.stdout
    assert stats_json(tmp_path) == counts
    other = tmp_path / "other"
    manage(other, "demo")
    assert stats_json(other)["documents"] == counts["documents"]
