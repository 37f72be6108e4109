"""API4:2023 Unrestricted Resource Consumption.

Caps on ``limit`` (every paged operation documents a maximum and refuses more), the gateway's body size limit,
the batch size of station readings, the HJ 212 listener's connection count and packet size, and per-client rate
limits (one client's excess does not hold back another). The body limit's streaming cases are in
tests/integration/test_gateway.py (``test_oversized_bodies_are_413``, ``test_uploads_have_their_own_larger_cap``),
the listener's over a minute of data in tests/e2e/test_monitoring_hj212.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.gateway.app import create_gateway_app
from services.gateway.settings import GatewaySettings
from services.monitoring.domain import hj212
from shared.auth import issue_token
from shared.settings import CommonSettings
from tests.stack import Stack, StackConfig
from tests.support.system import System, assert_problem

pytestmark = pytest.mark.integration

MAX_CONNECTIONS, MAX_PACKET, MAX_ROWS = 3, 512, 5


async def test_every_limit_parameter_has_a_maximum_that_is_enforced(system: System) -> None:
    async with system.client() as client:
        document = (await client.get("/openapi.json")).json()
    capped: list[tuple[str, int]] = []
    for path, item in document["paths"].items():
        operation = item.get("get")
        if operation is None:
            continue
        for parameter in operation.get("parameters", []):
            if parameter["name"] != "limit":
                continue
            schema = parameter["schema"]
            maximum = schema.get("maximum", next((s.get("maximum") for s in schema.get("anyOf", []) if s), None))
            assert maximum is not None, f"{path}: limit has no maximum: {schema}"
            # Readings are exported in bulk (CSV for analysis), up to 100,000 rows; every other list pages by ≤ 1,000.
            assert maximum <= (100_000 if path == "/api/v1/monitoring/readings" else 1000), (path, schema)
            capped.append((path, int(maximum)))
    assert len(capped) >= 10, capped
    headers = {"Authorization": f"Bearer {system.staff_token('admin')}"}
    police = {"Authorization": f"Bearer {system.police_token()}"}
    async with system.client() as client:
        for path, maximum in capped:
            if "{" in path:
                continue
            auth = police if path.startswith("/police/") else headers
            for too_many in (maximum + 1, 10**9):
                response = await client.get(path, params={"limit": too_many}, headers=auth)
                if path.startswith("/portal"):
                    assert response.status_code == 422, (path, response.status_code)
                else:
                    assert_problem(response, 422)


@pytest.fixture
async def small_gateway(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = GatewaySettings(
        common=CommonSettings(environment="test"),
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}",
        cases_url="http://127.0.0.1:9",  # nothing listens: a request that got through would be a 503
        disclosure_url="http://127.0.0.1:9",
        monitoring_url="http://127.0.0.1:9",
        max_body_bytes=1000,
        max_upload_bytes=2000,
        rate_limit_public="3/minute",
        rate_limit_authenticated="4/minute",
    )
    app = create_gateway_app(settings)
    async with app.router.lifespan_context(app):
        yield app


def from_address(app: Any, address: str, **headers: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 1234))
    return httpx.AsyncClient(transport=transport, base_url="http://gateway", headers=headers)


async def test_bodies_over_the_limit_are_refused_before_forwarding(small_gateway: Any) -> None:
    bearer = issue_token(CommonSettings(environment="test"), subject="big", roles=["officer"], zone="staff")
    async with from_address(small_gateway, "192.0.2.10", Authorization=f"Bearer {bearer}") as client:
        body = assert_problem(await client.post("/api/v1/cases/parties", content=b"{" + b" " * 1000 + b"}"), 413)
        assert body["max_bytes"] == 1000
        upload = {"Content-Type": "multipart/form-data; boundary=x"}
        assert_problem(await client.post("/api/v1/cases/x/evidence", content=b"u" * 2001, headers=upload), 413)


async def test_rate_limits_are_per_client(small_gateway: Any) -> None:
    async with from_address(small_gateway, "192.0.2.20") as greedy, from_address(small_gateway, "192.0.2.21") as other:
        statuses = [(await greedy.get("/public/v1/decisions")).status_code for _ in range(3)]
        assert 429 not in statuses
        refused = await greedy.get("/public/v1/decisions")
        assert_problem(refused, 429)
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert (await other.get("/public/v1/decisions")).status_code != 429  # another address is not held back
    # Authenticated callers count per token subject, whatever address they call from.
    common = CommonSettings(environment="test")
    one = {"Authorization": "Bearer " + issue_token(common, subject="busy", roles=["officer"], zone="staff")}
    two = {"Authorization": "Bearer " + issue_token(common, subject="calm", roles=["officer"], zone="staff")}
    for number in range(4):
        async with from_address(small_gateway, f"192.0.2.{30 + number}", **one) as client:
            assert (await client.get("/api/v1/cases")).status_code != 429
    async with from_address(small_gateway, "192.0.2.40", **one) as client:
        assert_problem(await client.get("/api/v1/cases"), 429)
    async with from_address(small_gateway, "192.0.2.40", **two) as client:
        assert (await client.get("/api/v1/cases")).status_code != 429


async def test_the_open_monitoring_api_counts_against_the_public_limit(small_gateway: Any) -> None:
    """No token is asked for (the service being down is a 503, not a 401), and its calls share the per-address
    count with the rest of /public/v1."""
    async with from_address(small_gateway, "192.0.2.50") as client:
        for path in ("/public/v1/decisions", "/public/v1/monitoring/stations", "/public/v1/monitoring/stations/A1"):
            assert (await client.get(path)).status_code not in (401, 403, 429), path
        assert_problem(await client.get("/public/v1/monitoring/stations/A1/latest"), 429)


@pytest.fixture(scope="module")
async def monitoring(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    overrides = {
        "hj212_max_connections": MAX_CONNECTIONS,
        "hj212_max_packet_bytes": MAX_PACKET,
        "batch_max_rows": MAX_ROWS,
    }
    config = StackConfig(
        database="sqlite",
        transport="inprocess",
        data_dir=tmp_path_factory.mktemp("hj212"),
        services=("monitoring",),
        overrides={"monitoring": overrides},
    )
    async with Stack(config) as stack:
        yield stack


async def test_reading_batches_are_capped(monitoring: Stack) -> None:
    row = {"station": "S1", "parameter": "w01018", "time": "2024-05-01T00:00:00+08:00", "value": 1}
    async with monitoring.client("monitoring", "monitoring_reviewer") as client:
        too_many = await client.post("/api/v1/monitoring/readings:batch", json=[row] * (MAX_ROWS + 1))
        assert_problem(too_many, 413)
        assert str(MAX_ROWS) in too_many.json()["detail"]


async def _closed(reader: asyncio.StreamReader) -> bool:
    """Whether the listener closed the connection (EOF) within a few seconds."""
    with contextlib.suppress(ConnectionError):
        return await asyncio.wait_for(reader.read(), 5) == b""
    return True


async def test_hj212_connections_and_packets_are_capped(monitoring: Stack) -> None:
    port = monitoring.apps["monitoring"].state.hj212_port
    opened = [await asyncio.open_connection("127.0.0.1", port) for _ in range(MAX_CONNECTIONS)]
    try:
        await asyncio.sleep(0.1)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        assert await _closed(reader), "a connection past the cap must be closed at once"
        writer.close()
        # A packet longer than the cap (no trailer in sight) closes that connection, not the others.
        long_reader, long_writer = opened[0]
        long_writer.write(b"##" + b"9" * (MAX_PACKET * 2))
        await long_writer.drain()
        assert await _closed(long_reader)
        packet = hj212.Packet("20240501000000000", "22", "2011", "pw", "NO-SUCH-MN", 5, "DataTime=20240501000000")
        still_reader, still_writer = opened[1]
        still_writer.write(hj212.build(packet))
        await still_writer.drain()
        answer = await asyncio.wait_for(still_reader.readuntil(b"\r\n"), 5)
        assert re.search(rb"QnRtn=4", answer), answer  # answered (an unknown MN), so still served
    finally:
        for _, writer in opened:
            writer.close()
