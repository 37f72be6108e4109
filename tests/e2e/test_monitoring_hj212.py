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
from tests.stack import Stack, eventually
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

    async def answer(self, timeout: float = 10) -> hj212.Packet:
        return hj212.parse(await asyncio.wait_for(self.reader.readuntil(b"\r\n"), timeout))

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
        if second == 30:  # corrupted packets in the middle: counted, and the connection goes on
            await sender.send(hj212.build(sent).replace(b"QN=", b"QX="))  # the CRC no longer matches: QnRtn 9
            assert (await sender.answer()).cp == "QnRtn=9"
            await sender.send(b"hello\r\n")  # nothing to answer to
            await sender.send(sender.packet("2011", air_cp(start, "Rtd", float("nan"))))  # not a number: dropped
            assert (await sender.answer()).cp == "QnRtn=100"
    await sender.send(sender.packet("2051", air_cp(start, "Avg", 31.5)))
    assert (await sender.answer()).cn == "9014"
    await sender.send(sender.packet("2061", air_cp(start, "Avg", 32.0, flag="D")))
    assert (await sender.answer()).cn == "9014"
    # The next hour: its stored neighbours are the ones this writer just wrote, remembered rather than read back.
    await sender.send(sender.packet("2061", air_cp(start + timedelta(hours=1), "Avg", 35.0)))
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
        assert counts == {"rtd": 60, "minute": 1, "hour": 2, "day": 1}
        hour = (
            (
                await session.execute(
                    select(Reading)
                    .where(Reading.station_code == mn, Reading.interval == "hour")
                    .order_by(col(Reading.time))
                )
            )
            .scalars()
            .first()
        )
        assert hour is not None
        assert hour.time.isoformat() == "2021-06-01T02:00:00+00:00"  # DataTime is Beijing time
    await sender.close()

    intruder = await StationSender.connect(port, mn, pw="guessed")
    await intruder.send(intruder.packet("2011", air_cp(start, "Rtd", 1)))
    refused = await intruder.answer()
    assert (refused.cn, refused.cp) == ("9011", "QnRtn=3")  # a known MN: the password is wrong
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
    assert 'hj212_series_checked_total{stored_hours="read"} 2.0' in metrics  # pm25 and so2, first seen
    assert 'hj212_series_checked_total{stored_hours="remembered"} 2.0' in metrics  # the next hour


def framed(segment: str) -> bytes:
    """A packet framed with a valid CRC around any data segment (to send header faults the builder would not)."""
    return hj212.frame(segment)


async def test_each_return_code_the_listener_sends(listening: Stack) -> None:
    """HJ 212-2017 QnRtn, each over TCP: 3 PW, 4 MN, 5 ST, 6 Flag, 7 QN, 8 CN, 9 CRC, 100 unknown, 2 refused.
    1 (ready to run a request) is never sent: the listener takes no request commands."""
    port = listening.apps["monitoring"].state.hj212_port
    async with client(listening, "monitoring_reviewer") as http:
        mn = (await create_station(http, "air_station", password=PASSWORD))["code"]
        retired = (await create_station(http, "air_station", password=PASSWORD))["code"]
        stopped = await http.get(f"/api/v1/monitoring/stations/{retired}")
        gone = await http.delete(
            f"/api/v1/monitoring/stations/{retired}", headers={"If-Match": stopped.headers["ETag"]}
        )
        assert gone.status_code == 204
    start = datetime(2021, 6, 1, 10, 0, 0)
    cp = air_cp(start, "Rtd", 30.0)

    async def code_of(mn: str, pw: str, packet: bytes | None = None, cn: str = "2011") -> str:
        sender = await StationSender.connect(port, mn, pw)
        try:
            await sender.send(packet if packet is not None else sender.packet(cn, cp))
            answer = await sender.answer()
        finally:
            await sender.close()
        assert answer.cn == "9011"
        return answer.cp.removeprefix("QnRtn=")

    head = f"QN=20210601100000001;ST=22;CN=2011;PW={PASSWORD};MN={mn}"
    assert await code_of(mn, "guessed") == "3"  # a known MN: the password is wrong
    assert await code_of("NO-SUCH-MN", PASSWORD) == "4"
    assert await code_of(retired, PASSWORD) == "4"  # a deactivated station's MN is no longer taken
    assert await code_of(mn, PASSWORD, framed(head.replace("ST=22", "ST=X2") + f";Flag=5;CP=&&{cp}&&")) == "5"
    assert await code_of(mn, PASSWORD, framed(f"{head};Flag=A;CP=&&{cp}&&")) == "6"
    short_qn = head.replace("QN=20210601100000001", "QN=2021")
    assert await code_of(mn, PASSWORD, framed(f"{short_qn};Flag=5;CP=&&{cp}&&")) == "7"
    assert await code_of(mn, PASSWORD, cn="1062") == "8"
    corrupted = hj212.build(hj212.Packet("20210601100000002", "22", "2011", PASSWORD, mn, 5, cp))
    assert await code_of(mn, PASSWORD, corrupted.replace(b"a34004-Rtd=30.0", b"a34004-Rtd=31.0")) == "9"
    unreadable = hj212.Packet("20210601100000003", "22", "2011", PASSWORD, mn, 5, "DataTime=2021;a34004-Rtd=1")
    assert await code_of(mn, PASSWORD, hj212.build(unreadable)) == "100"  # a CP that will never be taken
    # A header fault in a packet that asks for no answer (Flag bit A clear) is not answered.
    quiet = await StationSender.connect(port, mn)
    await quiet.send(framed(head.replace("ST=22", "ST=X2") + f";Flag=4;CP=&&{cp}&&"))
    await quiet.send(quiet.packet("1062", "RtdInterval=30"))
    assert (await quiet.answer()).cp == "QnRtn=8"  # the next answer is the next packet's
    await quiet.close()
    # Guessing: after the threshold (5 failures of the MN; the sign-ins above cleared the first) even the right
    # password is refused, QnRtn 2.
    for _ in range(5):
        assert await code_of(mn, "guessed") == "3"
    assert await code_of(mn, PASSWORD) == "2"


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


async def test_packets_sent_together_are_answered_in_order_each_after_its_commit(listening: Stack) -> None:
    """A station may write several packets at once: they are taken one at a time, so a refusal answered at once
    does not overtake the data uploads before it waiting for their commit."""
    stack = listening
    async with client(stack, "monitoring_reviewer") as http:
        mn = (await create_station(http, "air_station", password=PASSWORD))["code"]
    sender = await StationSender.connect(stack.apps["monitoring"].state.hj212_port, mn)
    start = datetime(2021, 6, 1, 10, 0, 0)
    uploads = [sender.packet("2061", air_cp(start + timedelta(hours=hour), "Avg", 30.0 + hour)) for hour in range(3)]
    corrupted = hj212.build(sender.packet("2061", air_cp(start, "Avg", 1.0))).replace(b"QN=", b"QX=")
    together = b"".join(map(hj212.build, uploads)) + corrupted + hj212.build(sender.packet("1062", "RtdInterval=30"))
    await sender.send(together)
    answers = [await sender.answer() for _ in range(5)]
    assert [(a.cn, a.qn) for a in answers[:3]] == [("9014", sent.qn) for sent in uploads]  # the first signs in
    assert [a.cp for a in answers[3:]] == ["QnRtn=9", "QnRtn=8"]
    last = sender.packet("2061", air_cp(start + timedelta(hours=3), "Avg", 40.0))
    await sender.send(last)
    sender.writer.write_eof()  # sends no more: what it sent is still stored and answered, then closed
    assert ((await sender.answer()).cn, await asyncio.wait_for(sender.reader.read(), 10)) == ("9014", b"")
    async with stack.runtime("monitoring").sessions() as session:
        query = select(func.count()).where(Reading.station_code == mn, Reading.interval == "hour")
        assert (await session.execute(query)).scalar_one() == 4 * 2


async def test_a_signed_in_station_silent_past_the_idle_timeout_is_closed(tmp_path: Path) -> None:
    config = monitoring_only(tmp_path, hj212_port=0, hj212_idle_timeout_seconds=0.5)
    async with Stack(config) as stack:
        async with client(stack, "monitoring_reviewer") as http:
            mn = (await create_station(http, "air_station", password=PASSWORD))["code"]
        sender = await StationSender.connect(stack.apps["monitoring"].state.hj212_port, mn)
        for hour in range(3):  # packets within the timeout keep it open
            await sender.send(sender.packet("2061", air_cp(datetime(2021, 6, 1, hour), "Avg", 30.0)))
            assert (await sender.answer()).cn == "9014"
            await asyncio.sleep(0.3)
        assert await asyncio.wait_for(sender.reader.read(), 10) == b""
        async with client(stack) as http:
            assert 'hj212_closed_connections_total{reason="idle"} 1.0' in (await http.get("/metrics")).text


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
    from services.monitoring.handlers.ingest import store_columns as real_store

    stack = grouping
    port = stack.apps["monitoring"].state.hj212_port
    async with client(stack, "monitoring_reviewer") as http:
        codes = [(await create_station(http, "air_station", password=PASSWORD))["code"] for _ in range(12)]
    bad = codes[-1]
    batches: list[int] = []

    async def store(uow: Any, standards: Any, columns: Any, **options: Any) -> Any:
        batches.append(len(set(columns.station)))
        if bad in columns.station:
            raise RuntimeError("refused by the database")
        return await real_store(uow, standards, columns, **options)

    monkeypatch.setattr(hj212_listener, "store_columns", store)
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


async def test_an_outlets_hourly_values_over_hj212_are_judged_by_the_permit_limit_in_force(listening: Stack) -> None:
    stack = listening
    async with client(stack, "monitoring_reviewer") as http:
        mn = (await create_station(http, "pollution_source", password=PASSWORD, parameters=["cod"]))["code"]
        enterprise = {"code": f"E-{mn}", "name": "天津某食品有限公司", "town": "精武镇", "industry": "食品制造业"}
        assert (await http.post("/api/v1/monitoring/enterprises", json=enterprise)).status_code == 201
        limits = [
            {"parameter": "cod", "limit": 50, "unit": "mg/L", "valid_from": "2021-01-01", "valid_to": "2021-05-31"},
            {"parameter": "cod", "limit": 30, "unit": "mg/L", "valid_from": "2021-06-01"},
        ]
        outlet = {"code": "DW001", "name": "废水总排口", "medium": "water", "station_code": mn, "frequency": "hour",
                  "limits": limits}  # fmt: skip
        assert (await http.post(f"/api/v1/monitoring/enterprises/E-{mn}/outlets", json=outlet)).status_code == 201
    sender = await StationSender.connect(stack.apps["monitoring"].state.hj212_port, mn)
    for stamp in ("20210531100000", "20210601100000"):  # 40 mg/L: under May's 50, over June's 30
        await sender.send(sender.packet("2061", f"DataTime={stamp};w01018-Avg=40.0,w01018-Flag=N"))
        assert (await sender.answer()).cn == "9014"
    await sender.close()
    async with client(stack, "monitoring_reviewer") as http:
        found = (await http.get("/api/v1/monitoring/exceedances", params={"station": mn})).json()["items"]
    assert [(e["parameter"], e["value"], e["limit"], e["period_start"][:19]) for e in found] == [
        ("cod", 40.0, 30.0, "2021-06-01T02:00:00")
    ]


@pytest.fixture
async def two_processes(tmp_path: Path, postgres: Any) -> AsyncIterator[Stack]:
    """The service's listener and one worker process on the same port, on PostgreSQL."""
    config = monitoring_only(tmp_path, hj212_port=0, hj212_max_connections=64, hj212_workers=2)
    config.database, config.postgres = "postgres", postgres
    async with Stack(config) as stack:
        yield stack


async def test_two_listener_processes_store_every_acknowledged_packet_once_and_a_killed_worker_loses_none(
    two_processes: Stack,
) -> None:
    import os
    import signal

    stack = two_processes
    app = stack.apps["monitoring"]
    port, pool = app.state.hj212_port, app.state.hj212_workers
    [worker] = pool.pids()
    async with client(stack, "monitoring_reviewer") as http:
        codes = [(await create_station(http, "air_station", password=PASSWORD))["code"] for _ in range(16)]
    start, hours = datetime(2021, 6, 1, 0, 0, 0), 12
    acknowledged: dict[str, list[int]] = {mn: [] for mn in codes}
    dropped: set[str] = set()
    half = asyncio.Event()

    async def station(mn: str) -> None:
        sender = await StationSender.connect(port, mn)
        for hour in range(hours):
            sent = sender.packet("2061", air_cp(start + timedelta(hours=hour), "Avg", 20.0 + hour % 3))
            while True:  # a station sends again what it got no answer for, on a new connection if need be
                try:
                    await sender.send(sent)
                    answer = await sender.answer(timeout=60)  # a restarted worker's first sign-in: argon2, loaded
                    break
                except (ConnectionError, asyncio.IncompleteReadError):
                    dropped.add(mn)
                    await sender.close()
                    await asyncio.sleep(0.05)
                    sender = await StationSender.connect(port, mn)
            assert (answer.cn, answer.qn) == ("9014", sent.qn)
            acknowledged[mn].append(hour)
            # Killed once the first station is half-way: no station has finished then. The worker's stations can
            # run ahead of the service's (it shares this process and its loop with the senders), so waiting for
            # half of all packets could let them finish before the kill, and nothing would be on the worker.
            if len(acknowledged[mn]) >= hours // 2:
                half.set()
            await asyncio.sleep(0.01)
        await sender.close()

    async def kill_the_worker_halfway() -> None:
        await half.wait()
        os.kill(worker, signal.SIGKILL)

    await asyncio.gather(kill_the_worker_halfway(), *(station(mn) for mn in codes))
    assert dropped, "no connection was on the killed worker"
    assert all(hours_acked == list(range(hours)) for hours_acked in acknowledged.values())
    async with stack.runtime("monitoring").sessions() as session:
        query = select(col(Reading.station_code), func.count(), func.count(func.distinct(Reading.time)))
        query = query.where(Reading.interval == "hour").group_by(col(Reading.station_code))
        counts = {mn: (n, times) for mn, n, times in (await session.execute(query)).all()}
    assert counts == dict.fromkeys(codes, (hours * 2, hours))  # 2 pollutants a packet, every hour once

    def replaced(old: int) -> Any:
        async def check() -> list[int]:
            pids: list[int] = pool.pids()
            return pids if pids and pids != [old] else []

        return check

    [again] = await eventually(replaced(worker))
    async with client(stack) as http:
        metrics = (await http.get("/metrics")).text
    assert "hj212_worker_restarts_total 1.0" in metrics
    assert "hj212_worker_processes 1.0" in metrics
    # A worker whose service is gone (its standard input ends) stops by itself.
    process = pool.processes[1]
    assert process.stdin is not None
    process.stdin.close()
    assert await asyncio.wait_for(process.wait(), 15) == 0
    await eventually(replaced(again))
    survivors = pool.pids()
    await pool.stop()  # as the service does when it stops
    assert survivors
    for pid in survivors:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


async def test_several_listener_processes_are_refused_on_sqlite(tmp_path: Path) -> None:
    from services.monitoring.hj212_workers import WorkersNeedPostgres

    with pytest.raises(WorkersNeedPostgres, match="needs PostgreSQL"):
        async with Stack(monitoring_only(tmp_path, hj212_port=0, hj212_workers=2)):
            pass


async def test_the_writers_array_read_of_neighbours_is_the_row_by_row_read(tmp_path: Path, postgres: Any) -> None:
    """PostgreSQL: each series' stored rows as arrays, cut by its window, are exactly the rows read one by one, and
    the checks give the same flags and re-flags either way."""
    import random
    from datetime import UTC

    from services.monitoring.domain.readings import Columns, ReadingIn
    from services.monitoring.handlers.checks import _stored_around, check_columns
    from services.monitoring.handlers.ingest import store_readings
    from services.monitoring.handlers.neighbours import stored_around

    config = monitoring_only(tmp_path, hj212_enabled=False)
    config.database, config.postgres = "postgres", postgres
    async with Stack(config) as stack:
        runtime, standards = stack.runtime("monitoring"), stack.apps["monitoring"].state.standards
        chance = random.Random(212)
        start = datetime(2021, 6, 1, tzinfo=UTC)
        stored = [
            ReadingIn(station, parameter, "hour", start + timedelta(hours=hour), value, "µg/m³", flag)
            for station in ("S1", "S2", "S3")
            for parameter in ("pm25", "so2")
            for hour in range(72)
            if chance.random() < 0.8  # gaps
            for value, flag in [(chance.choice([12.0, 12.0, 12.0, 80.0, chance.uniform(1, 90)]), chance.choice("NND"))]
        ]
        stored += [ReadingIn("S1", "pm25", "minute", start, 5.0, "µg/m³", "N")]  # not hourly: never a neighbour
        async with runtime.uow() as uow:
            await store_readings(uow, standards, stored, source="batch")
            await uow.commit()
        for _ in range(20):
            new = [
                ReadingIn(station, parameter, "hour", start + timedelta(hours=chance.randrange(-10, 90)), 12.0,
                          "µg/m³", "N")
                for station, parameter in chance.sample([(s, p) for s in ("S1", "S2", "S3", "S4") for p in
                                                         ("pm25", "so2", "no2")], 4)
            ]  # fmt: skip
            async with runtime.uow() as uow:
                plain = await check_columns(uow, standards, Columns.of(new))
                arrays = await check_columns(uow, standards, Columns.of(new), read_stored=stored_around)
                assert (arrays.order, arrays.flags, arrays.last) == (plain.order, plain.flags, plain.last)
                assert sorted(arrays.reflagged) == sorted(plain.reflagged)
                assert arrays.fresh == plain.fresh
                low, high = start + timedelta(hours=chance.randrange(-5, 40)), start + timedelta(hours=80)
                windows = {("S1", "pm25", "hour"): (low, high), ("S2", "so2", "hour"): (start, low)}
                by_rows, by_arrays = await _stored_around(uow, windows), await stored_around(uow, windows)
                assert by_rows == by_arrays
                assert by_arrays  # the windows hold stored hours


async def test_a_worker_listens_stores_and_stops_when_told(
    tmp_path: Path, postgres: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker's side in this process (the processes above run it where coverage does not see it): it signs in a
    station, answers CN 9014 once the data is committed, tells the service it listens, and stops on SIGTERM."""
    import os
    import signal

    from services.monitoring import hj212_workers
    from services.monitoring.settings import MonitoringSettings
    from tests.infra import free_port

    config = monitoring_only(tmp_path, hj212_enabled=False)
    config.database, config.postgres = "postgres", postgres
    async with Stack(config) as stack:
        async with client(stack, "monitoring_reviewer") as http:
            code = (await create_station(http, "air_station", password=PASSWORD))["code"]
        settings = stack.runtime("monitoring").settings
        assert isinstance(settings, MonitoringSettings)
        settings = settings.model_copy(update={"hj212_workers": 2})
        stops: dict[int, Any] = {}
        loop = asyncio.get_running_loop()
        monkeypatch.setattr(loop, "add_signal_handler", lambda signum, callback: stops.__setitem__(signum, callback))
        monkeypatch.setattr(hj212_workers, "_watch_parent", lambda _loop, _stop: None)  # no parent's pipe here
        monkeypatch.setattr(hj212_workers, "freeze_heap", lambda: None)  # this process's collector as it was
        ready_read, ready_write = os.pipe()
        port = free_port()
        worker = asyncio.create_task(hj212_workers.serve_worker(settings, port, 1, ready_write))
        try:
            assert await asyncio.wait_for(hj212_workers._read_once(ready_read), 60) == hj212_workers.READY
            sender = await StationSender.connect(port, code)
            sent = sender.packet("2061", air_cp(datetime(2021, 6, 1, 3), "Avg", 21.0))
            await sender.send(sent)
            answer = await sender.answer(timeout=60)
            assert (answer.cn, answer.qn) == ("9014", sent.qn)
            await sender.close()
            async with stack.runtime("monitoring").sessions() as session:
                stored = (await session.execute(select(func.count()).where(Reading.station_code == code))).scalar()
            assert stored == 2  # the packet's two pollutants, committed before the answer
        finally:
            stops[signal.SIGTERM]()
            await asyncio.wait_for(worker, 30)
    with pytest.raises(hj212_workers.WorkersNeedPostgres):
        hj212_workers.check_workers_allowed(settings, "sqlite")
