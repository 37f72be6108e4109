"""Helpers of the monitoring tests: a client of the service, stations, hourly readings, the outbox, and a stack of
the monitoring service alone."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from shared.messaging.tables import OutboxRecord
from shared.service import ServiceRuntime
from tests.stack import Stack, StackConfig

BEIJING = "+08:00"


def client(stack: Stack, *roles: str, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
    """A client of the monitoring service; with roles, a staff token."""
    app = stack.apps["monitoring"]
    auth = {"Authorization": f"Bearer {stack.token(*roles)}"} if roles else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test", headers={**auth, **(headers or {})}, timeout=60
    )


def basic(code: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{code}:{password}".encode()).decode()}


def code(prefix: str = "ST") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10].upper()}"


def station_body(kind: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code(), "kind": kind, "name": "测试站点", "town": "杨柳青镇", "level": "district"}
    if kind == "water_section":
        body |= {"water_body": "river", "target_class": "III", "parameters": ["cod", "nh3n", "do", "tp"]}
    if kind == "air_station":
        body |= {"parameters": ["so2", "no2", "co", "o3", "pm10", "pm25"]}
    return body | fields


async def create_station(http: httpx.AsyncClient, kind: str, **fields: Any) -> dict[str, Any]:
    answer = await http.post("/api/v1/monitoring/stations", json=station_body(kind, **fields))
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def hourly(station: str, parameter: str, day: date, values: list[float], flag: str = "N") -> list[dict[str, Any]]:
    return [
        {"station": station, "parameter": parameter, "time": f"{day.isoformat()}T{h:02d}:00:00{BEIJING}",
         "value": v, "unit": "µg/m³", "flag": flag}
        for h, v in enumerate(values)
    ]  # fmt: skip


async def outbox(runtime: ServiceRuntime, event_type: str) -> list[dict[str, Any]]:
    async with runtime.sessions() as session:
        rows = (await session.execute(select(OutboxRecord).where(OutboxRecord.event_type == event_type))).scalars()
        return [json.loads(r.payload) | {"published": r.published_at is not None} for r in rows]


def monitoring_only(data_dir: Path, **overrides: Any) -> StackConfig:
    return StackConfig(
        database="sqlite", transport="inprocess", data_dir=data_dir, services=("monitoring",),
        overrides={"monitoring": overrides},
    )  # fmt: skip


@pytest.fixture(name="local", params=["sqlite", "postgres"])
async def monitoring_on_both_databases(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stack]:
    """The monitoring service alone (no HJ 212 listener), on SQLite and on PostgreSQL; a test module that imports
    this gets it as its ``local`` fixture."""
    config = monitoring_only(tmp_path, hj212_enabled=False)
    if request.param == "postgres":
        config.database = "postgres"
        config.postgres = request.getfixturevalue("postgres")
    async with Stack(config) as stack:
        yield stack
