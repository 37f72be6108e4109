"""HJ 212-2017 TCP listener: stations push packets; data uploads are stored, answers sent when the Flag asks.

One station per connection: its MN and password are verified (argon2) on the first packet and the pair is then
recognised by comparison. Packets are bounded in size, connections in number; a malformed packet is logged and
counted and the connection goes on, answered with its HJ 212 return code when its header can still be read (CRC 9,
Flag 6, ST 5, QN 7; ``hj212.refusal``). A wrong password is answered QnRtn 3, an unknown or deactivated MN 4, a
command not taken 8, a CP that cannot be read 100. Failed sign-ins are throttled per MN and per address like HTTP
Basic (see ``handlers/credentials``): past the threshold a packet is answered QnRtn 2 (refused) and the connection
closed. A connection that has not sent one valid packet with the right MN and PW within
``hj212_auth_timeout_seconds`` is closed, so connections that never sign in cannot hold the slots real stations
need; a signed-in one is closed after ``hj212_idle_timeout_seconds`` of silence.

Group commit: data packets from all connections go to one writer, which stores whatever has arrived (up to
``hj212_batch_max_packets``, after waiting ``hj212_batch_linger_seconds`` for more) in one transaction, then lets
each connection answer. A station's answer (CN 9014) still means its data is committed: a station retries a packet
it got no answer for. If a batch fails, its packets are stored one by one, so one bad packet loses only itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import structlog
from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter, Gauge

from services.monitoring.data.loader import Hj212Code
from services.monitoring.domain import hj212
from services.monitoring.domain.readings import LOCAL, ReadingIn
from services.monitoring.domain.standards import Standards
from services.monitoring.handlers.credentials import SignIn, StationCredentials, StationThrottled
from services.monitoring.handlers.exceedances import detect_source_exceedances
from services.monitoring.handlers.ingest import store_readings
from services.monitoring.hj212_neighbours import stored_around
from services.monitoring.settings import MonitoringSettings
from services.monitoring.tables import Station
from shared.messaging import UnitOfWork
from shared.service import ServiceRuntime

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import async_sessionmaker
    from sqlmodel.ext.asyncio.session import AsyncSession

log = structlog.get_logger("monitoring.hj212")

# CN of a data upload → (reading interval, the CP field holding the value).
DATA_COMMANDS = {"2011": ("rtd", "Rtd"), "2051": ("minute", "Avg"), "2061": ("hour", "Avg"), "2031": ("day", "Avg")}


@dataclass
class Hj212Metrics:
    packets: Counter
    malformed: Counter
    connections: Gauge
    refused: Counter
    closed: Counter

    @classmethod
    def register(cls, registry: CollectorRegistry) -> Hj212Metrics:
        return cls(
            Counter("hj212_packets_total", "HJ 212 packets handled", ["cn", "outcome"], registry=registry),
            Counter(
                "hj212_malformed_packets_total", "HJ 212 packets refused as malformed", ["reason"], registry=registry
            ),
            Gauge("hj212_connections", "open HJ 212 connections", registry=registry),
            Counter("hj212_refused_connections_total", "connections closed at once: too many open", registry=registry),
            Counter(
                "hj212_closed_connections_total", "connections closed by the listener", ["reason"], registry=registry
            ),
        )


def readings_of(
    packet: hj212.Packet, station: Station, codes: dict[str, Hj212Code], standards: Standards
) -> list[ReadingIn]:
    interval, field = DATA_COMMANDS[packet.cn]
    readings = []
    moments: dict[datetime, datetime] = {}  # a packet has one DataTime: converted and checked once
    for record in hj212.parse_cp(packet.cp):
        known = codes.get(record.code)
        raw = record.fields.get(field)
        if known is None or raw is None:
            continue  # a pollutant this service does not keep
        try:
            value = float(raw)
        except ValueError as exc:
            raise hj212.PacketError("bad_cp", f"{record.code}-{field}={raw!r}") from exc
        if not math.isfinite(value):
            raise hj212.PacketError("bad_cp", f"{record.code}-{field}={raw!r} is not a finite number")
        flag = record.fields.get("Flag", "N")
        local = record.data_time
        moment = moments.get(local)
        if moment is None:
            if not standards.validity.covers(local.date()):
                raise hj212.PacketError("bad_cp", f"DataTime {local:%Y%m%d} predates the validity rules")
            moment = moments[local] = local.replace(tzinfo=LOCAL).astimezone(UTC)
        readings.append(ReadingIn(station.code, known.parameter, interval, moment, value, known.unit, flag[:1] or "N"))
    return readings


@dataclass(frozen=True)
class ListenerContext:
    """What a listener needs of its process: the service's own, or a worker's (``hj212_workers``) own engine."""

    settings: MonitoringSettings
    sessions: async_sessionmaker[AsyncSession]
    uow: Callable[[], UnitOfWork]

    @classmethod
    def of(cls, runtime: ServiceRuntime) -> ListenerContext:
        settings: MonitoringSettings = runtime.settings  # type: ignore[assignment]
        return cls(settings, runtime.sessions, runtime.uow)


@dataclass
class _Pending:
    packet: hj212.Packet
    station: Station
    readings: list[ReadingIn]
    stored: asyncio.Future[None]


class GroupCommit:
    """One writer task: the packets waiting when it is free are stored in one transaction (see the module)."""

    def __init__(self, context: ListenerContext, standards: Standards, *, max_packets: int, linger: float) -> None:
        self.context, self.standards = context, standards
        self.max_packets, self.linger = max_packets, linger
        self.waiting: list[_Pending] = []
        self.committing: list[_Pending] = []
        self.wake = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self._run(), name="hj212-group-commit")

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        for item in (*self.committing, *self.waiting):  # not known to be stored: the stations will send again
            _settle(item, ConnectionError("the listener is stopping"))
        self.waiting, self.committing = [], []

    async def store(self, packet: hj212.Packet, station: Station, readings: list[ReadingIn]) -> None:
        """Returns once the readings are committed; raises what storing them raised."""
        item = _Pending(packet, station, readings, asyncio.get_running_loop().create_future())
        self.waiting.append(item)
        self.wake.set()
        await item.stored

    async def _run(self) -> None:
        while True:
            await self.wake.wait()
            if self.linger and len(self.waiting) < self.max_packets:
                await asyncio.sleep(self.linger)
            batch, self.waiting = self.waiting[: self.max_packets], self.waiting[self.max_packets :]
            self.committing = batch
            if not self.waiting:
                self.wake.clear()
            try:
                await self._commit(batch)
            except Exception as exc:  # never lose the writer: the batch fails, the next one is tried
                log.exception("hj212_group_commit_failed", packets=len(batch))
                for item in batch:
                    _settle(item, exc)

    async def _commit(self, batch: list[_Pending]) -> None:
        try:
            await self._store(batch)
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch[0], exc)
                return
            for item in batch:  # one bad packet must not lose the others
                try:
                    await self._store([item])
                except Exception as alone:
                    _settle(item, alone)
                else:
                    _settle(item, None)
            return
        for item in batch:
            _settle(item, None)

    async def _store(self, batch: list[_Pending]) -> None:
        async with self.context.uow() as uow:
            readings = [reading for item in batch for reading in item.readings]
            checked = await store_readings(uow, self.standards, readings, source="hj212", read_stored=stored_around)
            sources = [item for item in batch if item.station.kind == "pollution_source"]
            for item in sources:  # each packet's exceedances with its own QN as correlation
                keys = {reading.key for reading in item.readings}
                mine = [c for c in checked if c.reading.key in keys]
                await detect_source_exceedances(
                    uow, {item.station.code: item.station}, mine, actor=f"station:{item.station.code}",
                    correlation_id=item.packet.qn,
                )  # fmt: skip
            await uow.commit()


def _settle(item: _Pending, error: BaseException | None) -> None:
    if item.stored.done():  # its connection went away meanwhile
        return
    if error is None:
        item.stored.set_result(None)
    else:
        item.stored.set_exception(error)


class Hj212Server:
    def __init__(self, context: ListenerContext, standards: Standards, codes: dict[str, Hj212Code],
                 credentials: StationCredentials, metrics: Hj212Metrics) -> None:  # fmt: skip
        self.context = context
        self.settings = context.settings
        self.standards, self.codes, self.credentials, self.metrics = standards, codes, credentials, metrics
        self.open_connections = 0
        self.writers: set[asyncio.StreamWriter] = set()
        self.group = GroupCommit(
            context, standards, max_packets=self.settings.hj212_batch_max_packets,
            linger=self.settings.hj212_batch_linger_seconds,
        )  # fmt: skip

    def close_all(self) -> None:
        """On shutdown: idle stations would otherwise hold their connections until the idle timeout."""
        for writer in list(self.writers):
            writer.close()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.open_connections >= self.settings.hj212_max_connections:
            self.metrics.refused.inc()
            log.warning("hj212_connection_refused", open=self.open_connections)
            writer.close()
            return
        self.open_connections += 1
        self.writers.add(writer)
        self.metrics.connections.inc()
        try:
            await self._serve(_Connection(self, writer), reader)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        except asyncio.LimitOverrunError:
            self.metrics.malformed.labels("too_long").inc()
            log.warning("hj212_packet_too_long", peer=writer.get_extra_info("peername"))
        finally:
            self.open_connections -= 1
            self.writers.discard(writer)
            self.metrics.connections.dec()
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _serve(self, connection: _Connection, reader: asyncio.StreamReader) -> None:
        """Packets until the peer leaves, is refused, stays silent, or has not signed in by the deadline."""
        loop = asyncio.get_running_loop()
        sign_in_by = loop.time() + self.settings.hj212_auth_timeout_seconds
        while not connection.refused:
            idle = self.settings.hj212_idle_timeout_seconds
            timeout = idle if connection.station else min(idle, sign_in_by - loop.time())
            try:
                line = await asyncio.wait_for(reader.readuntil(hj212.TRAILER), timeout)
            except TimeoutError:
                reason = "idle" if connection.station else "auth_timeout"
                self.metrics.closed.labels(reason).inc()
                log.info("hj212_connection_closed", reason=reason, peer=connection.address)
                return
            await connection.on_packet(line)
        self.metrics.closed.labels("throttled").inc()


class _Connection:
    def __init__(self, server: Hj212Server, writer: asyncio.StreamWriter) -> None:
        self.server, self.writer = server, writer
        self.station: Station | None = None
        self.password: str | None = None
        self.refused = False
        peer = writer.get_extra_info("peername")
        self.address = str(peer[0]) if peer else "unknown"

    async def on_packet(self, raw: bytes) -> None:
        metrics = self.server.metrics
        try:
            packet = hj212.parse(raw)
        except hj212.PacketError as exc:
            metrics.malformed.labels(exc.reason).inc()
            log.warning("hj212_malformed_packet", reason=exc.reason, error=str(exc), size=len(raw))
            answer = hj212.refusal(exc)
            if answer is not None:  # CRC 9, Flag 6, ST 5, QN 7: the station can correct and send again
                await self._send(answer)
            return
        try:
            signed_in = await self._authenticate(packet)
        except StationThrottled as exc:  # refused without checking the password; the connection is closed
            metrics.packets.labels(packet.cn, "throttled").inc()
            log.warning("hj212_sign_in_throttled", mn=packet.mn, peer=self.address, retry_after=exc.barrier.retry_after)
            self.refused = True
            await self._answer(packet, hj212.request_response(packet, hj212.QN_REFUSED))
            return
        station = signed_in.station
        if station is None:
            metrics.packets.labels(packet.cn, "unauthenticated").inc()
            code = hj212.QN_PASSWORD_ERROR if signed_in.mn_known else hj212.QN_MN_ERROR
            await self._answer(packet, hj212.request_response(packet, code))
            return
        if packet.cn not in DATA_COMMANDS:
            metrics.packets.labels(packet.cn, "unsupported").inc()
            await self._answer(packet, hj212.request_response(packet, hj212.QN_CN_ERROR))
            return
        try:
            await self._store(packet, station)
        except hj212.PacketError as exc:  # a CP this service cannot read: sending it again will not help
            metrics.malformed.labels(exc.reason).inc()
            log.warning("hj212_malformed_packet", reason=exc.reason, error=str(exc), mn=packet.mn)
            await self._answer(packet, hj212.request_response(packet, hj212.QN_UNKNOWN_ERROR))
            return
        except Exception:  # a failed store (database down, …) loses this packet, never the listener
            metrics.packets.labels(packet.cn, "failed").inc()
            log.exception("hj212_store_failed", mn=packet.mn, qn=packet.qn)
            return
        metrics.packets.labels(packet.cn, "stored").inc()
        await self._answer(packet, hj212.data_response(packet))

    async def _authenticate(self, packet: hj212.Packet) -> SignIn:
        if self.station is not None and (packet.mn, packet.pw) == (self.station.code, self.password):
            return SignIn(self.station, True)
        sessions = self.server.context.sessions
        signed_in = await self.server.credentials.authenticate(sessions, packet.mn, packet.pw, address=self.address)
        if signed_in.station is not None:
            self.station, self.password = signed_in.station, packet.pw
        return signed_in

    async def _store(self, packet: hj212.Packet, station: Station) -> None:
        readings = readings_of(packet, station, self.server.codes, self.server.standards)
        await self.server.group.store(packet, station, readings)

    async def _answer(self, request: hj212.Packet, response: hj212.Packet) -> None:
        if request.wants_response:
            await self._send(response)

    async def _send(self, response: hj212.Packet) -> None:
        self.writer.write(hj212.build(response))
        await self.writer.drain()


def hj212_hook(
    standards: Standards, codes: dict[str, Hj212Code], credentials: StationCredentials
) -> Callable[[FastAPI, ServiceRuntime], AbstractAsyncContextManager[None]]:
    """A ServiceSpec hook: serve HJ 212 while the service is up; the bound port is ``app.state.hj212_port``. With
    ``hj212_workers`` > 1 the service's listener shares its port (``SO_REUSEPORT``) with that many - 1 worker
    processes (see ``hj212_workers``), started after it and stopped before it."""

    @contextlib.asynccontextmanager
    async def serve(app: FastAPI, runtime: ServiceRuntime) -> AsyncIterator[None]:
        from services.monitoring.hj212_workers import WorkerPool, check_workers_allowed

        settings: MonitoringSettings = runtime.settings  # type: ignore[assignment]
        if not settings.hj212_enabled:
            yield
            return
        check_workers_allowed(settings, runtime.engine.dialect.name)
        metrics = Hj212Metrics.register(app.state.metrics_registry)
        server = Hj212Server(ListenerContext.of(runtime), standards, codes, credentials, metrics)
        server.group.start()
        tcp = await listen(server, settings, settings.hj212_port)
        port = tcp.sockets[0].getsockname()[1]
        app.state.hj212_port = port
        app.state.hj212_metrics = metrics
        pool = WorkerPool(settings, port, app.state.metrics_registry)
        app.state.hj212_workers = pool
        try:
            await pool.start()
            log.info("hj212_listening", host=settings.hj212_host, port=port, processes=settings.hj212_workers)
            yield
        finally:
            await pool.stop()
            tcp.close()
            server.close_all()
            await server.group.stop()
            await tcp.wait_closed()

    return serve


async def listen(server: Hj212Server, settings: MonitoringSettings, port: int) -> asyncio.Server:
    """The listening socket; shared with the other listener processes (``SO_REUSEPORT``) when there are several."""
    return await asyncio.start_server(
        server.handle, settings.hj212_host, port, limit=settings.hj212_max_packet_bytes,
        reuse_port=settings.hj212_workers > 1 or None,
    )  # fmt: skip
