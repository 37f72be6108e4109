"""The listener's connection protocol on both event loops the service runs on (asyncio's own in tests, uvloop in
``greenlaw run`` and the workers): sign-in, answers after the commit and in the packets' order, the size limit, the
connection limit and the idle deadline. No database: the sign-in and the group commit are fakes of the real ones."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
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


async def scenario() -> None:
    context = ListenerContext(SETTINGS, None, lambda: None)  # type: ignore[arg-type, return-value]
    registry = CollectorRegistry()
    server = Hj212Server(context, load_standards(SETTINGS.standards_dirs), load_hj212_codes(), FakeCredentials(),
                         Hj212Metrics.register(registry))  # fmt: skip
    group = server.group = FakeGroupCommit(context)
    tcp = await listen(server, SETTINGS, 0)
    port = tcp.sockets[0].getsockname()[1]
    try:
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
    finally:
        tcp.close()
        server.close_all()
        server.credentials.passwords.close()


@pytest.mark.parametrize("loop", sorted(LOOPS))
def test_the_connection_protocol_on_each_event_loop(loop: str) -> None:
    LOOPS[loop](scenario())


async def slow_guess() -> None:
    """A sign-in that fails after the sign-in deadline has passed closes the connection then, not an idle timeout
    later (its wait for the check does not count as silence, but does not extend the deadline either)."""
    settings = SETTINGS.model_copy(update={"hj212_auth_timeout_seconds": 0.3, "hj212_idle_timeout_seconds": 60.0})
    context = ListenerContext(settings, None, lambda: None)  # type: ignore[arg-type, return-value]
    registry = CollectorRegistry()
    server = Hj212Server(context, load_standards(SETTINGS.standards_dirs), load_hj212_codes(), FakeCredentials(),
                         Hj212Metrics.register(registry))  # fmt: skip
    tcp = await listen(server, settings, 0)
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", tcp.sockets[0].getsockname()[1])
        writer.write(hj212.build(upload(0, pw=SLOW_GUESS)))
        assert (await answer(reader)).cp == "QnRtn=3"
        assert await asyncio.wait_for(reader.read(), 5) == b""
        writer.close()
        assert registry.get_sample_value("hj212_closed_connections_total", {"reason": "auth_timeout"}) == 1
    finally:
        tcp.close()
        server.close_all()
        server.credentials.passwords.close()


@pytest.mark.parametrize("loop", sorted(LOOPS))
def test_a_sign_in_outlasting_its_deadline_closes_the_connection_then(loop: str) -> None:
    LOOPS[loop](slow_guess())
