"""A station speaks HJ 212-2017 to the listener over a real loopback socket for a minute of data."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, func, select

from services.monitoring.domain import hj212
from services.monitoring.tables import Reading
from tests.stack import Stack
from tests.support.monitoring import client, create_station, monitoring_only

pytestmark = pytest.mark.e2e

PASSWORD = "station-pw-1"
_QN = itertools.count(1)


class StationSender:
    """Plays an automatic monitoring station: frames packets, sends them, reads the answers."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, mn: str, pw: str) -> None:
        self.reader, self.writer, self.mn, self.pw = reader, writer, mn, pw

    @classmethod
    async def connect(cls, port: int, mn: str, pw: str = PASSWORD) -> StationSender:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer, mn, pw)

    def packet(self, cn: str, cp: str, *, flag: int = 5) -> hj212.Packet:
        qn = f"20210601{next(_QN):09d}"
        return hj212.Packet(qn, "22", cn, self.pw, self.mn, flag, cp)

    async def send(self, packet: hj212.Packet | bytes) -> None:
        self.writer.write(packet if isinstance(packet, bytes) else hj212.build(packet))
        await self.writer.drain()

    async def answer(self) -> hj212.Packet:
        return hj212.parse(await asyncio.wait_for(self.reader.readuntil(b"\r\n"), 10))

    async def close(self) -> None:
        self.writer.close()


@pytest.fixture
async def listening(tmp_path: Path) -> AsyncIterator[Stack]:
    config = monitoring_only(tmp_path, hj212_port=0, hj212_max_connections=4, hj212_max_packet_bytes=1024)
    async with Stack(config) as stack:
        yield stack


def air_cp(moment: datetime, value_field: str, pm25: float, flag: str = "N") -> str:
    stamp = moment.strftime("%Y%m%d%H%M%S")
    return f"DataTime={stamp};a34004-{value_field}={pm25},a34004-Flag={flag};a21026-{value_field}=8.0,a21026-Flag=N"


async def test_a_station_sends_for_a_minute(listening: Stack) -> None:
    stack = listening
    app = stack.apps["monitoring"]
    port = app.state.hj212_port
    async with client(stack, "monitoring_reviewer") as http:
        station = await create_station(http, "air_station", password=PASSWORD)
    mn = station["code"]
    sender = await StationSender.connect(port, mn)
    start = datetime(2021, 6, 1, 10, 0, 0)
    for second in range(60):  # real-time data every second for a minute
        sent = sender.packet("2011", air_cp(start + timedelta(seconds=second), "Rtd", 30 + second % 5))
        await sender.send(sent)
        ack = await sender.answer()
        assert (ack.cn, ack.qn, ack.mn) == ("9014", sent.qn, mn)
        if second == 30:  # a corrupted packet in the middle: counted, unanswered, the connection goes on
            await sender.send(hj212.build(sent).replace(b"QN=", b"QX="))
            await sender.send(b"hello\r\n")
            await sender.send(sender.packet("2011", air_cp(start, "Rtd", float("nan"))))  # not a number: dropped
    await sender.send(sender.packet("2051", air_cp(start, "Avg", 31.5)))
    assert (await sender.answer()).cn == "9014"
    await sender.send(sender.packet("2061", air_cp(start, "Avg", 32.0, flag="D")))
    assert (await sender.answer()).cn == "9014"
    await sender.send(sender.packet("2031", air_cp(start.replace(hour=0), "Avg", 33.0), flag=4))  # no answer asked
    await sender.send(sender.packet("1062", "RtdInterval=30"))
    assert (await sender.answer()).cp == "QnRtn=8"  # a command this server does not take

    async with stack.runtime("monitoring").sessions() as session:
        query = (
            select(col(Reading.interval), func.count())
            .where(Reading.station_code == mn, Reading.parameter == "pm25")
            .group_by(col(Reading.interval))
        )
        counts = dict((await session.execute(query)).all())
        assert counts == {"rtd": 60, "minute": 1, "hour": 1, "day": 1}
        hour = (
            (await session.execute(select(Reading).where(Reading.station_code == mn, Reading.interval == "hour")))
            .scalars()
            .first()
        )
        assert hour is not None
        assert hour.time.isoformat() == "2021-06-01T02:00:00+00:00"  # DataTime is Beijing time
    await sender.close()

    intruder = await StationSender.connect(port, mn, pw="guessed")
    await intruder.send(intruder.packet("2011", air_cp(start, "Rtd", 1)))
    refused = await intruder.answer()
    assert (refused.cn, refused.cp) == ("9011", "QnRtn=3")
    await intruder.close()

    oversized = await StationSender.connect(port, mn)
    await oversized.send(b"##" + b"9" * 2000)
    assert await asyncio.wait_for(oversized.reader.read(), 10) == b""  # closed
    async with client(stack) as http:
        metrics = (await http.get("/metrics")).text
    assert 'hj212_malformed_packets_total{reason="crc_mismatch"} 1.0' in metrics
    assert 'hj212_malformed_packets_total{reason="bad_header"} 1.0' in metrics
    assert 'hj212_malformed_packets_total{reason="bad_cp"} 1.0' in metrics
    assert 'hj212_malformed_packets_total{reason="too_long"} 1.0' in metrics


async def test_connection_count_is_bounded(listening: Stack) -> None:
    port = listening.apps["monitoring"].state.hj212_port
    held = [await asyncio.open_connection("127.0.0.1", port) for _ in range(4)]
    await asyncio.sleep(0.1)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    assert await asyncio.wait_for(reader.read(), 10) == b""  # refused: the fifth connection is closed at once
    async with client(listening) as http:
        assert "hj212_refused_connections_total 1.0" in (await http.get("/metrics")).text
    for _, w in [*held, (reader, writer)]:
        w.close()
    await asyncio.sleep(0.1)
    again_reader, again_writer = await asyncio.open_connection("127.0.0.1", port)
    again_writer.write(b"noise\r\n")
    await again_writer.drain()
    await asyncio.sleep(0.1)
    assert not again_reader.at_eof()  # accepted once the others left
    again_writer.close()


@pytest.fixture
async def grouping(tmp_path: Path) -> AsyncIterator[Stack]:
    """A writer that waits 50 ms for more packets, so concurrent stations share transactions."""
    config = monitoring_only(tmp_path, hj212_port=0, hj212_max_connections=64, hj212_batch_linger_seconds=0.05)
    async with Stack(config) as stack:
        yield stack


async def test_concurrent_stations_share_commits_and_a_failing_packet_loses_only_itself(
    grouping: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.monitoring import hj212_listener
    from services.monitoring.handlers.ingest import store_readings as real_store

    stack = grouping
    port = stack.apps["monitoring"].state.hj212_port
    async with client(stack, "monitoring_reviewer") as http:
        codes = [(await create_station(http, "air_station", password=PASSWORD))["code"] for _ in range(12)]
    bad = codes[-1]
    batches: list[int] = []

    async def store(uow: Any, standards: Any, readings: list[Any], *, source: str) -> Any:
        batches.append(len({r.station for r in readings}))
        if any(r.station == bad for r in readings):
            raise RuntimeError("refused by the database")
        return await real_store(uow, standards, readings, source=source)

    monkeypatch.setattr(hj212_listener, "store_readings", store)
    logged: list[tuple[str, str]] = []

    class Log:  # the console renderer draws each traceback with its locals: seconds on a loaded machine
        def __getattr__(self, level: str) -> Any:
            return lambda event, **_fields: logged.append((level, event))

    monkeypatch.setattr(hj212_listener, "log", Log())
    senders = [await StationSender.connect(port, mn) for mn in codes]
    for sender in senders:  # signed in one by one first (argon2), with a command that stores nothing
        await sender.send(sender.packet("1062", "RtdInterval=30"))
        assert (await sender.answer()).cp == "QnRtn=8"
    start = datetime(2021, 6, 1, 10, 0, 0)

    async def hours(sender: StationSender) -> list[str]:
        answers = []
        for hour in range(3):
            await sender.send(sender.packet("2061", air_cp(start + timedelta(hours=hour), "Avg", 30.0 + hour)))
            if sender.mn == bad:
                with pytest.raises(TimeoutError):  # not stored: no answer, the station sends it again later
                    await asyncio.wait_for(sender.reader.readuntil(b"\r\n"), 1)
                answers.append("none")
            else:
                answers.append((await sender.answer()).cn)
        return answers

    answers = await asyncio.gather(*(hours(s) for s in senders))
    assert answers == [["9014"] * 3] * 11 + [["none"] * 3]
    assert max(batches) > 1  # packets of several stations in one transaction
    assert logged == [("exception", "hj212_store_failed")] * 3
    async with stack.runtime("monitoring").sessions() as session:
        query = select(col(Reading.station_code), func.count()).where(Reading.interval == "hour")
        counts = dict((await session.execute(query.group_by(col(Reading.station_code)))).all())
    assert counts == dict.fromkeys(codes[:-1], 3 * 2)  # 2 pollutants a packet
    for sender in senders:
        await sender.close()
