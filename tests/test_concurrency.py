"""Several processes on one instance folder at once: a fresh store is created once, an
ingest racing another loses nothing and doubles nothing."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from corpus.sample import write_sample
from tests.helpers import ROOT, store_ids


def start(home: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "--home", str(home), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)


def finish(processes: list[subprocess.Popen]) -> list[tuple[int, str]]:
    return [(p.wait(), p.communicate()[1]) for p in processes]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return write_sample(tmp_path_factory.mktemp("demo") / "demo")


@pytest.mark.parametrize("round_", range(4))
def test_four_stats_on_a_fresh_home_all_succeed(tmp_path, round_):
    outcomes = finish([start(tmp_path / "home", "stats", "--json") for _ in range(4)])
    assert outcomes == [(0, "")] * 4


@pytest.mark.parametrize("round_", range(2))
def test_two_ingests_on_a_fresh_home_store_every_document_once(tmp_path, demo, round_):
    home = tmp_path / "home"
    pages = sorted(demo.glob("*.txt"))
    first = start(home, "ingest", str(demo))
    second = start(home, "ingest", *map(str, pages[:3]), str(demo / "demo-wire.atom"))
    assert [code for code, _ in finish([first, second])] == [0, 0]
    ids = store_ids(home)
    assert len(ids) == len(set(ids)) == 323
    stats = json.loads(start(home, "stats", "--json").communicate()[0])
    assert stats["index_seq"] == stats["store_seq"] and stats["documents"] == 323
