"""The listener's connection protocol on both event loops the service runs on (asyncio's own in tests, uvloop in
``greenlaw run`` and the workers): sign-in, answers after the commit and in the packets' order, the size limit, the
connection limit, the sign-in and idle deadlines (guesses sent at once, packets that are not uploads), peers that
never read their answers or leave mid-sign-in, shutdown and the metric labels. No database: the sign-in and the group
commit are fakes of the real ones."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import pytest
import uvloop
from prometheus_client import CollectorRegistry

from services.monitoring.data.loader import load_hj212_codes, load_standards
from services.monitoring.domain import hj212
from services.monitoring.domain.readings import ReadingIn
from services.monitoring.handlers.credentials import SignIn, StationCredentials, station_policy
from services.monitoring.handlers.passwords import PasswordCache
from services.monitoring.hj212_listener import GroupCommit, Hj212Metrics, Hj212Server, ListenerContext, listen
from services.monitoring.settings import MonitoringSettings
from services.monitoring.tables import Station

pytestmark = pytest.mark.unit

PASSWORD = "pw-1"
SETTINGS = MonitoringSettings(
    hj212_max_connections=2, hj212_max_packet_bytes=1024, hj212_idle_timeout_seconds=0.5, hj212_auth_timeout_seconds=5
)
SLOW_GUESS = "slow-guess"  # a wrong password whose check outlasts the sign-in deadline
STATION = Station(code="ST1", kind="air_station", name="站", town="杨柳青镇", level="district")
LOOPS: dict[str, Callable[[Coroutine[Any, Any, None]], None]] = {"asyncio": asyncio.run, "uvloop": uvloop.run}


class FakeCredentials(StationCredentials):
    """One station, ST1; no database, no argon2."""

    def __init__(self) -> None:
        super().__init__(station_policy(SETTINGS), PasswordCache())

    async def authenticate(self, sessions: Any, code: str, password: str, *, address: str) -> SignIn:
        await asyncio.sleep(1.0 if password == SLOW_GUESS else 0.01)
        known = code == STATION.code
        return SignIn(STATION if known and password == PASSWORD else None, known)


class FakeGroupCommit(GroupCommit):
    """Commits after a short while, in the order packets came; no database."""

    def __init__(self, context: ListenerContext) -> None:
        super().__init__(context, load_standards(SETTINGS.standards_dirs), max_packets=10, linger=0)
        self.committed: list[str | None] = []

    def submit(self, packet: hj212.Packet, station: Station, readings: list[ReadingIn]) -> asyncio.Future[None]:
        stored = asyncio.get_running_loop().create_future()

        def commit() -> None:
            self.committed.append(packet.qn)
            stored.set_result(None)

        asyncio.get_running_loop().call_later(0.05, commit)
        return stored


def upload(hour: int, *, pw: str = PASSWORD) -> hj212.Packet:
    cp = f"DataTime=20210601{hour:02d}0000;a34004-Avg=3{hour}.0,a34004-Flag=N"
    return hj212.Packet(f"20210601{hour:02d}0000000", "22", "2061", pw, STATION.code, 5, cp)


async def answer(reader: asyncio.StreamReader) -> hj212.Packet:
    return hj212.parse(await asyncio.wait_for(reader.readuntil(hj212.TRAILER), 5))


def make_server(settings: MonitoringSettings) -> tuple[Hj212Server, CollectorRegistry]:
    context = ListenerContext(settings, None, lambda: None)  # type: ignore[arg-type, return-value]
    registry = CollectorRegistry()
    server = Hj212Server(context, load_standards(settings.standards_dirs), load_hj212_codes(), FakeCredentials(),
                         Hj212Metrics.register(registry))  # fmt: skip
    server.group = FakeGroupCommit(context)
    return server, registry


@contextlib.asynccontextmanager
async def serving(
    settings: MonitoringSettings = SETTINGS, *, small_send_buffers: bool = False
) -> AsyncIterator[tuple[Hj212Server, CollectorRegistry, int]]:
    """A listener with the fakes on a free port; shut down (connections closed, sign-ins cancelled) at the end."""
    server, registry = make_server(settings)
    tcp = await listen(server, settings, 0)
    if small_send_buffers:  # inherited by the accepted sockets: a write buffer fills up quickly
        for listening in tcp.sockets:
            listening.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    try:
        yield server, registry, tcp.sockets[0].getsockname()[1]
    finally:
        await server.shutdown()
        tcp.close()
        server.credentials.passwords.close()


async def until_closed(server: Hj212Server) -> None:
    for _ in range(100):
        if not server.open_connections:
            return
        await asyncio.sleep(0.02)


async def scenario() -> None:
    async with serving() as (server, registry, port):
        group = server.group
        assert isinstance(group, FakeGroupCommit)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        # Sent at once: a wrong password, three uploads (the first signs in), a corrupted packet, a command not
        # taken. Each is answered in turn, the uploads once committed.
        corrupted = hj212.build(upload(9)).replace(b"QN=", b"QX=")
        writer.write(
            hj212.build(upload(0, pw="guess")) + b"".join(hj212.build(upload(h)) for h in (1, 2, 3)) + corrupted
            + hj212.build(hj212.Packet("20210601100000000", "22", "1062", PASSWORD, STATION.code, 5, "RtdInterval=30"))
        )  # fmt: skip
        answers = [await answer(reader) for _ in range(6)]
        assert [(a.cn, a.cp) for a in answers] == [
            ("9011", "QnRtn=3"), ("9014", ""), ("9014", ""), ("9014", ""), ("9011", "QnRtn=9"), ("9011", "QnRtn=8"),
        ]  # fmt: skip
        assert [a.qn for a in answers[1:4]] == group.committed == [upload(h).qn for h in (1, 2, 3)]
        # The second connection takes the last slot; a third is closed at once.
        other_reader, other_writer = await asyncio.open_connection("127.0.0.1", port)
        third_reader, third_writer = await asyncio.open_connection("127.0.0.1", port)
        assert await asyncio.wait_for(third_reader.read(), 5) == b""
        # A packet past the size limit closes its connection only.
        other_writer.write(b"##" + b"9" * 2000)
        assert await asyncio.wait_for(other_reader.read(), 5) == b""
        # The signed-in station, silent past the idle timeout, is closed.
        assert await asyncio.wait_for(reader.read(), 5) == b""
        for w in (writer, other_writer, third_writer):
            w.close()
        await asyncio.sleep(0.05)
        assert server.open_connections == 0
        text = {(s.name, tuple(s.labels.values())): s.value for m in registry.collect() for s in m.samples}
        assert text[("hj212_packets_total", ("2061", "stored"))] == 3
        assert text[("hj212_packets_total", ("2061", "unauthenticated"))] == 1
        assert text[("hj212_malformed_packets_total", ("too_long",))] == 1
        assert text[("hj212_refused_connections_total", ())] == 1
        assert text[("hj212_closed_connections_total", ("idle",))] == 1


@pytest.mark.parametrize("loop", sorted(LOOPS))
def test_the_connection_protocol_on_each_event_loop(loop: str) -> None:
    LOOPS[loop](scenario())


async def slow_guess() -> None:
    """A sign-in that fails after the sign-in deadline has passed closes the connection then, not an idle timeout
    later (its wait for the check does not count as silence, but does not extend the deadline either)."""
    settings = SETTINGS.model_copy(update={"hj212_auth_timeout_seconds": 0.3, "hj212_idle_timeout_seconds": 60.0})
    async with serving(settings) as (_, registry, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(hj212.build(upload(0, pw=SLOW_GUESS)))
        assert (await answer(reader)).cp == "QnRtn=3"
        assert await asyncio.wait_for(reader.read(), 5) == b""
        writer.close()
        assert registry.get_sample_value("hj212_closed_connections_total", {"reason": "auth_timeout"}) == 1


@pytest.mark.parametrize("loop", sorted(LOOPS))
def test_a_sign_in_outlasting_its_deadline_closes_the_connection_then(loop: str) -> None:
    LOOPS[loop](slow_guess())


def command(cn: str, *, pw: str = PASSWORD) -> hj212.Packet:
    return hj212.Packet("20210601100000000", "22", cn, pw, STATION.code, 5, "RtdInterval=30")


async def busy_without_data() -> None:
    """A signed-in station that sends only packets that are not data uploads (a command not taken, a corrupted
    packet, a CP that cannot be read) is not silent: it outlives the idle timeout many times over."""
    async with serving() as (_, registry, port):  # idle timeout 0.5 s
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(hj212.build(upload(1)))
        assert (await answer(reader)).cn == "9014"
        unreadable = upload(2)
        unreadable = hj212.Packet(unreadable.qn, "22", "2061", PASSWORD, STATION.code, 5,
                                  "DataTime=20210601020000;a34004-Avg=x,a34004-Flag=N")  # fmt: skip
        corrupted = hj212.build(upload(3)).replace(b"QN=", b"QX=")
        packets = [(hj212.build(command("1062")), "QnRtn=8"), (corrupted, "QnRtn=9"),
                   (hj212.build(unreadable), "QnRtn=100")]  # fmt: skip
        for i in range(9):  # 1.8 s, a packet every 0.2 s
            await asyncio.sleep(0.2)
            raw, expected = packets[i % 3]
            writer.write(raw)
            assert (await answer(reader)).cp == expected
        assert registry.get_sample_value("hj212_closed_connections_total", {"reason": "idle"}) is None
        writer.close()


@pytest.mark.parametrize("loop", sorted(LOOPS))
def test_packets_that_are_not_uploads_keep_a_station_from_being_idle(loop: str) -> None:
    LOOPS[loop](busy_without_data())


def never_reading_peer(port: int) -> socket.socket:
    """A peer that sends corrupted packets (each answered QnRtn 9) as fast as it can and never reads an answer."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    return sock


async def flood(sock: socket.socket, seconds: float) -> None:
    corrupted = hj212.build(upload(1)).replace(b"QN=", b"QX=") * 64
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        try:
            sock.send(corrupted)
        except BlockingIOError:
            await asyncio.sleep(0.01)
        except OSError:
            return  # closed by the listener


async def slot_freed() -> None:
    """A connection closed at its deadline (or at shutdown) whose peer never reads its answers does not keep its
    slot: close() would wait for the write buffer to drain, for ever; it is aborted after a short grace."""
    settings = SETTINGS.model_copy(
        update={"hj212_auth_timeout_seconds": 0.5, "hj212_idle_timeout_seconds": 60.0, "hj212_max_connections": 1}
    )
    with contextlib.ExitStack() as peers:
        async with serving(settings, small_send_buffers=True) as (server, registry, port):
            server.close_grace = 0.2
            first = peers.enter_context(never_reading_peer(port))
            await flood(first, 1.5)  # past the sign-in deadline
            assert registry.get_sample_value("hj212_closed_connections_total", {"reason": "auth_timeout"}) == 1
            await until_closed(server)
            assert server.open_connections == 0
            # The slot is free: a station is served.
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(hj212.build(upload(2)))
            assert (await answer(reader)).cn == "9014"
            writer.close()
            await asyncio.sleep(0.05)
            # At shutdown too: this peer must still hold its slot when the shutdown starts, so its sign-in deadline
            # is put out of reach of a slow machine (the server reads its settings at each connection).
            server.settings = server.settings.model_copy(update={"hj212_auth_timeout_seconds": 60.0})
            second = peers.enter_context(never_reading_peer(port))
            await flood(second, 0.3)
            assert server.open_connections == 1
            assert any(c.transport is not None and c.transport.get_write_buffer_size() for c in server.connections)
            await asyncio.wait_for(server.shutdown(), 5)
            await until_closed(server)
            assert server.open_connections == 0


@pytest.mark.parametrize("loop", sorted(LOOPS))
def test_a_peer_that_never_reads_does_not_keep_its_slot(loop: str) -> None:
    LOOPS[loop](slot_freed())


async def pipelined_guesses() -> None:
    """Guesses sent at once: the sign-in deadline still holds between them (no next guess once it has passed)."""
    settings = SETTINGS.model_copy(update={"hj212_auth_timeout_seconds": 0.3, "hj212_idle_timeout_seconds": 60.0})
    async with serving(settings) as (_, registry, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        started = time.monotonic()
        writer.write(b"".join(hj212.build(upload(h, pw=SLOW_GUESS)) for h in range(4)))
        assert (await answer(reader)).cp == "QnRtn=3"
        assert await asyncio.wait_for(reader.read(), 5) == b""  # no second answer
        assert time.monotonic() - started < 1.8  # one guess checked (1 s), not four
        assert registry.get_sample_value("hj212_closed_connections_total", {"reason": "auth_timeout"}) == 1
        writer.close()


@pytest.mark.parametrize("loop", sorted(LOOPS))
def test_pipelined_guesses_do_not_outlast_the_sign_in_deadline(loop: str) -> None:
    LOOPS[loop](pipelined_guesses())


async def left_during_sign_in() -> None:
    """Peers that leave while their sign-in is checked, one closing its end (end of file), one resetting the
    connection: nothing is re-armed for them once they are gone. The one that closed its end is closed at its
    passed sign-in deadline like any other (reading is paused during the check: its end of file is not seen yet);
    the one that reset is gone when its answer is written, and counts no deadline."""
    settings = SETTINGS.model_copy(update={"hj212_auth_timeout_seconds": 0.3, "hj212_idle_timeout_seconds": 60.0})
    async with serving(settings) as (server, registry, port):
        peers = [await asyncio.open_connection("127.0.0.1", port) for _ in range(2)]
        for _, writer in peers:
            writer.write(hj212.build(upload(0, pw=SLOW_GUESS)))
        await asyncio.sleep(0.1)
        connections = list(server.connections)
        assert len(connections) == 2
        reset = peers[1][1].get_extra_info("socket")
        reset.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # closed with a reset
        for _, writer in peers:
            writer.close()
        await asyncio.sleep(1.5)  # the sign-ins (1 s) have ended, the sign-in deadline passed
        assert server.open_connections == 0
        assert [c.timer for c in connections] == [None, None]
        assert registry.get_sample_value("hj212_closed_connections_total", {"reason": "auth_timeout"}) == 1


@pytest.mark.parametrize("loop", sorted(LOOPS))
def test_a_peer_leaving_during_its_sign_in_leaves_nothing_behind(loop: str) -> None:
    LOOPS[loop](left_during_sign_in())


async def shutdown_during_sign_in() -> None:
    """Shutdown cancels the sign-ins still checking (before the group commit stops), and a packet submitted to a
    stopped group commit fails at once rather than waiting for ever."""
    settings = SETTINGS.model_copy(update={"hj212_idle_timeout_seconds": 60.0})
    async with serving(settings) as (server, _, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(hj212.build(upload(0, pw=SLOW_GUESS)))
        await asyncio.sleep(0.1)
        (sign_in,) = server.sign_ins
        await asyncio.wait_for(server.shutdown(), 0.5)  # not the 1 s the check would take
        assert sign_in.cancelled()
        assert not server.sign_ins
        assert await asyncio.wait_for(reader.read(), 5) == b""
        writer.close()
    group = GroupCommit(server.context, server.standards, max_packets=10, linger=0)
    group.start()
    await group.stop()
    stored = group.submit(upload(1), STATION, [])
    assert stored.done()
    with pytest.raises(ConnectionError):
        stored.result()


@pytest.mark.parametrize("loop", sorted(LOOPS))
def test_shutdown_cancels_sign_ins_and_a_stopped_group_commit_refuses(loop: str) -> None:
    LOOPS[loop](shutdown_during_sign_in())


async def unknown_commands() -> None:
    """A CN from a peer is a metric label only if it is one the listener takes: others are counted as "other"."""
    async with serving() as (_, registry, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(hj212.build(command("7777", pw="guess")) + hj212.build(upload(1)) + hj212.build(command("8888")))
        assert [(await answer(reader)).cp for _ in range(3)] == ["QnRtn=3", "", "QnRtn=8"]
        labels = {s.labels["cn"] for m in registry.collect() for s in m.samples if s.name == "hj212_packets_total"}
        assert labels == {"2061", "other"}
        writer.close()


@pytest.mark.parametrize("loop", sorted(LOOPS))
def test_unknown_commands_share_one_metric_label(loop: str) -> None:
    LOOPS[loop](unknown_commands())
