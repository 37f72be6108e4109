"""API2:2023 Broken Authentication.

Tokens: expired, wrong signature, ``alg: none``, wrong issuer or audience, missing claims, unknown key id, a token of
the other zone; refused at the gateway and again by the service itself. Sign-in: guessing at ``/auth/token`` is
slowed down (429 ``login-throttled`` with Retry-After) and then locked (429 ``login-locked``) per account name and per
client address, a successful sign-in clears the account's count, unknown names are treated exactly like real ones,
and ``greenlaw users unlock`` lifts a lockout. An account disabled in the database loses its tokens within seconds.
The verification rules themselves are unit-tested in tests/unit/test_auth.py, the issuer's grants in
tests/integration/test_gateway.py, the account lifecycle (admin API and CLI) in
tests/integration/test_account_lifecycle.py.
"""

from __future__ import annotations

import asyncio
import functools
import re
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

from services.gateway.app import MIGRATIONS_DIR, create_gateway_app
from services.gateway.handlers import accounts
from services.gateway.handlers.accounts import account_key, add_client, add_user, login_guard
from services.gateway.settings import GatewaySettings
from services.gateway.tables import LoginFailure
from services.ops.cli import app as cli
from shared.db import create_engine, migrate, session_factory
from shared.guessing import Barrier, GuessPolicy, address_key
from shared.settings import CommonSettings
from tests.infra import PostgresServer
from tests.stack import eventually
from tests.support.gateway import gateway_database
from tests.support.system import System, assert_problem

pytestmark = pytest.mark.integration

STAFF_PATH = "/api/v1/cases/parties"
POLICE_PATH = "/police/v1/referrals"


def claims(common: CommonSettings, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "sub": "attacker",
        "roles": ["admin"],
        "zone": "staff",
        "iss": common.jwt_issuer,
        "aud": common.jwt_audience,
        "iat": now,
        "exp": now + 300,
    }
    base.update(overrides)
    return {key: value for key, value in base.items() if value is not None}


def forged(common: CommonSettings, kind: str) -> str:
    secret = common.jwt_secret.get_secret_value()
    kid = {"kid": common.jwt_key_id}
    match kind:
        case "expired":
            return jwt.encode(claims(common, exp=int(time.time()) - 5), secret, headers=kid)
        case "wrong-signature":
            return jwt.encode(claims(common), "someone-else-s-secret-0123456789abcdef", headers=kid)
        case "alg-none":
            return jwt.encode(claims(common), None, algorithm="none", headers=kid)
        case "alg-hs512":  # a valid signature with another algorithm than the pinned one
            return jwt.encode(claims(common), secret, algorithm="HS512", headers=kid)
        case "wrong-issuer":
            return jwt.encode(claims(common, iss="https://evil.example"), secret, headers=kid)
        case "wrong-audience":
            return jwt.encode(claims(common, aud="another-system"), secret, headers=kid)
        case "no-expiry":
            return jwt.encode(claims(common, exp=None), secret, headers=kid)
        case "unknown-kid":
            return jwt.encode(claims(common), secret, headers={"kid": "k-unknown"})
        case "tampered":
            token = jwt.encode(claims(common, roles=["auditor"]), secret, headers=kid)
            header, _, signature = token.split(".")
            payload = jwt.utils.base64url_encode(jwt.api_jws.json.dumps(claims(common)).encode()).decode()
            return f"{header}.{payload}.{signature}"
        case "garbage":
            return "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2lnbmF0dXJl"
    raise AssertionError(kind)


BAD_TOKENS = [
    "expired",
    "wrong-signature",
    "alg-none",
    "alg-hs512",
    "wrong-issuer",
    "wrong-audience",
    "no-expiry",
    "unknown-kid",
    "tampered",
    "garbage",
]


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # forging HS512 with a 48-byte key
@pytest.mark.parametrize("kind", BAD_TOKENS)
async def test_bad_tokens_are_refused_by_the_gateway_and_by_the_service(system: System, kind: str) -> None:
    token = forged(system.stack.common, kind)
    async with system.client(token) as client:
        response = await client.get(STAFF_PATH)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    # The service verifies again: a caller that reaches it past the gateway gets no further.
    async with system.service("cases", token) as direct:
        assert_problem(await direct.get(STAFF_PATH), 401)


async def test_a_token_is_valid_only_in_its_own_zone(system: System) -> None:
    police, staff = system.police_token(), system.staff_token("admin")
    async with system.client(police) as client:
        assert_problem(await client.get(STAFF_PATH), 403)
    async with system.client(staff) as client:
        assert_problem(await client.get(POLICE_PATH), 403)
    # Past the gateway too: the services check the zone of the token themselves.
    async with system.service("cases", police) as direct:
        assert_problem(await direct.get(STAFF_PATH), 403)
    async with system.service("referral", staff) as direct:
        assert_problem(await direct.get(POLICE_PATH), 403)
    # A police token that claims an admin role is still a police token: refused in the staff zone.
    elevated = jwt.encode(
        claims(system.stack.common, zone="police", roles=["police", "admin"], unit="西青公安分局"),
        system.stack.common.jwt_secret.get_secret_value(),
        headers={"kid": system.stack.common.jwt_key_id},
    )
    async with system.client(elevated) as client:
        assert_problem(await client.get(STAFF_PATH), 403)


async def test_missing_or_malformed_authorization_is_401(system: System) -> None:
    async with system.client() as client:
        assert_problem(await client.get(STAFF_PATH), 401)
        for header in ("Bearer", "Bearer ", "Token abc", "Basic Zm9vOmJhcg==", "bearer\tx.y.z"):
            assert_problem(await client.get(STAFF_PATH, headers={"Authorization": header}), 401)


# --- guessing at /auth/token ----------------------------------------------------------------------------------

PASSWORD = "correct horse battery staple"
SECRET = "police-client-secret"


USERS = ("zhang", "wang", "li", "zhao")


@pytest.fixture(scope="module", autouse=True)
def cheap_hashes() -> Iterator[None]:
    """Argon2 with small costs in this module: the guard, not the hash, is under test, and each default-cost
    hash takes most of a second on a busy machine. Hashes carry their parameters, so verification is cheap too."""
    with pytest.MonkeyPatch.context() as patch:
        cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        patch.setattr(accounts, "_hasher", functools.cache(lambda: cheap))
        accounts._dummy_hash.cache_clear()
        yield
    accounts._dummy_hash.cache_clear()


@pytest.fixture(scope="module")
async def issuer(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[FastAPI, GatewaySettings]]:
    """A gateway with a few users and one police client; after 2 failures the next try waits 30 s (long enough
    that a slow machine cannot outlast it by accident), locked at the third."""
    settings = GatewaySettings(
        common=CommonSettings(environment="test"),
        database_url=f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('issuer') / 'gateway.db'}",
        rate_limit_token="1000/minute",
        login_throttle_after=2,
        login_lockout_after=3,
        login_lockout_seconds=60,
        login_first_delay_seconds=30,
        login_source_throttle_after=20,
        login_source_lockout_after=30,
    )
    engine = create_engine(settings.resolved_database_url())
    await migrate(engine, MIGRATIONS_DIR)
    async with session_factory(engine)() as session:
        for username in USERS:
            await add_user(session, username=username, password=PASSWORD, roles="officer")
        await add_client(session, client_id="xiqing-police", secret=SECRET, role="police", unit="西青公安分局")
        await session.commit()
    await engine.dispose()
    app = create_gateway_app(settings)
    async with app.router.lifespan_context(app):
        yield app, settings


def caller(app: FastAPI, address: str) -> httpx.AsyncClient:
    """A client of ``app`` calling from ``address`` (each test its own, so address counts do not mix)."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://gateway")


async def sign_in(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post("/auth/token", data={"grant_type": "password", "username": username, "password": password})


async def test_guessing_a_password_is_slowed_down_and_a_success_resets(
    issuer: tuple[FastAPI, GatewaySettings],
) -> None:
    async with caller(issuer[0], "198.51.100.1") as client:
        # A success clears the count: failure, success, failure, success, and never throttled.
        for _ in range(2):
            assert_problem(await sign_in(client, "zhang", "guess"), 400)
            assert (await sign_in(client, "zhang", PASSWORD)).status_code == 200
        assert_problem(await sign_in(client, "zhang", "guess"), 400)
        assert_problem(await sign_in(client, "zhang", "guess"), 400)
        # Now throttled: even the right password must wait (nothing is checked), and Retry-After says how long.
        throttled = await sign_in(client, "zhang", PASSWORD)
        body = assert_problem(throttled, 429)
        assert body["type"].endswith(":login-throttled")
        assert 25 <= int(throttled.headers["retry-after"]) == body["retry_after"] <= 30
        # Locking one account does not lock the others.
        assert (await sign_in(client, "wang", PASSWORD)).status_code == 200


async def test_unknown_names_are_answered_like_real_ones(issuer: tuple[FastAPI, GatewaySettings]) -> None:
    """The answers (status, type, detail, Retry-After) do not tell whether an account exists."""

    async def answers(client: httpx.AsyncClient, username: str) -> list[tuple[Any, ...]]:
        seen = []
        for _ in range(3):
            response = await sign_in(client, username, "guess")
            body = response.json()
            detail = re.sub(r"\d+", "N", body["detail"])
            seen.append((response.status_code, body["type"], detail, "retry-after" in response.headers))
        return seen

    async with caller(issuer[0], "198.51.100.2") as client:
        assert await answers(client, "li") == await answers(client, "no-such-user")


async def test_police_client_secrets_are_guarded_too(issuer: tuple[FastAPI, GatewaySettings]) -> None:
    async with caller(issuer[0], "198.51.100.3") as client:
        for _ in range(2):
            wrong = await client.post(
                "/auth/token", data={"grant_type": "client_credentials"}, auth=("xiqing-police", "guess")
            )
            assert_problem(wrong, 401)
        right = await client.post(
            "/auth/token", data={"grant_type": "client_credentials"}, auth=("xiqing-police", SECRET)
        )
        assert assert_problem(right, 429)["type"].endswith(":login-throttled")


async def test_admin_unlocks_a_locked_account(issuer: tuple[FastAPI, GatewaySettings]) -> None:
    app, settings = issuer
    engine = create_engine(settings.resolved_database_url())
    async with session_factory(engine)() as session:
        guard = login_guard(GuessPolicy(throttle_after=2, lockout_after=3, lockout_seconds=60))
        await guard.failed(session, [account_key("user", "zhao")] * 3)
    await engine.dispose()
    async with caller(app, "198.51.100.4") as client:
        assert assert_problem(await sign_in(client, "zhao", PASSWORD), 429)["type"].endswith(":login-locked")
        env = {"GREENLAW_GATEWAY_DATABASE_URL": settings.resolved_database_url()}
        result = await asyncio.to_thread(CliRunner().invoke, cli, ["users", "unlock", "zhao"], env=env)
        assert result.exit_code == 0, result.output
        assert "Unlocked zhao" in result.output
        assert (await sign_in(client, "zhao", PASSWORD)).status_code == 200
        again = await asyncio.to_thread(CliRunner().invoke, cli, ["users", "unlock", "zhao"], env=env)
        assert "No failed sign-ins" in again.output


async def test_one_address_guessing_many_names_is_slowed_down(tmp_path: Path) -> None:
    """Spraying one password over many names counts against the client address."""
    settings = GatewaySettings(
        common=CommonSettings(environment="test"),
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}",
        rate_limit_token="1000/minute",
        login_source_throttle_after=2,
        login_source_lockout_after=4,
    )
    app = create_gateway_app(settings)
    async with app.router.lifespan_context(app):
        sprayer = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("192.0.2.66", 1)), base_url="http://gateway"
        )
        other = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("192.0.2.67", 1)), base_url="http://gateway"
        )
        async with sprayer, other:
            for number in range(2):
                assert_problem(await sign_in(sprayer, f"user{number}", "Spring2024!"), 400)
            throttled = await sign_in(sprayer, "user9", "Spring2024!")
            assert assert_problem(throttled, 429)["type"].endswith(":login-throttled")
            # Another address naming the same new user is not held back by the sprayer's failures.
            assert_problem(await sign_in(other, "user9", "Spring2024!"), 400)


# --- the guard's arithmetic, on a fake clock -------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", "postgres"])
async def guard_db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """The gateway's database, migrated, on SQLite (embedded) and PostgreSQL (replicas share the counts there)."""
    async with gateway_database(request, tmp_path, "guard") as engine:
        yield engine


async def test_delays_double_up_to_the_maximum_then_lock_and_failures_expire(guard_db: AsyncEngine) -> None:
    engine = guard_db
    clock = Clock()
    guard = login_guard(
        GuessPolicy(throttle_after=2, lockout_after=20, lockout_seconds=600, max_delay_seconds=8), clock
    )
    keys = [account_key("user", "li"), address_key("10.0.0.1")]
    waits = []
    async with session_factory(engine)() as session:
        for _ in range(7):
            barrier = (await guard.standing(session, keys)).barrier
            waits.append(None if barrier is None else barrier.retry_after)
            if barrier is not None:
                clock.now += barrier.retry_after
            await guard.failed(session, keys)
        assert waits == [None, None, 1, 2, 4, 8, 8]
        await guard.failed(session, [keys[0]] * 13)  # the 20th failure of the account locks it
        locked = (await guard.standing(session, keys)).barrier
        assert locked == Barrier(locked=True, retry_after=600)
        clock.now += 599
        assert ((await guard.standing(session, keys[:1])).barrier) == Barrier(locked=True, retry_after=1)
        clock.now += 1
        assert (await guard.standing(session, keys[:1])).barrier is None  # the lockout is over; the count starts again
        clock.now += 600  # the lockout period after the first failure: the count starts again
        assert (await guard.standing(session, keys)).barrier is None
        await guard.failed(session, keys)
        assert (await guard.standing(session, keys)).barrier is None


async def test_concurrent_failures_are_all_counted(postgres: PostgresServer) -> None:
    """Failures arriving at once from several gateway replicas (sessions on one PostgreSQL database) each count,
    the race to insert the first one included."""
    engine = create_engine(await postgres.create_database("gateway"))
    await migrate(engine, MIGRATIONS_DIR)
    guard = login_guard(GuessPolicy(throttle_after=100, lockout_after=8, lockout_seconds=600))
    sessions = session_factory(engine)
    key = account_key("user", "raced")

    async def fail() -> None:
        async with sessions() as session:
            await guard.failed(session, [key])

    try:
        await asyncio.gather(*(fail() for _ in range(8)))
        async with sessions() as session:
            row = await session.get(LoginFailure, key)
            assert row is not None
            assert row.failures == 8
            assert row.locked_until is not None
    finally:
        await engine.dispose()


# --- ending access: an account disabled in the database loses its tokens in seconds -------------------------


REFRESH_AT_MOST = 5.0  # seconds: the longest GREENLAW_GATEWAY_ACCOUNT_REFRESH_SECONDS may be


async def test_an_account_disabled_by_hand_loses_its_tokens_within_seconds(system: System) -> None:
    """The issue's case: an account disabled in the gateway database (by hand, by another replica or by the CLI)
    used to keep working for up to an hour; now its tokens, issued ones and older ones without the ``acct`` claim,
    get a 401 ``token-revoked`` within the refresh period, and it cannot get a new one."""
    settings = GatewaySettings(common=system.stack.common)
    username = f"api2-{time.monotonic_ns()}"
    engine = create_engine(settings.resolved_database_url())
    try:
        async with session_factory(engine)() as session:
            await add_user(session, username=username, password=PASSWORD, roles="officer")
            await session.commit()
        transport = httpx.ASGITransport(app=system.gateway, client=("198.51.100.20", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            form = {"grant_type": "password", "username": username, "password": PASSWORD}
            issued = (await client.post("/auth/token", data=form)).json()["access_token"]
            legacy = system.staff_token("officer", subject=username)
            for token in (issued, legacy):
                response = await client.get(STAFF_PATH, headers={"Authorization": f"Bearer {token}"})
                assert response.status_code == 200, response.text

            async with engine.begin() as connection:
                await connection.execute(
                    text("UPDATE gateway_user SET active = false WHERE username = :name"), {"name": username}
                )
            started = time.monotonic()
            for token in (issued, legacy):

                async def refused(token: str = token) -> bool:
                    response = await client.get(STAFF_PATH, headers={"Authorization": f"Bearer {token}"})
                    return response.status_code == 401 and response.json()["type"].endswith(":token-revoked")

                await eventually(refused, timeout=REFRESH_AT_MOST + 1, interval=0.05)
            assert time.monotonic() - started <= REFRESH_AT_MOST
            assert_problem(await client.post("/auth/token", data=form), 400)
    finally:
        await engine.dispose()


@pytest.mark.parametrize("extra", [{"acct": "user", "gen": "not-a-number"}, {"acct": "robot", "gen": 0}])
async def test_malformed_account_claims_are_refused_not_a_crash(system: System, extra: dict[str, Any]) -> None:
    common = system.stack.common
    token = jwt.encode(
        claims(common, **extra), common.jwt_secret.get_secret_value(), headers={"kid": common.jwt_key_id}
    )
    async with system.client(token) as client:
        assert_problem(await client.get(STAFF_PATH), 401)
        assert_problem(await client.get("/api/v1/admin/users"), 401)
