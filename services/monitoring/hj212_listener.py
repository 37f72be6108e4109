"""HJ 212-2017 TCP listener: stations push packets; data uploads are stored, answers sent when the Flag asks.

One station per connection: its MN and password are verified (argon2) on the first packet and the pair is then
recognised by comparison. Packets are bounded in size, connections in number; a malformed packet is logged and
counted and the connection goes on, answered with its HJ 212 return code when its header can still be read (CRC 9,
Flag 6, ST 5, QN 7; ``hj212.refusal``). A wrong password is answered QnRtn 3, an unknown or deactivated MN 4, a
command not taken 8, a CP that cannot be read 100. Failed sign-ins are throttled per MN and per address like HTTP
Basic (see ``handlers/credentials``): past the threshold a packet is answered QnRtn 2 (refused) and the connection
closed. A connection that has not sent one valid packet with the right MN and PW within
``hj212_auth_timeout_seconds`` is closed, so connections that never sign in cannot hold the slots real stations
need (guesses sent at once are not checked past it); a signed-in one is closed after ``hj212_idle_timeout_seconds``
of silence (any complete packet, a data upload or not, breaks it). A connection the listener closes gets a short grace
(``CLOSE_GRACE_SECONDS``) to send the answers it still holds, then is aborted: a peer that does not read them cannot
keep its slot. At shutdown the sign-ins still checking are cancelled before the group commit stops.

Group commit: data packets from all connections go to one writer, which stores whatever has arrived (up to
``hj212_batch_max_packets``, after waiting ``hj212_batch_linger_seconds`` for more) in one transaction, then lets
each connection answer. A station's answer (CN 9014) still means its data is committed: a station retries a packet
it got no answer for. If a batch fails, its packets are stored one by one, so one bad packet loses only itself.
The writer remembers the stored hours around what it wrote (``handlers/stored_hours``), so a station's next hour
is checked without reading its series back while nobody else has written the station.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, cast

import structlog
from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter, Gauge

from services.monitoring.data.loader import Hj212Code
from services.monitoring.domain import hj212
from services.monitoring.domain.readings import LOCAL, Columns, ReadingIn
from services.monitoring.domain.standards import Standards
from services.monitoring.handlers.credentials import StationCredentials, StationThrottled
from services.monitoring.handlers.exceedances import detect_source_exceedances
from services.monitoring.handlers.ingest import store_columns
from services.monitoring.handlers.stored_hours import StoredHours
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
# A peer's CN is a metric label only if it is one of these: any other counts as "other" (a label per CN an
# unauthenticated peer makes up would grow the metrics without bound).
METRIC_COMMANDS = frozenset(DATA_COMMANDS)


@dataclass
class Hj212Metrics:
    packets: Counter
    malformed: Counter
    connections: Gauge
    refused: Counter
    closed: Counter
    stored_hours: Counter
    children: dict[tuple[str, ...], Counter] = field(default_factory=dict)

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
            Counter(
                "hj212_series_checked_total",
                "hourly series checked by the group commit, by where their stored hours came from: remembered, or "
                "read back (first seen, or written by another since)",
                ["stored_hours"],
                registry=registry,
            ),
        )

    def packet(self, cn: str, outcome: str) -> None:
        self._child(self.packets, "packets", cn if cn in METRIC_COMMANDS else "other", outcome).inc()

    def malformed_packet(self, reason: str) -> None:
        self._child(self.malformed, "malformed", reason).inc()

    def closed_connection(self, reason: str) -> None:
        self._child(self.closed, "closed", reason).inc()

    def series_checked(self, remembered: int, read: int) -> None:
        self._child(self.stored_hours, "stored_hours", "remembered").inc(remembered)
        self._child(self.stored_hours, "stored_hours", "read").inc(read)

    def _child(self, counter: Counter, name: str, *labels: str) -> Counter:
        """The labelled child, kept: ``labels()`` validates and locks on every call."""
        child = self.children.get((name, *labels))
        if child is None:
            child = self.children[(name, *labels)] = counter.labels(*labels)
        return child


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

    def __init__(
        self,
        context: ListenerContext,
        standards: Standards,
        *,
        max_packets: int,
        linger: float,
        metrics: Hj212Metrics | None = None,
    ) -> None:
        self.context, self.standards, self.metrics = context, standards, metrics
        self.max_packets, self.linger = max_packets, linger
        self.waiting: list[_Pending] = []
        self.committing: list[_Pending] = []
        self.wake = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.stopped = False
        self.hours = StoredHours()  # the stations' stored hours, as this writer left them

    def start(self) -> None:
        self.task = asyncio.create_task(self._run(), name="hj212-group-commit")

    async def stop(self) -> None:
        self.stopped = True
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        for item in (*self.committing, *self.waiting):  # not known to be stored: the stations will send again
            _settle(item, ConnectionError("the listener is stopping"))
        self.waiting, self.committing = [], []

    def submit(self, packet: hj212.Packet, station: Station, readings: list[ReadingIn]) -> asyncio.Future[None]:
        """A future set once the readings are committed, or to what storing them raised."""
        item = _Pending(packet, station, readings, asyncio.get_running_loop().create_future())
        if self.stopped:  # no writer left to store it: failed at once, not a future that never ends
            _settle(item, ConnectionError("the listener is stopping"))
            return item.stored
        self.waiting.append(item)
        self.wake.set()
        return item.stored

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
            columns = Columns.of(reading for item in batch for reading in item.readings)
            ingested = await store_columns(uow, self.standards, columns, source="hj212", memory=self.hours)
            sources = [item for item in batch if item.station.kind == "pollution_source"]
            checked = ingested.checked({item.station.code for item in sources}) if sources else []
            for item in sources:  # each packet's exceedances with its own QN as correlation
                keys = {reading.key for reading in item.readings}
                mine = [c for c in checked if c.reading.key in keys]
                await detect_source_exceedances(
                    uow, {item.station.code: item.station}, mine, actor=f"station:{item.station.code}",
                    correlation_id=item.packet.qn,
                )  # fmt: skip
            await uow.commit()
        if ingested.hours is not None:
            ingested.hours.committed(columns, ingested.checks)
            if self.metrics is not None:
                self.metrics.series_checked(ingested.hours.remembered, ingested.hours.read)


def _settle(item: _Pending, error: BaseException | None) -> None:
    if item.stored.done():  # its connection went away meanwhile
        return
    if error is None:
        item.stored.set_result(None)
    else:
        item.stored.set_exception(error)


CLOSE_GRACE_SECONDS = 2.0


class Hj212Server:
    def __init__(self, context: ListenerContext, standards: Standards, codes: dict[str, Hj212Code],
                 credentials: StationCredentials, metrics: Hj212Metrics) -> None:  # fmt: skip
        self.context = context
        self.settings = context.settings
        self.standards, self.codes, self.credentials, self.metrics = standards, codes, credentials, metrics
        self.open_connections = 0
        self.connections: set[_Connection] = set()
        self.sign_ins: set[asyncio.Task[None]] = set()  # held: the loop keeps only weak references to tasks
        # How long a closed connection may take to send what it still has to; then it is aborted (see close()).
        self.close_grace = CLOSE_GRACE_SECONDS
        self.group = GroupCommit(
            context, standards, max_packets=self.settings.hj212_batch_max_packets,
            linger=self.settings.hj212_batch_linger_seconds, metrics=metrics,
        )  # fmt: skip

    def close_all(self) -> None:
        """On shutdown: idle stations would otherwise hold their connections until the idle timeout."""
        for connection in list(self.connections):
            connection.close()

    async def shutdown(self) -> None:
        """Close the connections, end the sign-ins still checking (they use the database, disposed of next), then
        stop the group commit: a sign-in ending after it would hand its packet to no writer."""
        self.close_all()
        sign_ins = list(self.sign_ins)
        for task in sign_ins:
            task.cancel()
        await asyncio.gather(*sign_ins, return_exceptions=True)
        await self.group.stop()

    def connection(self) -> _Connection:
        """The protocol factory of the listening socket: one per accepted connection."""
        return _Connection(self)


class _Connection(asyncio.Protocol):
    """One station's connection, driven by the event loop's callbacks rather than a task reading a stream: a packet
    of a signed-in station is parsed, checked and handed to the group commit within ``data_received``, and answered
    from the commit's callback, so a packet costs no task, no ``wait_for`` timer and no ``drain``.

    One packet at a time: while a packet waits for its commit (or a sign-in for argon2) reading is paused, so the
    answers keep the packets' order and a station cannot pile up packets in memory; reading is paused too while
    the peer does not read its answers (the transport's write buffer is full). One timer a connection enforces the
    sign-in and idle deadlines, counted from when the connection last became ready for a packet, as a read with a
    timeout would; it is re-armed when it fires, not per packet."""

    def __init__(self, server: Hj212Server) -> None:
        self.server = server
        self.loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.station: Station | None = None
        self.password: str | None = None
        self.address = "unknown"
        self.counted = False  # taken a slot (not refused at once)
        self.busy = False  # a packet is being handled: no more read until it is done
        self.writing_paused = False
        self.eof = False
        self.lost = False
        self.ready_since = self.sign_in_by = self.loop.time()
        self.timer: asyncio.TimerHandle | None = None
        self.abort_timer: asyncio.TimerHandle | None = None

    # -- transport callbacks ------------------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport = self.transport = cast(asyncio.Transport, transport)  # uvloop's is not an asyncio.Transport subclass
        server, settings = self.server, self.server.settings
        if server.open_connections >= settings.hj212_max_connections:
            server.metrics.refused.inc()
            log.warning("hj212_connection_refused", open=server.open_connections)
            transport.close()
            return
        self.counted = True
        server.open_connections += 1
        server.connections.add(self)
        server.metrics.connections.inc()
        peer = transport.get_extra_info("peername")
        self.address = str(peer[0]) if peer else "unknown"
        self.sign_in_by = self.ready_since + settings.hj212_auth_timeout_seconds
        self.timer = self.loop.call_at(self._deadline(), self._on_timer)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        for timer in (self.timer, self.abort_timer):
            if timer is not None:
                timer.cancel()
        self.timer = self.abort_timer = None  # nothing re-arms them now (see _gone)
        if self.counted:
            self.counted = False
            self.server.open_connections -= 1
            self.server.connections.discard(self)
            self.server.metrics.connections.dec()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._next()

    def eof_received(self) -> bool:
        """The peer sends no more: the packets it sent before are still handled (and answered), then closed."""
        self.eof = True
        self._next()
        return True

    def pause_writing(self) -> None:
        self.writing_paused = True
        self._pause_reading()

    def resume_writing(self) -> None:
        self.writing_paused = False
        if not self.busy:
            self._resume()

    def close(self) -> None:
        """Close once what is written has been sent. close() alone waits for the write buffer to drain: a peer that
        never reads would keep the connection, its slot and the server's ``wait_closed`` for ever. So what is still
        buffered (a QnRtn 2 answer, …) gets a short grace to go out, then the connection is aborted."""
        transport = self.transport
        if transport is None or self.lost or transport.is_closing():
            return
        transport.close()
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if transport.get_write_buffer_size():
            self.abort_timer = self.loop.call_later(self.server.close_grace, transport.abort)

    def _gone(self) -> bool:
        return self.lost or self.transport is None or self.transport.is_closing()

    def _expire(self, reason: str) -> None:
        self.server.metrics.closed_connection(reason)
        log.info("hj212_connection_closed", reason=reason, peer=self.address)
        self.close()

    def _sign_in_expired(self) -> bool:
        return self.station is None and self.loop.time() >= self.sign_in_by

    # -- framing and deadlines ----------------------------------------------------------------------------------

    def _next(self) -> None:
        """Handle the complete packets in the buffer, one at a time, until one has to wait."""
        transport, limit = self.transport, self.server.settings.hj212_max_packet_bytes
        while transport is not None and not transport.is_closing() and not self.busy and not self.writing_paused:
            end = self.buffer.find(hj212.TRAILER)
            if end > limit or (end < 0 and len(self.buffer) - 1 > limit):  # the bounds of a stream's readuntil
                self.server.metrics.malformed_packet("too_long")
                log.warning("hj212_packet_too_long", peer=transport.get_extra_info("peername"))
                self.close()
                return
            if end < 0:
                if self.eof:
                    self.close()
                return
            if self._sign_in_expired():  # guesses sent at once are not checked past the deadline
                self._expire("auth_timeout")
                return
            raw = bytes(self.buffer[: end + len(hj212.TRAILER)])
            del self.buffer[: end + len(hj212.TRAILER)]
            self._on_packet(raw)
            if not self.busy:  # handled at once (answered, refused, …): activity all the same, not silence
                self.ready_since = self.loop.time()

    def _deadline(self) -> float:
        idle = self.ready_since + self.server.settings.hj212_idle_timeout_seconds
        return idle if self.station is not None else min(idle, self.sign_in_by)

    def _on_timer(self) -> None:
        self.timer = None
        if self._gone():
            return
        if self.busy:  # a packet's own wait (its commit, a sign-in) is not silence: looked at again once done
            self.timer = self.loop.call_at(self.loop.time() + self.server.settings.hj212_idle_timeout_seconds,
                                           self._on_timer)  # fmt: skip
            return
        deadline = self._deadline()
        if self.loop.time() < deadline:
            self.timer = self.loop.call_at(deadline, self._on_timer)
            return
        self._expire("idle" if self.station else "auth_timeout")

    def _wait(self) -> None:
        self.busy = True
        self._pause_reading()

    def _done(self) -> None:
        """The packet being handled is done: the next one may be read."""
        self.busy = False
        if self._gone():  # the peer left, or the connection is closing: nothing to read or re-arm
            return
        if self._sign_in_expired() and not self.eof:  # a sign-in that outlasted the deadline: no next guess (at
            self._expire("auth_timeout")  # the peer's end of file, closed as such below)
            return
        self.ready_since = self.loop.time()
        deadline = self._deadline()
        # Re-armed past the deadline while busy (by an idle timeout for a sign-in): brought back to the deadline.
        # Otherwise the deadline only moves later and the timer re-arms itself when it fires.
        if self.timer is not None and self.timer.when() > deadline:
            self.timer.cancel()
            self.timer = self.loop.call_at(deadline, self._on_timer)
        if not self.writing_paused:
            self._resume()

    def _pause_reading(self) -> None:
        if self.transport is not None and not self.transport.is_closing() and self.transport.is_reading():
            self.transport.pause_reading()

    def _resume(self) -> None:
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        if not self.eof and not transport.is_reading():
            transport.resume_reading()
        self._next()

    # -- packets ------------------------------------------------------------------------------------------------

    def _on_packet(self, raw: bytes) -> None:
        metrics = self.server.metrics
        try:
            packet = hj212.parse(raw)
        except hj212.PacketError as exc:
            metrics.malformed_packet(exc.reason)
            log.warning("hj212_malformed_packet", reason=exc.reason, error=str(exc), size=len(raw))
            answer = hj212.refusal(exc)
            if answer is not None:  # CRC 9, Flag 6, ST 5, QN 7: the station can correct and send again
                self._send(answer)
            return
        station = self.station
        if station is not None and (packet.mn, packet.pw) == (station.code, self.password):
            self._data(packet, station)
            return
        self._wait()
        task = asyncio.create_task(self._sign_in(packet))
        self.server.sign_ins.add(task)
        task.add_done_callback(self.server.sign_ins.discard)

    async def _sign_in(self, packet: hj212.Packet) -> None:
        """The first packet, or one with another MN or password: checked against the stored credentials."""
        metrics, sessions = self.server.metrics, self.server.context.sessions
        try:
            signed_in = await self.server.credentials.authenticate(sessions, packet.mn, packet.pw, address=self.address)
        except StationThrottled as exc:  # refused without checking the password; the connection is closed
            metrics.packet(packet.cn, "throttled")
            log.warning("hj212_sign_in_throttled", mn=packet.mn, peer=self.address, retry_after=exc.barrier.retry_after)
            self._answer(packet, hj212.request_response(packet, hj212.QN_REFUSED))
            metrics.closed_connection("throttled")
            self.close()
            return
        except Exception:  # the database, …: this connection ends, the listener goes on
            log.exception("hj212_sign_in_failed", mn=packet.mn, peer=self.address)
            self.close()
            return
        except BaseException:
            self.close()
            raise
        station = signed_in.station
        if station is None:
            metrics.packet(packet.cn, "unauthenticated")
            code = hj212.QN_PASSWORD_ERROR if signed_in.mn_known else hj212.QN_MN_ERROR
            self._answer(packet, hj212.request_response(packet, code))
            self._done()
            return
        self.station, self.password = station, packet.pw
        self.busy = False
        self._data(packet, station)
        if not self.busy:
            self._done()

    def _data(self, packet: hj212.Packet, station: Station) -> None:
        """A signed-in station's packet: a data upload is handed to the group commit and answered once stored."""
        metrics = self.server.metrics
        if packet.cn not in DATA_COMMANDS:
            metrics.packet(packet.cn, "unsupported")
            self._answer(packet, hj212.request_response(packet, hj212.QN_CN_ERROR))
            return
        try:
            readings = readings_of(packet, station, self.server.codes, self.server.standards)
        except hj212.PacketError as exc:  # a CP this service cannot read: sending it again will not help
            metrics.malformed_packet(exc.reason)
            log.warning("hj212_malformed_packet", reason=exc.reason, error=str(exc), mn=packet.mn)
            self._answer(packet, hj212.request_response(packet, hj212.QN_UNKNOWN_ERROR))
            return
        self._wait()
        self.server.group.submit(packet, station, readings).add_done_callback(partial(self._stored, packet))

    def _stored(self, packet: hj212.Packet, stored: asyncio.Future[None]) -> None:
        error = None if stored.cancelled() else stored.exception()
        if stored.cancelled() or error is not None:  # a failed store (database down, …) loses this packet only
            self.server.metrics.packet(packet.cn, "failed")
            log.exception("hj212_store_failed", mn=packet.mn, qn=packet.qn, exc_info=error or True)
        else:
            self.server.metrics.packet(packet.cn, "stored")
            self._answer(packet, hj212.data_response(packet))
        self._done()

    def _answer(self, request: hj212.Packet, response: hj212.Packet) -> None:
        if request.wants_response:
            self._send(response)

    def _send(self, response: hj212.Packet) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(hj212.build(response))


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
            await server.shutdown()
            await tcp.wait_closed()

    return serve


async def listen(server: Hj212Server, settings: MonitoringSettings, port: int) -> asyncio.Server:
    """The listening socket; shared with the other listener processes (``SO_REUSEPORT``) when there are several."""
    return await asyncio.get_running_loop().create_server(
        server.connection, settings.hj212_host, port, reuse_port=settings.hj212_workers > 1 or None
    )
