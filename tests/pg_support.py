"""A throwaway PostgreSQL 15 cluster for the tests: initdb in a temporary folder, a free
port on 127.0.0.1, pg_ctl start, stopped at the end.

initdb and postgres refuse to run as root, so as root the server runs as the unprivileged
`postgres` user (runuser). Where no server can be found or started, `server_or_skip`
skips with the reason, never silently.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

BIN_FOLDERS = ("/usr/lib/postgresql/15/bin",)
SUPERUSER = "monitor"


def find_bin() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres (PostgreSQL 15), or None."""
    for folder in (os.environ.get("MEDIA_MONITOR_PG_BIN", ""), *BIN_FOLDERS):
        if folder and all((Path(folder) / name).exists() for name in ("initdb", "pg_ctl", "postgres")):
            return Path(folder)
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Cluster:
    """One running cluster; `url(db)` names a database on it."""

    bin: Path
    folder: Path
    port: int
    run_as: list[str] = field(default_factory=list)

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run a server program as the cluster's owner."""
        return subprocess.run([*self.run_as, *args], check=check, capture_output=True, text=True,
                              cwd=self.folder)

    def start(self) -> None:
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "log"),
                 "-w", "-t", "60", "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1",
                 "start")

    def stop(self, mode: str = "fast") -> None:
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop",
                 check=False)

    def kill(self) -> None:
        """Stop the server at once, as a crash would (immediate mode: no checkpoint)."""
        self.stop("immediate")

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database; return its URL."""
        import psycopg

        name = name or "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


def start_cluster(folder: Path | None = None) -> Cluster:
    """initdb a new cluster in a temporary folder and start it on a free loopback port.

    With a folder (a benchmark's kept one), the cluster lives there: one initdb'd by an
    earlier run is started as it is, with its databases, and nothing is deleted on failure.
    """
    bin_folder = find_bin()
    if bin_folder is None:
        raise RuntimeError("PostgreSQL 15 server programs not found under "
                           f"{', '.join(BIN_FOLDERS)} (apt-get install -y postgresql-15)")
    kept = folder is not None
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="mm-pg-"))
    folder.mkdir(parents=True, exist_ok=True)
    run_as: list[str] = []
    if os.geteuid() == 0:
        # The server refuses root; the postgres user (from Debian's package) runs it.
        run_as = ["runuser", "-u", "postgres", "--"]
        shutil.chown(folder, "postgres")
    cluster = Cluster(bin_folder, folder, free_port(), run_as)
    if kept and (cluster.data / "PG_VERSION").exists():
        try:
            cluster.start()
        except subprocess.CalledProcessError as exc:
            raise RuntimeError(f"PostgreSQL in {cluster.data} could not start: {exc.stderr.strip()} "
                               f"(see {folder / 'log'})") from exc
        return cluster
    try:
        cluster.run(str(bin_folder / "initdb"), "-D", str(cluster.data), "-U", SUPERUSER,
                    "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        # Tests want speed, not durability across power loss; kill tests use immediate stops,
        # which fsync=off would not survive, so only the flush at commit is relaxed.
        with open(cluster.data / "postgresql.conf", "a") as conf:
            conf.write("synchronous_commit = off\nmax_connections = 200\n"
                       "wal_level = replica\nmax_wal_senders = 4\nshared_buffers = 128MB\n")
        with open(cluster.data / "pg_hba.conf", "a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        cluster.start()
    except (subprocess.CalledProcessError, OSError) as exc:
        log = (folder / "log").read_text(errors="replace")[-2000:] if (folder / "log").exists() else ""
        detail = getattr(exc, "stderr", "") or ""
        if not kept:
            shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL could not start: {exc} {detail.strip()} {log.strip()}") from exc
    return cluster


def server_or_skip() -> Cluster:
    """Start a cluster, or skip the calling test with the reason (never silently)."""
    import pytest

    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("PostgreSQL tests skipped: psycopg is not installed (pip install -e '.[test]')")
    try:
        return start_cluster()
    except RuntimeError as exc:
        pytest.skip(f"PostgreSQL tests skipped: {exc}")


def start_standby(primary: Cluster) -> Cluster:
    """A hot standby of primary: pg_basebackup -R (standby.signal and primary_conninfo) into
    a new temporary folder, started on another free port. destroy() removes it."""
    folder = Path(tempfile.mkdtemp(prefix="mm-pg-standby-"))
    if primary.run_as:
        shutil.chown(folder, "postgres")
    standby = Cluster(primary.bin, folder, free_port(), primary.run_as)
    try:
        standby.run(str(primary.bin / "pg_basebackup"), "-D", str(standby.data), "-R",
                    "-X", "stream", "-c", "fast", "-h", "127.0.0.1", "-p", str(primary.port), "-U", SUPERUSER)
        standby.start()
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"the standby could not start: {exc} {exc.stderr.strip()}") from exc
    return standby
