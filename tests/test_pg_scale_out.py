"""PostgreSQL scaled out, process by process: four ingests at once on one database, a hot
standby made with pg_basebackup serving the searches, the primary killed during an ingest
and restarted, and the web app answering 503 while the server is down.

Every check runs manage.py as a user would (subprocesses) against a throwaway cluster
(tests/pg_support.py). The fault and 503 checks get a cluster of their own, so that
killing it leaves the session's cluster to the other tests.
"""
from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
from itertools import islice
from pathlib import Path

import pytest

from tests.helpers import REUTERS, ROOT
from tests.pg_support import start_standby

psycopg = pytest.importorskip("psycopg", reason="PostgreSQL tests skipped: psycopg is not installed")

if not REUTERS.exists():
    pytest.skip(f"shared corpus not found at {REUTERS} (../shared beside the project)",
                allow_module_level=True)

# Four inputs of 100 Reuters lines, each overlapping the next by 40 lines: 280 distinct lines.
SPAN, STEP, INPUTS = 100, 60, 4
QUERIES = ("oil", "wheat OR corn", '"crude oil"', "NOT oil", "")
REPLAY_WAIT = 60.0
FAULT_LINES = 600


def reuters_lines(count: int) -> list[str]:
    with gzip.open(REUTERS, "rt", encoding="utf-8") as lines:
        return list(islice(lines, count))


def manage_db(url: str | None, home: Path, *args: str, env: dict | None = None,
              background: bool = False):
    """manage.py [--database url] --home home args, in a subprocess."""
    command = [sys.executable, str(ROOT / "manage.py"), "--home", str(home)]
    if url:
        command += ["--database", url]
    command += list(args)
    environment = {**os.environ, **(env or {})}
    environment.pop("MEDIA_MONITOR_DATABASE_URL", None)
    if "MEDIA_MONITOR_READ_URL" not in (env or {}):
        environment.pop("MEDIA_MONITOR_READ_URL", None)
    if background:
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, cwd=ROOT, env=environment)
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=environment,
                          timeout=600)


def search_json(url: str | None, home: Path, query: str, env: dict | None = None) -> dict:
    done = manage_db(url, home, "search", "--json", "--limit", "50", *query.split(), env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def answer(result: dict) -> tuple[int, list[str]]:
    """What two backends must agree on: the total and the ids found."""
    return result["total"], sorted(hit["id"] for hit in result["results"])


def scalar(url: str, sql: str):
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql).fetchone()[0]


# --- 1. four ingests at once ------------------------------------------------------------

@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("scale_inputs")
    lines = reuters_lines(STEP * (INPUTS - 1) + SPAN)
    paths = []
    for number in range(INPUTS):
        path = folder / f"part-{number}.jsonl"
        path.write_text("".join(lines[number * STEP:number * STEP + SPAN]), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def sqlite_home(inputs, tmp_path_factory) -> Path:
    """The same four inputs ingested one after the other into the embedded backend."""
    home = tmp_path_factory.mktemp("scale_sqlite") / "home"
    done = manage_db(None, home, "ingest", "--workers", "1", *map(str, inputs))
    assert done.returncode == 0, done.stderr
    return home


@pytest.fixture(scope="module")
def concurrent(pg_cluster, inputs, tmp_path_factory) -> tuple[str, Path]:
    """Four `ingest --workers 1` processes started at once on one new database, each given
    the inputs in another order so that they write the overlaps at the same moment."""
    url = pg_cluster.create_database()
    home = tmp_path_factory.mktemp("scale_pg") / "home"
    runs = []
    for number in range(INPUTS):
        order = inputs[number:] + inputs[:number]
        runs.append(manage_db(url, home, "ingest", "--workers", "1", *map(str, order),
                              background=True))
    for run in runs:
        out, err = run.communicate(timeout=600)
        assert run.returncode == 0, err
        assert "Traceback" not in err, err
    return url, home


def test_four_concurrent_ingests_store_every_document_once(concurrent, sqlite_home):
    url, _ = concurrent
    distinct = scalar(url, "SELECT count(DISTINCT id) FROM documents")
    assert scalar(url, "SELECT count(*) FROM documents") == distinct
    stats = json.loads(manage_db(None, sqlite_home, "stats", "--json").stdout)
    assert distinct == stats["documents"] == 280
    # seqs: one per document, never two alike, and the meta's last_seq is the largest.
    assert scalar(url, "SELECT count(DISTINCT seq) FROM documents") == distinct
    last = int(scalar(url, "SELECT value FROM meta WHERE key = 'last_seq'"))
    assert scalar(url, "SELECT max(seq) FROM documents") == last
    # The search rows follow the documents one to one.
    assert scalar(url, "SELECT count(*) FROM search_entries") == distinct
    assert scalar(url, "SELECT count(*) FROM search_entries e JOIN documents d "
                       "ON d.id = e.doc_id AND d.seq = e.seq") == distinct


def test_four_concurrent_ingests_search_like_one_sqlite_ingest(concurrent, sqlite_home):
    url, home = concurrent
    for query in QUERIES:
        pg, lite = search_json(url, home, query), search_json(None, sqlite_home, query)
        assert pg["total"] == lite["total"], query
        assert pg["total"] > 0, query


# --- 2. a hot standby -------------------------------------------------------------------

@pytest.fixture(scope="module")
def standby(pg_cluster, inputs, tmp_path_factory):
    """A standby cloned from the session's cluster with pg_basebackup -R; the primary
    ingests after the clone, the standby replays it. Yields (primary url, standby url, home)."""
    url = pg_cluster.create_database()
    home = tmp_path_factory.mktemp("scale_standby") / "home"
    replica = start_standby(pg_cluster)
    assert (replica.data / "standby.signal").exists()
    try:
        done = manage_db(url, home, "ingest", "--workers", "1", str(inputs[0]))
        assert done.returncode == 0, done.stderr
        wait_for_replay(pg_cluster.url(), replica.url())
        yield url, replica.url(url.rsplit("/", 1)[1]), home
    finally:
        replica.destroy()


def wait_for_replay(primary: str, replica: str) -> None:
    """Until the standby has replayed the primary's WAL as of now (bounded)."""
    target = scalar(primary, "SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + REPLAY_WAIT
    while time.monotonic() < deadline:
        with psycopg.connect(replica, autocommit=True) as conn:
            behind = conn.execute("SELECT pg_last_wal_replay_lsn() < %s::pg_lsn",
                                  (target,)).fetchone()[0]
        if behind is False:
            return
        time.sleep(0.2)
    raise AssertionError(f"the standby did not replay up to {target} in {REPLAY_WAIT} s")


def test_a_standby_answers_searches_as_the_primary(standby):
    primary, replica, home = standby
    assert scalar(replica, "SELECT pg_is_in_recovery()") is True
    for query in ("oil", "wheat OR corn", ""):
        alone = search_json(primary, home, query)
        read = search_json(primary, home, query, env={"MEDIA_MONITOR_READ_URL": replica})
        assert answer(read) == answer(alone), query
    assert answer(search_json(primary, home, ""))[0] == 100
    assert scalar(replica, "SELECT count(*) FROM documents") == 100


def test_a_standby_refuses_writes(standby):
    _, replica, _ = standby
    from indexer.store.postgres import PgStore

    store = PgStore(replica, readonly=True)
    try:
        assert store.last_seq() == 100
    finally:
        store.close()
    with psycopg.connect(replica, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("UPDATE meta SET value = '0' WHERE key = 'last_seq'")


# --- 3. the primary killed during an ingest ---------------------------------------------

@pytest.fixture(scope="module")
def own_cluster():
    """A cluster for this module alone: the fault tests kill and stop it."""
    from tests.pg_support import server_or_skip

    cluster = server_or_skip()
    yield cluster
    cluster.destroy()


def wait_for_documents(url: str, run: subprocess.Popen, bound: float = 120.0) -> int:
    """Poll count(*) until the ingest has committed some documents; their number."""
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline and run.poll() is None:
        try:
            count = scalar(url, "SELECT count(*) FROM documents")
        except psycopg.errors.UndefinedTable:
            count = 0
        if count:
            return count
        time.sleep(0.1)
    raise AssertionError(f"no document committed before the ingest ended ({run.poll()})")


@pytest.fixture(scope="module")
def killed_ingest(own_cluster, tmp_path_factory):
    """An ingest of FAULT_LINES lines whose server is killed once some documents are
    committed, the server restarted and the same ingest run again. Yields (url, home,
    documents committed before the kill, the killed run, the re-run)."""
    url = own_cluster.create_database()
    folder = tmp_path_factory.mktemp("scale_fault")
    source = folder / "lines.jsonl"
    source.write_text("".join(reuters_lines(FAULT_LINES)), encoding="utf-8")
    home = folder / "home"
    run = manage_db(url, home, "ingest", "--workers", "1", str(source), background=True)
    try:
        committed = wait_for_documents(url, run)
        own_cluster.kill()
        out, err = run.communicate(timeout=120)
    finally:
        if run.poll() is None:
            run.kill()
    killed = subprocess.CompletedProcess(run.args, run.returncode, out, err)
    own_cluster.start()
    rerun = manage_db(url, home, "ingest", "--workers", "1", str(source))
    return url, home, committed, killed, rerun


def test_killing_the_primary_during_an_ingest_is_one_line(killed_ingest):
    _, _, committed, killed, _ = killed_ingest
    assert 0 < committed < FAULT_LINES
    assert killed.returncode != 0
    assert "Traceback" not in killed.stderr, killed.stderr
    lines = killed.stderr.strip().splitlines()
    assert len(lines) == 1, killed.stderr
    assert "PostgreSQL" in lines[0], killed.stderr


def test_a_rerun_after_the_restart_loses_and_doubles_nothing(killed_ingest):
    url, _, _, _, rerun = killed_ingest
    assert rerun.returncode == 0, rerun.stderr
    documents = scalar(url, "SELECT count(*) FROM documents")
    assert documents == scalar(url, "SELECT count(DISTINCT id) FROM documents")
    assert documents == len({json.loads(line)["id"] for line in reuters_lines(FAULT_LINES)})
    assert documents == FAULT_LINES
    assert scalar(url, "SELECT count(DISTINCT seq) FROM documents") == documents
    assert scalar(url, "SELECT count(*) FROM search_entries") == documents


# --- 4. the web app while the server is down --------------------------------------------

def test_the_web_app_answers_503_while_the_server_is_down(own_cluster, killed_ingest):
    from web import create_app

    url, home = killed_ingest[:2]
    client = create_app({"HOME": str(home), "DATABASE_URL": url, "TESTING": True}).test_client()
    up = client.get("/?q=oil")
    assert up.status_code == 200
    own_cluster.stop()
    try:
        down = client.get("/?q=oil")
        page = down.get_data(as_text=True)
        assert down.status_code == 503
        assert "<html" in page.lower() and "Traceback" not in page
        assert "PostgreSQL" in page
    finally:
        own_cluster.start()
    assert client.get("/?q=oil").status_code == 200
