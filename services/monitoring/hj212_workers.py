"""HJ 212 listener workers: ``hj212_workers`` - 1 processes beside the service's own listener, on the same port.

One event loop parses, checks and commits for every connection it holds; past a few thousand packets a second that
loop is the limit, not the database. So the service starts ``hj212_workers - 1`` more processes
(``python -m services.monitoring.hj212_workers``), each with its own database engine, station sign-in cache and
group commit, listening on the same port with ``SO_REUSEPORT``: the kernel spreads new connections over the
listening sockets. Everything else stays in the service (HTTP, the outbox relay, which also sends the events the
workers write to the outbox, the schedules).

- Acknowledgements: a worker answers CN 9014 only after its batch is committed, as the service's listener does, so
  a worker that dies (or is killed) loses only packets it had not answered; their stations send them again.
- Supervision: a worker that exits while the service runs is started again (after 1 s, doubling up to 30 s while it
  keeps failing) and counted in ``hj212_worker_restarts_total``; ``hj212_worker_processes`` is the number running.
  Its connections are dropped with it and the stations reconnect to the sockets still listening.
- Stopping: the service closes each worker's standard input and sends SIGTERM, waits up to 10 s, then kills it. A
  worker also stops when its standard input ends, so a service killed with SIGKILL leaves no worker behind.
- Databases: PostgreSQL only. On SQLite several writer processes would queue on the one database file (a writer
  locks it whole), so more than one listener process is refused at start-up.
- Metrics: each worker's packet counters stay in the worker; ``/metrics`` shows the service's own listener and the
  workers' supervision.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import structlog
from prometheus_client import CollectorRegistry, Counter, Gauge

from services.monitoring.heap import freeze_heap
from services.monitoring.settings import MonitoringSettings

log = structlog.get_logger("monitoring.hj212")

READY = b"ready\n"
START_TIMEOUT_SECONDS = 120.0  # imports and the argon2 warm-up, on a loaded machine
STOP_TIMEOUT_SECONDS = 10.0
FIRST_RESTART_DELAY_SECONDS = 1.0
MAX_RESTART_DELAY_SECONDS = 30.0
HEALTHY_AFTER_SECONDS = 60.0  # a worker that ran this long resets the restart delay


class WorkersNeedPostgres(RuntimeError):
    pass


def check_workers_allowed(settings: MonitoringSettings, dialect: str) -> None:
    if settings.hj212_workers > 1 and dialect != "postgresql":
        raise WorkersNeedPostgres(
            f"GREENLAW_MONITORING_HJ212_WORKERS={settings.hj212_workers} needs PostgreSQL as monitoring's database "
            f"({dialect} has one writer at a time); use 1"
        )


class WorkerPool:
    """The service's side: starts, watches, restarts and stops the worker processes."""

    def __init__(self, settings: MonitoringSettings, port: int, registry: CollectorRegistry) -> None:
        self.settings, self.port = settings, port
        self.count = settings.hj212_workers - 1
        self.processes: dict[int, asyncio.subprocess.Process] = {}
        self.tasks: list[asyncio.Task[None]] = []
        self.stopping = False
        self.running = Gauge("hj212_worker_processes", "HJ 212 listener worker processes running", registry=registry)
        self.restarts = Counter(
            "hj212_worker_restarts_total", "HJ 212 listener workers started again after they exited", registry=registry
        )

    async def start(self) -> None:
        """Every worker listening, or an error (the service does not start)."""
        if self.count <= 0:
            return
        loop = asyncio.get_running_loop()
        started = [loop.create_future() for _ in range(self.count)]
        for index, first in enumerate(started, start=1):
            self.tasks.append(asyncio.create_task(self._supervise(index, first), name=f"hj212-worker-{index}"))
        try:
            await asyncio.gather(*started)
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        self.stopping = True
        await asyncio.gather(*(self._end(process) for process in list(self.processes.values())))
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.tasks = []

    def pids(self) -> list[int]:
        """The workers listening now."""
        return [process.pid for process in self.processes.values() if process.returncode is None]

    async def _supervise(self, index: int, first: asyncio.Future[None]) -> None:
        delay = FIRST_RESTART_DELAY_SECONDS
        loop = asyncio.get_running_loop()
        while not self.stopping:
            try:
                process = await self._spawn(index)
            except Exception as exc:
                if not first.done():
                    first.set_exception(exc)
                    return
                if not self.stopping:
                    log.error("hj212_worker_start_failed", worker=index, error=str(exc))
            else:
                if not first.done():
                    first.set_result(None)
                if self.stopping:  # started while the pool was stopping: stop() no longer sees it
                    await self._end(process)
                    return
                began = loop.time()
                self.processes[index] = process
                self.running.inc()
                try:
                    code = await process.wait()
                except asyncio.CancelledError:
                    await self._end(process)
                    raise
                finally:
                    self.running.dec()
                    self.processes.pop(index, None)
                if self.stopping:
                    return
                log.error("hj212_worker_exited", worker=index, pid=process.pid, returncode=code)
                if loop.time() - began >= HEALTHY_AFTER_SECONDS:
                    delay = FIRST_RESTART_DELAY_SECONDS
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RESTART_DELAY_SECONDS)
            if not self.stopping:
                self.restarts.inc()

    async def _spawn(self, index: int) -> asyncio.subprocess.Process:
        """A worker, once it listens. Settings go over its standard input (pickled: they hold the database
        password, which must not appear in its command line or environment listing)."""
        ready_read, ready_write = os.pipe()
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "services.monitoring.hj212_workers",
                stdin=asyncio.subprocess.PIPE, pass_fds=(ready_write,), env=_worker_environment(),
            )  # fmt: skip
        except BaseException:
            os.close(ready_read)
            raise
        finally:
            os.close(ready_write)
        assert process.stdin is not None
        try:
            process.stdin.write(pickle.dumps((self.settings, self.port, index, ready_write)))
            await process.stdin.drain()
        except BaseException:
            os.close(ready_read)
            await self._end(process)
            raise
        try:
            answer = await asyncio.wait_for(_read_once(ready_read), START_TIMEOUT_SECONDS)
        except BaseException:
            await self._end(process)
            raise
        if answer != READY:
            await self._end(process)
            raise RuntimeError(f"HJ 212 worker {index} exited before listening (exit code {process.returncode})")
        log.info("hj212_worker_started", worker=index, pid=process.pid, port=self.port)
        return process

    async def _end(self, process: asyncio.subprocess.Process) -> None:
        if process.returncode is None:
            if process.stdin is not None:
                process.stdin.close()
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), STOP_TIMEOUT_SECONDS)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()


def _worker_environment() -> dict[str, str]:
    """The service's environment, with this code's root first on the path: the worker runs the same code whatever
    the working directory or an installed copy."""
    root = str(Path(__file__).resolve().parents[2])
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": root + (os.pathsep + path if path else "")}


async def _read_once(fd: int) -> bytes:
    """What the worker writes to its ready pipe (b"" if it exits first); the pipe is closed after."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    pipe = os.fdopen(fd, "rb", buffering=0)
    transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), pipe)
    try:
        return await reader.read(len(READY))
    finally:
        transport.close()


async def serve_worker(settings: MonitoringSettings, port: int, index: int, ready_fd: int) -> None:
    """The worker's side: one listener on the shared port until SIGTERM, SIGINT or the end of standard input."""
    from services.monitoring.data.loader import load_hj212_codes, load_standards
    from services.monitoring.handlers.credentials import StationCredentials, station_policy
    from services.monitoring.handlers.passwords import PasswordCache
    from services.monitoring.hj212_listener import Hj212Metrics, Hj212Server, ListenerContext, listen
    from shared.db import create_engine, session_factory
    from shared.messaging import UnitOfWork

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    threading.Thread(target=_watch_parent, args=(loop, stop), name="hj212-parent", daemon=True).start()
    engine = create_engine(settings.resolved_database_url())
    check_workers_allowed(settings, engine.dialect.name)
    sessions = session_factory(engine)
    passwords = PasswordCache()
    credentials = StationCredentials(station_policy(settings), passwords)
    # No relay here: the events written to the outbox are sent by the service's relay (it polls for them).
    context = ListenerContext(settings, sessions, lambda: UnitOfWork(sessions))
    server = Hj212Server(context, load_standards(settings.standards_dirs), load_hj212_codes(), credentials,
                         Hj212Metrics.register(CollectorRegistry()))  # fmt: skip
    try:
        await passwords.warm_up()
        server.group.start()
        tcp = await listen(server, settings, port)
        freeze_heap()  # as the service does after start-up
        os.write(ready_fd, READY)
        os.close(ready_fd)
        log.info("hj212_worker_listening", worker=index, port=port, pid=os.getpid())
        try:
            await stop.wait()
        finally:
            tcp.close()
            await server.shutdown()
            for _ in range(50):  # the closed connections go (one with unsent answers is aborted after a grace)
                if not server.open_connections:
                    break
                await asyncio.sleep(0.1)
            await tcp.wait_closed()
    finally:
        passwords.close()
        await engine.dispose()


def _watch_parent(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    """Standard input ends when the service closes it or dies: the worker then stops."""
    with contextlib.suppress(OSError):
        while sys.stdin.buffer.read(4096):
            pass
    with contextlib.suppress(RuntimeError):  # the loop is already closed
        loop.call_soon_threadsafe(stop.set)


def main() -> None:
    from shared.logging import configure_logging

    payload: Any = pickle.load(sys.stdin.buffer)  # noqa: S301 - written by the parent service over a private pipe
    settings, port, index, ready_fd = payload
    if not isinstance(settings, MonitoringSettings):
        raise SystemExit("hj212 worker: expected the monitoring settings on standard input")
    common = settings.common
    configure_logging(level=common.log_level, json=common.log_json)
    structlog.contextvars.bind_contextvars(hj212_worker=index)
    try:
        import uvloop
    except ImportError:
        asyncio.run(serve_worker(settings, port, index, ready_fd))
    else:
        uvloop.run(serve_worker(settings, port, index, ready_fd))


if __name__ == "__main__":
    main()
