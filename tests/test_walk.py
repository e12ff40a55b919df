"""Walking folders: links out of the folder given are not followed, nothing vanishes silently.

An unreadable folder needs a process that permission checks apply to: root reads every
folder, so as root the walk runs in a child without the capabilities that bypass them.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from corpus.formats import Refused, walk
from tests.helpers import ROOT, store_ids

RECORD = '{"url": "https://walk.example/%s", "title": "%s", "text": "Some text."}\n'


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """in/ with a file, a sub-folder, and links inside and out; out/ beside it."""
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "secret.jsonl").write_text(RECORD % ("secret", "Secret"))
    inside = tmp_path / "in"
    (inside / "sub").mkdir(parents=True)
    (inside / "a.jsonl").write_text(RECORD % ("a", "A"))
    (inside / "sub" / "b.jsonl").write_text(RECORD % ("b", "B"))
    (inside / "to-secret.jsonl").symlink_to(tmp_path / "out" / "secret.jsonl")
    (inside / "to-out").symlink_to(tmp_path / "out")
    (inside / "to-b.jsonl").symlink_to(inside / "sub" / "b.jsonl")
    (inside / "sub" / "up").symlink_to(inside)
    (inside / "broken.jsonl").symlink_to(inside / "nowhere.jsonl")
    return inside


def outcome(items) -> list[tuple[str, str, str]]:
    """(path relative to in/, status, reason) per item; files read are 'read'."""
    return [(str(item).split("/in/", 1)[1],) + ((item.status, item.reason.split(":")[0])
                                                if isinstance(item, Refused) else ("read", ""))
            for item in items]


def test_links_out_of_the_folder_are_reported_not_followed(tree):
    assert outcome(walk([str(tree)])) == [
        ("a.jsonl", "read", ""),
        ("broken.jsonl", "failed", "broken symbolic link (to " + str(tree) + "/nowhere.jsonl)"),
        ("sub/b.jsonl", "read", ""),
        ("sub/up", "skipped", "symbolic link to a folder that holds it"),
        ("to-b.jsonl", "read", ""),
        ("to-out", "skipped", f"symbolic link to {tree.parent}/out, outside {tree}"),
        ("to-secret.jsonl", "skipped",
         f"symbolic link to {tree.parent}/out/secret.jsonl, outside {tree}"),
    ]


def test_follow_links_follows_them(tree):
    read = [path for path, status, _ in outcome(walk([str(tree)], follow_links=True))
            if status == "read"]
    assert read == ["a.jsonl", "sub/b.jsonl", "to-b.jsonl", "to-out/secret.jsonl",
                    "to-secret.jsonl"]


def test_a_link_named_on_the_command_line_is_read(tree):
    given = str(tree / "to-secret.jsonl")
    assert list(walk([given])) == [given]


def test_a_pipe_in_a_folder_is_skipped_not_opened(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    [item] = walk([str(tmp_path)])
    assert (item.status, item.reason) == ("skipped",
                                          "not a regular file (a device, socket or pipe)")


def test_ingest_reports_links_it_did_not_follow_and_stores_nothing_from_outside(tree, tmp_path):
    done = subprocess.run([sys.executable, "manage.py", "--home", str(tmp_path / "home"), "ingest",
                           "--json", str(tree)], cwd=ROOT, capture_output=True, text=True)
    report = json.loads(done.stdout)
    statuses = {item["path"].split("/in/")[1]: item["status"] for item in report["files"]}
    assert statuses == {"a.jsonl": "ok", "broken.jsonl": "failed", "sub/b.jsonl": "ok",
                        "sub/up": "skipped", "to-b.jsonl": "ok", "to-out": "skipped",
                        "to-secret.jsonl": "skipped"}
    assert done.returncode == 1          # the broken link is a file that could not be read
    assert f"{tree}/to-secret.jsonl: skipped: symbolic link to" in done.stderr
    assert len(store_ids(tmp_path / "home")) == 2       # a and b; never the secret


def without_permission_bypass() -> list[str]:
    """A command prefix under which permission checks apply (root drops its capabilities)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: every folder is readable")
    return ["setpriv", "--inh-caps=-all", "--bounding-set=-all", "--"]


def test_unreadable_folder_is_a_failed_entry_and_the_rest_is_read(tmp_path):
    inside = tmp_path / "in"
    (inside / "locked").mkdir(parents=True)
    (inside / "locked" / "hidden.jsonl").write_text(RECORD % ("hidden", "Hidden"))
    (inside / "z.jsonl").write_text(RECORD % ("z", "Z"))
    (inside / "locked").chmod(0)
    try:
        done = subprocess.run([*without_permission_bypass(), sys.executable, "manage.py",
                               "--home", str(tmp_path / "home"), "ingest", "--json", str(inside)],
                              cwd=ROOT, capture_output=True, text=True)
    finally:
        (inside / "locked").chmod(0o755)
    report = json.loads(done.stdout)
    assert done.returncode == 1
    assert [(item["path"], item["status"], item["error"]) for item in report["files"]] == [
        (str(inside / "locked"), "failed", "folder could not be read: Permission denied"),
        (str(inside / "z.jsonl"), "ok", None)]
    assert report["failed_files"] == 1 and report["new"] == 1
