"""The cost of account hashes: the default, the floor no setting goes below, and the rehash at sign-in.

The suite runs at the floor (tests/conftest.py); here the cost is raised and lowered to see stored hashes follow it
on their accounts' next successful sign-in, and only then, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher, extract_parameters
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from services.gateway.app import create_gateway_app
from services.gateway.handlers import accounts
from services.gateway.handlers.accounts import add_client, add_user
from services.gateway.settings import GatewaySettings
from services.gateway.tables import GatewayClient, GatewayUser
from shared.db import session_factory
from shared.settings import CommonSettings
from tests.support.gateway import gateway_database

pytestmark = pytest.mark.integration

PASSWORD = "password-cost-1"
SECRET = "police-secret-cost-1"
ENV = "GREENLAW_GATEWAY_PASSWORD_"


def set_cost(patch: pytest.MonkeyPatch, time_cost: int, memory_kib: int = 19_456, parallelism: int = 1) -> None:
    """The cost the next hash is made at, as a deployment would set it (the hasher reads it once a process)."""
    patch.setenv(f"{ENV}TIME_COST", str(time_cost))
    patch.setenv(f"{ENV}MEMORY_KIB", str(memory_kib))
    patch.setenv(f"{ENV}PARALLELISM", str(parallelism))
    accounts.configure_hashing(GatewaySettings())


@pytest.fixture
def cost() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch
    accounts.configure_hashing(GatewaySettings())  # the suite's again


def test_the_default_is_argon2_cffis_and_nothing_below_owasps_minimum_is_accepted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("TIME_COST", "MEMORY_KIB", "PARALLELISM"):
        monkeypatch.delenv(f"{ENV}{name}", raising=False)
    settings = GatewaySettings()
    assert (settings.password_time_cost, settings.password_memory_kib, settings.password_parallelism) == (3, 65_536, 4)
    for weak in ({"password_time_cost": 1}, {"password_memory_kib": 19_455}, {"password_parallelism": 0}):
        with pytest.raises(ValidationError):
            GatewaySettings(**weak)  # type: ignore[arg-type]
    monkeypatch.setenv(f"{ENV}MEMORY_KIB", "4096")
    with pytest.raises(ValidationError):
        GatewaySettings()


@pytest.fixture(params=["sqlite", "postgres"])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    async with gateway_database(request, tmp_path, "gateway_cost") as engine:
        yield engine


async def stored(engine: AsyncEngine) -> tuple[str, str]:
    """The officer's password hash and the police client's secret hash, as stored."""
    async with session_factory(engine)() as session:
        user = await session.scalar(select(GatewayUser.password_hash).where(col(GatewayUser.username) == "officer"))
        client = await session.scalar(select(GatewayClient.secret_hash).where(col(GatewayClient.client_id) == "xq"))
    assert user is not None
    assert client is not None
    return user, client


async def test_a_hash_of_another_cost_is_made_again_at_sign_in_and_only_then(
    engine: AsyncEngine, cost: pytest.MonkeyPatch
) -> None:
    set_cost(cost, time_cost=2)
    async with session_factory(engine)() as session:
        await add_user(session, username="officer", password=PASSWORD, roles="officer", team="一队")
        await add_user(session, username="retired", password=PASSWORD, roles="officer")
        await add_client(session, client_id="xq", secret=SECRET, role="police", unit="西青公安分局")
        retired = await session.scalar(select(GatewayUser).where(col(GatewayUser.username) == "retired"))
        assert retired is not None
        retired.active = False
        await session.commit()
    before = await stored(engine)
    assert {extract_parameters(value).time_cost for value in before} == {2}

    set_cost(cost, time_cost=3)  # the deployment raises the cost
    settings = GatewaySettings(
        common=CommonSettings(environment="test"), database_url=str(engine.url.render_as_string(hide_password=False))
    )
    app = create_gateway_app(settings)
    transport = httpx.ASGITransport(app=app, client=("198.51.100.7", 40000))
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://gw") as gw:

        async def password(username: str, secret: str) -> int:
            form = {"grant_type": "password", "username": username, "password": secret}
            return (await gw.post("/auth/token", data=form)).status_code

        async def client(secret: str) -> int:
            form = {"grant_type": "client_credentials"}
            return (await gw.post("/auth/token", data=form, auth=("xq", secret))).status_code

        # Wrong secrets and an inactive account change nothing, and make no hash: an inactive account's right
        # password costs what a wrong one does.
        hashes: list[str] = []
        make = PasswordHasher.hash

        def counted(self: PasswordHasher, secret: str | bytes, **options: Any) -> str:
            hashes.append(str(secret))
            return make(self, secret, **options)

        cost.setattr(PasswordHasher, "hash", counted)
        assert await password("officer", "guess") == 400
        assert await client("guess") == 401
        assert await password("retired", PASSWORD) == 400
        assert hashes == []
        assert await stored(engine) == before

        assert await password("officer", PASSWORD) == 200
        assert await client(SECRET) == 200
        after = await stored(engine)
        assert {extract_parameters(value).time_cost for value in after} == {3}
        assert after[0] != before[0]
        assert after[1] != before[1]

        # Made once: the next sign-in finds the configured cost and keeps the hash.
        assert await password("officer", PASSWORD) == 200
        assert await client(SECRET) == 200
        assert await stored(engine) == after

        # Lowering the cost (to the floor) is followed as well.
        set_cost(cost, time_cost=2)
        assert await password("officer", PASSWORD) == 200
        assert extract_parameters((await stored(engine))[0]).time_cost == 2
    async with session_factory(engine)() as session:
        still = await session.scalar(select(GatewayUser.password_hash).where(col(GatewayUser.username) == "retired"))
        assert still is not None
        assert extract_parameters(still).time_cost == 2


async def test_a_rehash_never_undoes_a_password_reset_made_meanwhile(
    engine: AsyncEngine, cost: pytest.MonkeyPatch
) -> None:
    """A sign-in verifies the old password; before it stores the new hash of that password, an administrator
    resets the password (another session, committed). The sign-in succeeds, and the reset stands."""
    set_cost(cost, time_cost=2)
    async with session_factory(engine)() as session:
        await add_user(session, username="officer", password=PASSWORD, roles="officer")
        await session.commit()
    set_cost(cost, time_cost=3)
    reset = await accounts.hash_secret("the-new-password-1")
    verify = accounts._verify

    async def verify_then_reset(secret_hash: str | None, secret: str, **options: Any) -> Any:
        verified = await verify(secret_hash, secret, **options)
        async with session_factory(engine)() as other:
            row = await other.scalar(select(GatewayUser).where(col(GatewayUser.username) == "officer"))
            assert row is not None
            row.password_hash = reset
            await other.commit()
        return verified

    cost.setattr(accounts, "_verify", verify_then_reset)
    async with session_factory(engine)() as session:
        user = await accounts.authenticate_user(session, "officer", PASSWORD)
        assert user is not None  # the password was right when it was checked
        await session.commit()
    async with session_factory(engine)() as session:
        stored_hash = await session.scalar(
            select(GatewayUser.password_hash).where(col(GatewayUser.username) == "officer")
        )
    assert stored_hash == reset
