"""Station credentials (API2, API4): guessing an MN's password over HTTP Basic or HJ 212 is throttled per MN and per
address with counts both share; an unknown MN costs and answers like a wrong password; HJ 212 connections that
never sign in are closed, so they cannot keep real stations out.

The monitoring service sits behind the gateway (in-process), which forwards each caller's address.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import re
import statistics
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from services.gateway.app import create_gateway_app
from services.gateway.settings import GatewaySettings
from services.monitoring.app import create_app as create_monitoring
from services.monitoring.domain import hj212
from services.ops.cli import app as cli
from tests.infra import PostgresServer
from tests.stack import Stack, StackConfig
from tests.support.system import assert_problem

PASSWORD = "station-pw-1"
BATCH = "/api/v1/monitoring/readings:batch"
AUTH_TIMEOUT = 1.0
_QN = itertools.count(1)
_ADDRESSES = (f"198.18.{n // 250}.{n % 250 + 1}" for n in itertools.count())


@pytest.fixture(scope="module")
async def system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Stack, FastAPI]]:
    """After 2 failures of an MN (5 of an address) the next try waits 30 s; HJ 212 sign-in within 1 s; 4 slots."""
    overrides = {
        "station_auth_throttle_after": 2,
        "station_auth_lockout_after": 4,
        "station_auth_first_delay_seconds": 30,
        "station_auth_source_throttle_after": 5,
        "station_auth_source_lockout_after": 8,
        "hj212_auth_timeout_seconds": AUTH_TIMEOUT,
        "hj212_max_connections": 4,
    }
    config = StackConfig(
        database="sqlite",
        transport="inprocess",
        data_dir=tmp_path_factory.mktemp("stations"),
        services=("monitoring",),
        overrides={"monitoring": overrides},
    )
    async with Stack(config) as stack:
        settings = GatewaySettings(
            common=stack.common, rate_limit_public="100000/minute", rate_limit_authenticated="100000/minute"
        )
        gateway = create_gateway_app(settings, asgi_apps=dict(stack.apps))
        async with gateway.router.lifespan_context(gateway):
            yield stack, gateway


def caller(gateway: FastAPI, address: str | None = None) -> httpx.AsyncClient:
    """A client of the gateway from ``address`` (a fresh one unless given, so address counts do not mix)."""
    transport = httpx.ASGITransport(app=gateway, client=(address or next(_ADDRESSES), 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://gateway", timeout=60)


async def create_station(client: httpx.AsyncClient, stack: Stack) -> str:
    """A new air station with ``PASSWORD``; its MN."""
    code = f"ST{uuid.uuid4().hex[:10].upper()}"
    body = {"code": code, "kind": "air_station", "name": "测试站点", "town": "杨柳青镇", "level": "district",
            "parameters": ["pm25"], "password": PASSWORD}  # fmt: skip
    headers = {"Authorization": f"Bearer {stack.token('monitoring_reviewer')}"}
    created = await client.post("/api/v1/monitoring/stations", json=body, headers=headers)
    assert created.status_code == 201, created.text
    return code


async def new_station(system: tuple[Stack, FastAPI]) -> str:
    async with caller(system[1]) as client:
        return await create_station(client, system[0])


async def push(client: httpx.AsyncClient, code: str, password: str, **headers: str) -> httpx.Response:
    basic = base64.b64encode(f"{code}:{password}".encode()).decode()
    row = {"station": code, "parameter": "pm25", "time": "2021-06-01T10:00:00+08:00", "value": 30, "unit": "µg/m³"}
    return await client.post(BATCH, json=[row], headers={"Authorization": f"Basic {basic}", **headers})


def answer_shape(response: httpx.Response) -> tuple[Any, ...]:
    body = response.json()
    return response.status_code, body["type"], re.sub(r"\d+", "N", body["detail"]), "retry-after" in response.headers


# --- HTTP Basic --------------------------------------------------------------------------------------------------


async def test_http_guesses_are_throttled_and_a_success_resets(system: tuple[Stack, FastAPI]) -> None:
    code, other = await new_station(system), await new_station(system)
    async with caller(system[1]) as client:
        for _ in range(2):  # failure, success, failure, success: a success clears the MN's count
            assert_problem(await push(client, code, "guess-1"), 401)
            assert (await push(client, code, PASSWORD)).status_code == 200
        for _ in range(2):
            assert_problem(await push(client, code, "guess-2"), 401)
        # Throttled: even the right password is refused without being checked, and Retry-After says how long.
        throttled = await push(client, code, PASSWORD)
        body = assert_problem(throttled, 429)
        assert body["type"].endswith(":login-throttled")
        assert 25 <= int(throttled.headers["retry-after"]) == body["retry_after"] <= 30
        # Another station (this address has 4 failures, below its 5) is not held back.
        assert (await push(client, other, PASSWORD)).status_code == 200


async def test_an_unknown_mn_is_answered_like_a_wrong_password(system: tuple[Stack, FastAPI]) -> None:
    """Status, type, detail and Retry-After are the same, before and after the throttle sets in."""
    known = await new_station(system)
    async with caller(system[1]) as client:
        wrong = [answer_shape(await push(client, known, "guess")) for _ in range(3)]
    async with caller(system[1]) as client:
        unknown_mn = f"NO{uuid.uuid4().hex[:8]}"
        unknown = [answer_shape(await push(client, unknown_mn, "guess")) for _ in range(3)]
    assert wrong == unknown
    assert [shape[0] for shape in wrong] == [401, 401, 429]


async def test_one_address_guessing_over_many_mns_is_throttled(system: tuple[Stack, FastAPI]) -> None:
    """One password sprayed over many MNs is held back per address, and a forged X-Forwarded-For does not help:
    the service counts the address the gateway saw."""
    codes = [await new_station(system) for _ in range(6)]
    address = next(_ADDRESSES)
    async with caller(system[1], address) as client:
        for number, code in enumerate(codes[:5]):
            forged = {"X-Forwarded-For": f"192.0.2.{number + 1}"}
            assert_problem(await push(client, code, "spray-pw", **forged), 401)
        refused = await push(client, codes[5], PASSWORD, **{"X-Forwarded-For": "192.0.2.99"})
        assert assert_problem(refused, 429)["type"].endswith(":login-throttled")
    async with caller(system[1]) as elsewhere:  # the same station from another address
        assert (await push(elsewhere, codes[5], PASSWORD)).status_code == 200


async def test_an_unknown_mn_costs_as_long_as_a_wrong_password(system: tuple[Stack, FastAPI]) -> None:
    """Median time of 20 tries each, interleaved, each from its own address and MN so that none is throttled."""
    known = [await new_station(system) for _ in range(20)]
    times: dict[str, list[float]] = {"unknown": [], "wrong": []}
    for code in known:
        for kind, mn in (("unknown", f"NO{uuid.uuid4().hex[:10].upper()}"), ("wrong", code)):
            async with caller(system[1]) as client:
                started = time.perf_counter()
                assert_problem(await push(client, mn, "guess"), 401)
                times[kind].append(time.perf_counter() - started)
    ratio = statistics.median(times["unknown"]) / statistics.median(times["wrong"])
    assert 0.5 <= ratio <= 2, {kind: f"{statistics.median(t) * 1000:.1f} ms" for kind, t in times.items()}


async def test_a_storm_of_wrong_passwords_does_not_stall_other_stations(system: tuple[Stack, FastAPI]) -> None:
    """Forty guesses at once (argon2 each, in its own threads) while a recognised station keeps pushing: the event
    loop keeps ticking and the station's pushes go on."""
    good, targets = await new_station(system), [await new_station(system) for _ in range(40)]
    async with caller(system[1]) as client:
        assert (await push(client, good, PASSWORD)).status_code == 200  # recognised from now on
        lags: list[float] = []

        async def ticker() -> None:
            while True:
                started = time.perf_counter()
                await asyncio.sleep(0.005)
                lags.append(time.perf_counter() - started - 0.005)

        async def guess(code: str) -> None:
            async with caller(system[1]) as guesser:
                assert_problem(await push(guesser, code, "guess"), 401)

        ticking = asyncio.create_task(ticker())
        storm = asyncio.gather(*(guess(code) for code in targets))
        pushes: list[float] = []
        while not storm.done():
            started = time.perf_counter()
            assert (await push(client, good, PASSWORD)).status_code == 200
            pushes.append(time.perf_counter() - started)
        await storm
        ticking.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ticking
    # Bounds for a shared 2-core machine; the figures are typically ~10 ms (lag) and well under 0.5 s (pushes),
    # which on SQLite wait for the guesses' failure counts to commit.
    p90_lag = statistics.quantiles(lags, n=10)[-1]
    assert p90_lag < 0.1, f"event loop lag p90 {p90_lag * 1000:.0f} ms"
    assert statistics.median(pushes) < 1, f"pushes during the storm: {sorted(round(p * 1000) for p in pushes)} ms"


# --- HJ 212 over TCP ---------------------------------------------------------------------------------------------


def packet(mn: str, pw: str) -> bytes:
    cp = "DataTime=20210601100000;a34004-Rtd=30,a34004-Flag=N"
    return hj212.build(hj212.Packet(f"20210601{next(_QN):09d}", "22", "2011", pw, mn, 5, cp))


async def answer(reader: asyncio.StreamReader) -> hj212.Packet:
    return hj212.parse(await asyncio.wait_for(reader.readuntil(hj212.TRAILER), 10))


async def closed(reader: asyncio.StreamReader, within: float) -> bool:
    """Whether the listener closes the connection (EOF) within ``within`` seconds."""
    try:
        return await asyncio.wait_for(reader.read(), within) == b""
    except TimeoutError:
        return False
    except ConnectionError:
        return True


def hj212_port(system: tuple[Stack, FastAPI]) -> int:
    port: int = system[0].apps["monitoring"].state.hj212_port
    return port


async def test_hj212_guesses_are_throttled_and_share_counts_with_http(system: tuple[Stack, FastAPI]) -> None:
    code = await new_station(system)
    reader, writer = await asyncio.open_connection("127.0.0.1", hj212_port(system))
    try:
        for _ in range(2):
            writer.write(packet(code, "guess"))
            assert (await answer(reader)).cp == "QnRtn=3"
        writer.write(packet(code, PASSWORD))  # right, but throttled: refused (QnRtn 2) and closed
        refused = await answer(reader)
        assert (refused.cn, refused.cp) == ("9011", "QnRtn=2")
        assert await closed(reader, 5)
    finally:
        writer.close()
    async with caller(system[1]) as client:  # the same MN over HTTP Basic, from elsewhere: held back too
        assert assert_problem(await push(client, code, PASSWORD), 429)["type"].endswith(":login-throttled")


async def test_hj212_connections_that_never_sign_in_are_closed(system: tuple[Stack, FastAPI]) -> None:
    """Four connections fill the slots, sending a garbage line every 0.2 s (or nothing); they are closed once the
    sign-in time is up, and a real station then gets in and stays in past that time."""
    port = hj212_port(system)
    holders = [await asyncio.open_connection("127.0.0.1", port) for _ in range(4)]

    async def chatter(writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while not writer.is_closing():
                writer.write(b"##garbage\r\n")
                await writer.drain()
                await asyncio.sleep(0.2)

    talking = [asyncio.create_task(chatter(writer)) for _, writer in holders[:3]]
    try:
        await asyncio.sleep(0.1)
        late_reader, late_writer = await asyncio.open_connection("127.0.0.1", port)
        assert await closed(late_reader, 5), "the slots are full: a fifth connection is closed at once"
        late_writer.close()
        started = time.perf_counter()
        assert all([await closed(reader, AUTH_TIMEOUT + 5) for reader, _ in holders])
        assert time.perf_counter() - started < AUTH_TIMEOUT + 3
    finally:
        for task in talking:
            task.cancel()
        for _, writer in holders:
            writer.close()
    code = await new_station(system)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(packet(code, PASSWORD))
        assert (await answer(reader)).cn == "9014"
        await asyncio.sleep(AUTH_TIMEOUT + 0.5)  # signed in: the sign-in deadline no longer applies
        writer.write(packet(code, PASSWORD))
        assert (await answer(reader)).cn == "9014"
    finally:
        writer.close()
    async with system[0].client("monitoring") as client:
        metrics = (await client.get("/metrics")).text
    assert re.search(r'hj212_closed_connections_total\{reason="auth_timeout"\} [4-9]', metrics), metrics


# --- replicas ----------------------------------------------------------------------------------------------------


async def test_replicas_share_the_counts(tmp_path: Path, postgres: PostgresServer) -> None:
    """Two monitoring replicas on one PostgreSQL database: guesses made at one hold the MN back at the other, over
    HTTP Basic and HJ 212 alike."""
    overrides = {"station_auth_throttle_after": 2, "station_auth_first_delay_seconds": 30}
    config = StackConfig(
        database="postgres", transport="inprocess", data_dir=tmp_path, postgres=postgres,
        services=("monitoring",), overrides={"monitoring": overrides},
    )  # fmt: skip
    async with Stack(config) as stack:
        first = stack.apps["monitoring"]
        second = create_monitoring(first.state.settings, bus=stack.bus)
        async with second.router.lifespan_context(second):

            def direct(app: FastAPI) -> httpx.AsyncClient:
                transport = httpx.ASGITransport(app=app, client=(next(_ADDRESSES), 40000))
                return httpx.AsyncClient(transport=transport, base_url="http://monitoring")

            async with direct(first) as client:
                code = await create_station(client, stack)
                for _ in range(2):
                    assert_problem(await push(client, code, "guess"), 401)
            async with direct(second) as client:
                assert assert_problem(await push(client, code, PASSWORD), 429)["type"].endswith(":login-throttled")
            reader, writer = await asyncio.open_connection("127.0.0.1", second.state.hj212_port)
            try:
                writer.write(packet(code, PASSWORD))
                assert (await answer(reader)).cp == "QnRtn=2"
            finally:
                writer.close()


async def test_a_locked_mn_is_refused_until_the_lockout_ends(tmp_path: Path) -> None:
    """No delays, a lock after 3 failures for 2 s: locked even for the right password, then let in again; an
    operator can lift a lock before it ends."""
    overrides = {"station_auth_first_delay_seconds": 0, "station_auth_lockout_after": 3,
                 "station_auth_lockout_seconds": 2, "hj212_enabled": False}  # fmt: skip
    config = StackConfig(
        database="sqlite", transport="inprocess", data_dir=tmp_path, services=("monitoring",),
        overrides={"monitoring": overrides},
    )  # fmt: skip
    async with Stack(config) as stack:
        transport = httpx.ASGITransport(app=stack.apps["monitoring"], client=(next(_ADDRESSES), 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://monitoring") as client:
            code = await create_station(client, stack)
            for _ in range(3):
                assert_problem(await push(client, code, "guess"), 401)
            locked = await push(client, code, PASSWORD)
            assert assert_problem(locked, 429)["type"].endswith(":login-locked")
            assert locked.headers["retry-after"] in {"1", "2"}
            await asyncio.sleep(2.2)
            assert (await push(client, code, PASSWORD)).status_code == 200
            # An operator lifts a lock at once: greenlaw stations unlock MN.
            for _ in range(3):
                assert_problem(await push(client, code, "guess"), 401)
            assert_problem(await push(client, code, PASSWORD), 429)
            env = {"GREENLAW_MONITORING_DATABASE_URL": stack.apps["monitoring"].state.settings.resolved_database_url()}
            result = await asyncio.to_thread(CliRunner().invoke, cli, ["stations", "unlock", code], env=env)
            assert result.exit_code == 0, result.output
            assert f"Unlocked {code}" in result.output
            assert (await push(client, code, PASSWORD)).status_code == 200
