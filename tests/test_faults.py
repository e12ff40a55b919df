"""Faults of the machine end a command with one clear line, and lose nothing stored.

A full disk is made two ways: a file-size limit on the child process (works anywhere) and
a 256 KB tmpfs (needs root; skipped with a message elsewhere).
"""
from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from corpus.sample import write_sample
from tests.helpers import ROOT

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def manage(home: Path, *args: str, preexec=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), "--home", str(home), *args],
                          capture_output=True, text=True, cwd=ROOT, preexec_fn=preexec)


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory) -> Path:
    return write_sample(tmp_path_factory.mktemp("demo") / "demo")


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory, demo_folder) -> Path:
    home = tmp_path_factory.mktemp("home")
    assert manage(home, "ingest", str(demo_folder)).returncode == 0
    return home


def one_error_line(result: subprocess.CompletedProcess) -> str:
    """The stderr of a failed command: exactly one line, no traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def file_size_limit(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)    # EFBIG, as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_index_file_too_large_prints_the_report_then_one_line(tmp_path, demo_folder, demo_home):
    home = tmp_path / "home"
    shutil.copytree(demo_home, home)
    shutil.rmtree(home / "index")
    # The store is read (nothing new to write); the index cannot be written past 64 KB a file.
    result = manage(home, "ingest", "--json", str(demo_folder), preexec=file_size_limit(65536))
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["unchanged"] == report["documents"] > 0
    line = one_error_line(result)
    assert line.startswith("error: no space left writing") and "File too large" in line
    again = manage(home, "ingest", str(demo_folder))
    assert again.returncode == 0
    stats = json.loads(manage(home, "stats", "--json").stdout)
    assert stats["index_seq"] == stats["store_seq"]


def test_a_full_tmpfs_disk(tmp_path, demo_folder):
    folder = tmp_path / "small"
    folder.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs",
                                            str(folder)], capture_output=True).returncode:
        pytest.skip("cannot mount a small tmpfs here (needs root): the file-size test covers it")
    try:
        result = manage(folder / "home", "ingest", str(demo_folder))
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert "no space left" in result.stderr or "full" in result.stderr
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_store_that_is_not_a_database(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "store.sqlite3").write_bytes(b"this is not a database, but a text file " * 100)
    for command in (["stats"], ["ingest", str(tmp_path)], ["reindex"], ["backup", str(tmp_path / "b")]):
        result = manage(home, *command)
        assert result.returncode == 1
        line = one_error_line(result)
        assert "is not a readable Media Monitor store" in line and "manage.py restore" in line


def test_a_missing_index_file_says_reindex(tmp_path, demo_home):
    home = tmp_path / "home"
    shutil.copytree(demo_home, home)
    terms = next((home / "index").glob("*.trm"))      # the index stores no documents
    terms.unlink()
    result = manage(home, "search", "oil")
    assert result.returncode == 1
    line = one_error_line(result)
    assert "cannot be read" in line and "manage.py reindex" in line
    assert manage(home, "reindex").returncode == 0
    assert json.loads(manage(home, "search", "oil", "--json").stdout)["total"] > 0


def test_backup_and_restore_give_the_same_answers(tmp_path, demo_home):
    copy = tmp_path / "copy.sqlite3"
    result = manage(demo_home, "backup", str(copy))
    assert result.returncode == 0 and "backed up 323 documents" in result.stdout
    assert manage(demo_home, "backup", str(copy)).returncode == 2       # never overwrites
    home = tmp_path / "restored"
    assert manage(home, "restore", str(copy)).returncode == 0
    for query in ("oil", "sanctions", ""):
        before = json.loads(manage(demo_home, "search", query, "--json").stdout)
        after = json.loads(manage(home, "search", query, "--json").stdout)
        assert after == before and before["total"] > 0
    refused = manage(home, "restore", str(copy))
    assert refused.returncode == 2
    assert one_error_line(refused).endswith("holds documents; restore with --force to replace them")
    assert manage(home, "restore", "--force", str(copy)).returncode == 0


def test_restore_refuses_what_is_not_a_store(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not a store")
    result = manage(tmp_path / "home", "restore", str(text))
    assert result.returncode == 2 and "is not a Media Monitor store" in one_error_line(result)
    empty = tmp_path / "empty.sqlite3"
    sqlite3.connect(empty).close()
    assert "is not a Media Monitor store" in one_error_line(manage(tmp_path / "h2", "restore", str(empty)))


def test_searching_a_read_only_instance(tmp_path, demo_home):
    home = tmp_path / "home"
    shutil.copytree(demo_home, home)
    mounted = tmp_path / "read-only"
    mounted.mkdir()
    bind = subprocess.run(["mount", "--bind", str(home), str(mounted)], capture_output=True)
    if os.geteuid() != 0 or bind.returncode:
        pytest.skip("cannot make a read-only bind mount here (needs root)")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(mounted)], check=True)
        found = manage(mounted, "search", "oil", "--entity", "United Nations", "--json")
        assert found.returncode == 0, found.stderr
        assert json.loads(found.stdout)["total"] > 0
        stats = manage(mounted, "stats", "--json")
        assert json.loads(stats.stdout)["documents"] == 323
        refused = manage(mounted, "ingest", str(demo_home))
        assert refused.returncode == 1
        assert one_error_line(refused).startswith(f"error: cannot write {mounted}")
    finally:
        subprocess.run(["umount", str(mounted)], check=True)


def test_a_store_that_fails_mid_ingest_stops_the_run_with_its_report(tmp_path, demo_folder):
    home = tmp_path / "home"
    assert manage(home, "stats").returncode == 0          # the store exists, empty
    # Its write-ahead log cannot grow past 128 KB: a few files' batches go in, then none.
    result = manage(home, "ingest", "--json", str(demo_folder), preexec=file_size_limit(131072))
    assert result.returncode == 1
    report = json.loads(result.stdout)         # what was read until the store failed
    assert report["failed_files"] == 0 and 0 < report["new"] < 323
    assert len(report["files"]) < 31          # the run stopped at the file that failed
    assert one_error_line(result).startswith("error: the store ")
    assert manage(home, "ingest", str(demo_folder)).returncode == 0
    stats = json.loads(manage(home, "stats", "--json").stdout)
    assert stats["documents"] == 323 and stats["index_seq"] == stats["store_seq"]
