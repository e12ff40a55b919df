"""What several test modules share: where things are, running the command, seeded inputs,
reading the store, and killing a library run at a chosen point (tests/killed_run.py)."""
from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result

# The project's modules are imported inside the helpers that use them: conftest.py imports
# this module, and a test of the readers should not depend on the engine importing cleanly.

ROOT = Path(__file__).resolve().parents[1]
# DATA.md: the real test data lies in ../shared beside the project's root.
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
REUTERS = CORPUS / "reuters-21578.jsonl.gz"
FARSNEWS = CORPUS / "farsnews.jsonl.gz"
SEED_PAGE = CORPUS / "pages" / "iran-international-page-2.txt"
FEEDS = SHARED / "feeds"
HTML = SHARED / "html"


# --- the command ------------------------------------------------------------------------

def manage(home: Path, *args, timeout: float = 900) -> subprocess.CompletedProcess:
    """Run manage.py in a subprocess, as a user would."""
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), "--home", str(home),
                           *map(str, args)], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout)


def invoke(home: Path, *args) -> Result:
    """Run the command line in this process (faster than manage(); same command)."""
    from manage import cli

    return CliRunner().invoke(cli, ["--home", str(home), *map(str, args)])


def ingest_json(home: Path, *paths) -> tuple[int, dict, str]:
    """Run `manage.py ingest --json`; return exit status, report and stderr (no traceback)."""
    done = manage(home, "ingest", "--json", *paths)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout), done.stderr


# The keys INTERFACES.md promises for each file of an ingest report (more may be added).
FILE_KEYS = ("path", "format", "status", "documents", "new", "updated", "unchanged",
             "skipped_items", "error")


def file_outcome(item: dict) -> dict:
    """A file's entry of an ingest report: its promised keys, path left out (None)."""
    return {key: item[key] for key in FILE_KEYS} | {"path": None}


def stats_json(home: Path) -> dict:
    """`manage.py stats --json`."""
    done = manage(home, "stats", "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


# --- inputs -------------------------------------------------------------------------------

WORDS = ("oil gas wheat bank rate trade deficit gold coffee copper election minister army "
         "border sanctions talks refugees currency reserves harvest drought port strike "
         "tanker pipeline budget inflation exports imports court protest summit").split()
SOURCES = ("Alpha News", "Beta Times", "Gamma Daily", "Delta Wire")


def news_records(count: int, seed: int = 7, start: int = 0, words=(40, 160)) -> list[dict]:
    """Seeded news-like records: every 10th undated, every 4th without a URL."""
    rng = random.Random(seed)
    items = []
    low, high = words
    for n in range(start, start + count):
        text = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
        month, day, hour = rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23)
        published = f"2020-{month:02d}-{day:02d}T{hour:02d}:00:00Z"
        items.append({"id": f"r{n}", "url": None if n % 4 == 0 else f"https://x.example/{n}",
                      "source": SOURCES[n % 4], "title": " ".join(text[:6]).capitalize(),
                      "text": " ".join(text), "published": None if n % 10 == 0 else published})
    return items


def shared_records(count: int) -> list[dict]:
    """The first `count` Reuters articles, then the first count // 2 Fars News ones (short
    English wire and long Persian texts), as JSON Lines records."""
    import gzip
    import itertools

    records = []
    for corpus, share in ((REUTERS, count), (FARSNEWS, count // 2)):
        with gzip.open(corpus, "rt", encoding="utf-8") as handle:
            records += [json.loads(line) for line in itertools.islice(handle, share)]
    return records


def write_jsonl(path: Path, items: list[dict]) -> Path:
    """Write records as JSON Lines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(item) + "\n" for item in items), encoding="utf-8")
    return path


def ingest_and_index(instance, path: Path) -> None:
    """Ingest into the store, then catch the index up, as manage.py ingest does."""
    from indexer.engine.whoosh.index import SearchIndex
    from indexer.ingest.ingester import Ingester

    store = instance.open_store()
    try:
        Ingester(store, detect_language=False).ingest([str(path)])
        SearchIndex(instance.index_path).catch_up(store)
    finally:
        store.close()


def search_answer(engine, params) -> dict:
    """The Search JSON of INTERFACES.md for an engine's answer to params."""
    from indexer.search.results import search_json

    return search_json(params, engine.search(params))


# --- the store ----------------------------------------------------------------------------

def store_ids(home: Path) -> list[str]:
    """Every document id in an instance's store, read without writing (none without one)."""
    path = home / "store.sqlite3"
    if not path.exists():
        return []
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [row[0] for row in db.execute("SELECT id FROM documents")]
    finally:
        db.close()


# --- killing a run ------------------------------------------------------------------------

def killed_run(home: Path, operation: str, point: str, number: int, *paths,
               env: dict[str, str] | None = None) -> list[int]:
    """Run tests/killed_run.py until its kill point; return the store's document counts it
    reported (at its start and after each commit). Fails if the kill never came.

    env: variables added to this process's environment for the run."""
    done = subprocess.run([sys.executable, "-m", "tests.killed_run", str(home), operation, point,
                           str(number), *map(str, paths)],
                          cwd=ROOT, capture_output=True, text=True, timeout=900,
                          env={**os.environ, **(env or {})})
    assert done.returncode == -signal.SIGKILL, (done.returncode, done.stderr[-2000:])
    return [int(line.split()[1]) for line in done.stdout.splitlines()
            if line.startswith("committed ")]
