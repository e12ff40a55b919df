"""manage.py ingest and demo: per-file reports, exact-once storage, exit codes."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED_PAGE = ROOT.parent / "shared" / "corpus" / "pages" / "iran-international-page-2.txt"


def manage(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), "--home", str(home), *args],
                          capture_output=True, text=True, cwd=ROOT)


def ingest_json(home: Path, *paths) -> tuple[int, dict, str]:
    done = manage(home, "ingest", "--json", *map(str, paths))
    return done.returncode, json.loads(done.stdout), done.stderr


def stats(home: Path) -> dict:
    return json.loads(manage(home, "stats", "--json").stdout)


@pytest.mark.skipif(not SEED_PAGE.exists(), reason="../shared is absent: no seed page")
def test_seed_page_twice(tmp_path):
    code, first, _ = ingest_json(tmp_path, SEED_PAGE)
    assert code == 0
    assert (first["documents"], first["new"], first["ok_files"]) == (6, 6, 1)
    assert first["files"][0] | {"path": None} == {
        "path": None, "format": "page", "status": "ok", "documents": 6, "new": 6,
        "updated": 0, "unchanged": 0, "skipped_items": 0, "error": None}
    code, second, _ = ingest_json(tmp_path, SEED_PAGE)
    assert (code, second["new"], second["updated"], second["unchanged"]) == (0, 0, 0, 6)
    assert stats(tmp_path)["by_kind"] == {"article": 1, "brief": 5}


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
    before = stats(tmp_path / "home")["store_seq"]
    path.write_text('{"id": "1", "source": "S", "title": "A", "text": "Alpha, corrected"}\n')
    code, report, _ = ingest_json(tmp_path / "home", path)
    after = stats(tmp_path / "home")
    assert (report["updated"], after["documents"], after["store_seq"]) == (1, 1, before + 1)


def test_demo_is_seeded_and_idempotent(tmp_path):
    first = manage(tmp_path, "demo")
    assert first.returncode == 0, first.stderr
    counts = stats(tmp_path)
    assert counts["documents"] >= 200 and counts["by_kind"]["brief"] > 0
    second = manage(tmp_path, "demo")
    assert second.returncode == 0 and " 0 new, 0 updated" in second.stdout
    assert stats(tmp_path) == counts
    other = tmp_path / "other"
    manage(other, "demo")
    assert stats(other)["documents"] == counts["documents"]
