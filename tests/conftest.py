"""Fixtures shared by several test modules: each built once, in temporary folders."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

from indexer.instance import Instance
from tests.helpers import CORPUS, FEEDS, HTML, REUTERS, SEED_PAGE, SHARED, manage

JSONL_CORPORA = ("reuters-21578.jsonl.gz", "saudinewsnet.jsonl.gz", "farsnews.jsonl.gz")

# Generated tests draw the same examples on every run (seeded), with no timing limit
# (the first country lookup loads Babel) and no example database left in the tree.
settings.register_profile("seeded", derandomize=True, deadline=None, database=None,
                          print_blob=True)
settings.load_profile("seeded")


@dataclass
class IngestRun:
    """One `ingest --json` over the shared files, and `stats --json` right after it."""

    code: int
    report: dict
    stderr: str
    stats: dict


@dataclass
class SharedInstance:
    """An instance that ingested every news file of ../shared twice."""

    home: Path
    paths: dict[str, list[str]]      # format -> paths given to ingest
    manifest: list[dict]
    first: IngestRun
    second: IngestRun

    def broken_feeds(self) -> list[str]:
        """The feeds the manifest calls broken, as given to ingest."""
        return [str(FEEDS / entry["file"]) for entry in self.manifest if entry["kind"] == "broken"]


def ingest_run(home: Path, paths: list[str]) -> IngestRun:
    """Ingest paths with --json, then read stats."""
    result = manage(home, "ingest", "--json", *paths)
    stats = manage(home, "stats", "--json")
    return IngestRun(result.returncode, json.loads(result.stdout), result.stderr,
                     json.loads(stats.stdout))


@pytest.fixture(scope="session")
def shared_instance(tmp_path_factory) -> SharedInstance:
    """Every news file of ../shared (JSON Lines, the seed page, HTML pages, feeds), twice."""
    if not (CORPUS.is_dir() and FEEDS.is_dir() and HTML.is_dir()):
        pytest.skip(f"shared test data not found at {SHARED} (../shared beside the project)")
    manifest = json.loads((FEEDS / "manifest.json").read_text(encoding="utf-8"))
    expected = json.loads((HTML / "expected.json").read_text(encoding="utf-8"))
    paths = {"jsonl": [str(CORPUS / name) for name in JSONL_CORPORA],
             "page": [str(SEED_PAGE)],
             "html": [str(HTML / key) for key in sorted(expected)],
             "feed": [str(FEEDS / entry["file"]) for entry in manifest]}
    home = tmp_path_factory.mktemp("shared") / "home"
    every = [path for group in paths.values() for path in group]
    first = ingest_run(home, every)
    second = ingest_run(home, every)
    return SharedInstance(home, paths, manifest, first, second)


@pytest.fixture(scope="session")
def reuters_instance(tmp_path_factory) -> Instance:
    """An instance holding the Reuters corpus, ingested (and indexed) once per session."""
    if not REUTERS.exists():
        pytest.skip(f"shared corpus not found at {REUTERS} (../shared beside the project)")
    from manage import cli

    home = tmp_path_factory.mktemp("reuters")
    result = CliRunner().invoke(cli, ["--home", str(home), "ingest", str(REUTERS)])
    assert result.exit_code == 0, result.output
    return Instance(home)


@pytest.fixture(scope="session")
def pg_cluster():
    """One throwaway PostgreSQL cluster for the session (skipped, with why, if none can run)."""
    from tests.pg_support import server_or_skip

    cluster = server_or_skip()
    yield cluster
    cluster.destroy()


@pytest.fixture
def pg_url(pg_cluster) -> str:
    """The URL of a new, empty database on the session's cluster."""
    return pg_cluster.create_database()
