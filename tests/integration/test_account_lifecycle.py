"""Account lifecycle through the HTTP API and the CLI: two gateway replicas on one database (SQLite and PostgreSQL),
each on a real loopback socket. A change made through one replica (or the CLI) refuses the account's tokens at once
there and within ``account_refresh_seconds`` in the other."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from sqlmodel import col, select
from typer.testing import CliRunner

from services.catalogue import UPSTREAMS
from services.gateway.app import MIGRATIONS_DIR, create_gateway_app
from services.gateway.handlers import lifecycle
from services.gateway.handlers.accounts import add_client, add_user
from services.gateway.handlers.lifecycle import Actor
from services.gateway.revocation import AccountStates
from services.gateway.settings import GatewaySettings
from services.ops.cli import app as cli
from shared.audit import AuditEntry, verify_chain
from shared.auth import Principal, Role
from shared.db import create_engine, migrate, session_factory
from shared.outbound import tls_context
from shared.problems import Problem
from shared.settings import CommonSettings
from tests.stack import eventually, serve

pytestmark = pytest.mark.integration

REFRESH = 1.0
PROBLEM = "application/problem+json"
ADMIN_PASSWORD = "admin-password-1"
OFFICER_PASSWORD = "officer-password-1"
POLICE_SECRET = "police-secret-1"
STAFF_PATH = "/api/v1/cases/ping"
POLICE_PATH = "/police/v1/ping"


def upstream() -> FastAPI:
    """Every service at once: answers 200 to whatever the gateway lets through."""
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "POST"])
    async def echo(request: Request, path: str) -> dict[str, Any]:
        return {"path": request.url.path}

    return app


@dataclass
class Replicas:
    a: httpx.AsyncClient
    b: httpx.AsyncClient
    database_url: str

    async def sign_in(self, client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
        return await client.post(
            "/auth/token", data={"grant_type": "password", "username": username, "password": password}
        )

    async def token(self, client: httpx.AsyncClient, username: str, password: str) -> str:
        response = await self.sign_in(client, username, password)
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token

    async def client_token(self, client: httpx.AsyncClient, client_id: str, secret: str) -> httpx.Response:
        return await client.post("/auth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))

    async def admin(self) -> dict[str, str]:
        return bearer(await self.token(self.a, "admin", ADMIN_PASSWORD))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


async def refused_within(client: httpx.AsyncClient, path: str, token: str, seconds: float) -> float:
    """Seconds until ``client`` answers 401 ``token-revoked`` to ``token``; fails after ``seconds``."""
    started = time.monotonic()

    async def refused() -> bool:
        response = await client.get(path, headers=bearer(token))
        return response.status_code == 401 and response.json()["type"].endswith(":token-revoked")

    await eventually(refused, timeout=seconds, interval=0.05)
    return time.monotonic() - started


async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        url: str = await request.getfixturevalue("postgres").create_database("gateway")
        return url
    return f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"


async def seed(url: str) -> None:
    engine = create_engine(url)
    await migrate(engine, MIGRATIONS_DIR)
    async with session_factory(engine)() as session:
        await add_user(session, username="admin", password=ADMIN_PASSWORD, roles="admin")
        await add_user(session, username="officer", password=OFFICER_PASSWORD, roles="officer", team="一队")
        await add_user(session, username="head", password=OFFICER_PASSWORD, roles="head")
        await add_client(session, client_id="xq-police", secret=POLICE_SECRET, role="police", unit="西青公安分局")
        await session.commit()
    await engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
async def replicas(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Replicas]:
    url = await database_url(request, tmp_path)
    await seed(url)
    services = {name: upstream() for name in UPSTREAMS}
    async with AsyncExitStack() as stack:
        clients = []
        for _ in range(2):
            settings = GatewaySettings(
                common=CommonSettings(environment="test"),
                database_url=url,
                account_refresh_seconds=REFRESH,
                rate_limit_token="1000/minute",
                login_throttle_after=100,
            )
            base = await stack.enter_async_context(
                serve(create_gateway_app(settings, asgi_apps=services), lifespan=True)
            )
            clients.append(
                await stack.enter_async_context(httpx.AsyncClient(base_url=base, timeout=10, verify=tls_context()))
            )
        yield Replicas(clients[0], clients[1], url)


async def test_deactivation_ends_a_users_tokens_in_every_replica(replicas: Replicas) -> None:
    token = await replicas.token(replicas.a, "officer", OFFICER_PASSWORD)
    for replica in (replicas.a, replicas.b):
        assert (await replica.get(STAFF_PATH, headers=bearer(token))).status_code == 200

    response = await replicas.a.post("/api/v1/admin/users/officer/deactivation", headers=await replicas.admin())
    assert response.status_code == 200, response.text
    assert response.json()["active"] is False

    # The replica that made the change refuses at once; the other within its refresh period.
    body = assert_problem(await replicas.a.get(STAFF_PATH, headers=bearer(token)), 401)
    assert body["type"] == "urn:greenlaw:problem:token-revoked"
    assert await refused_within(replicas.b, STAFF_PATH, token, REFRESH + 2) <= REFRESH + 1
    for replica in (replicas.a, replicas.b):
        refused = await replicas.sign_in(replica, "officer", OFFICER_PASSWORD)
        assert assert_problem(refused, 400)["error"] == "invalid_grant"


async def test_reactivation_allows_a_new_sign_in_but_not_the_old_token(replicas: Replicas) -> None:
    admin = await replicas.admin()
    old = await replicas.token(replicas.b, "officer", OFFICER_PASSWORD)
    assert (await replicas.a.post("/api/v1/admin/users/officer/deactivation", headers=admin)).status_code == 200
    again = await replicas.a.post("/api/v1/admin/users/officer/reactivation", headers=admin)
    assert again.status_code == 200, again.text
    assert again.json()["active"] is True

    new = await replicas.token(replicas.a, "officer", OFFICER_PASSWORD)
    assert (await replicas.a.get(STAFF_PATH, headers=bearer(new))).status_code == 200  # at once where it changed
    for replica in (replicas.a, replicas.b):
        await refused_within(replica, STAFF_PATH, old, REFRESH + 2)

        async def accepted(replica: httpx.AsyncClient = replica) -> bool:
            return (await replica.get(STAFF_PATH, headers=bearer(new))).status_code == 200

        # The other replica learns of the reactivation at its next refresh, as it learned of the deactivation.
        await eventually(accepted, timeout=REFRESH + 2, interval=0.05)


async def test_password_reset_refuses_the_old_password_and_tokens(replicas: Replicas) -> None:
    admin = await replicas.admin()
    old = await replicas.token(replicas.a, "officer", OFFICER_PASSWORD)
    response = await replicas.a.post(
        "/api/v1/admin/users/officer/password-reset", json={"password": "chosen-by-admin"}, headers=admin
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"username": "officer", "password": "chosen-by-admin"}
    assert response.headers["cache-control"] == "no-store"
    assert_problem(await replicas.sign_in(replicas.a, "officer", OFFICER_PASSWORD), 400)
    assert_problem(await replicas.a.get(STAFF_PATH, headers=bearer(old)), 401)
    await refused_within(replicas.b, STAFF_PATH, old, REFRESH + 2)

    generated = await replicas.a.post("/api/v1/admin/users/officer/password-reset", json={}, headers=admin)
    password = generated.json()["password"]
    assert len(password) >= 24
    assert_problem(await replicas.sign_in(replicas.b, "officer", "chosen-by-admin"), 400)
    assert (await replicas.sign_in(replicas.b, "officer", password)).status_code == 200


async def test_secret_rotation_ends_the_old_secret_and_police_tokens(replicas: Replicas) -> None:
    response = await replicas.client_token(replicas.b, "xq-police", POLICE_SECRET)
    old_token = response.json()["access_token"]
    assert (await replicas.b.get(POLICE_PATH, headers=bearer(old_token))).status_code == 200

    rotated = await replicas.a.post("/api/v1/admin/clients/xq-police/secret-rotation", headers=await replicas.admin())
    assert rotated.status_code == 200, rotated.text
    assert rotated.headers["cache-control"] == "no-store"
    secret = rotated.json()["client_secret"]
    assert secret != POLICE_SECRET

    for replica in (replicas.a, replicas.b):
        refused = await replicas.client_token(replica, "xq-police", POLICE_SECRET)
        assert assert_problem(refused, 401)["error"] == "invalid_client"
    assert_problem(await replicas.a.get(POLICE_PATH, headers=bearer(old_token)), 401)
    await refused_within(replicas.b, POLICE_PATH, old_token, REFRESH + 2)
    new_token = (await replicas.client_token(replicas.b, "xq-police", secret)).json()["access_token"]
    assert (await replicas.b.get(POLICE_PATH, headers=bearer(new_token))).status_code == 200


async def test_client_deactivation_and_sign_out_everywhere(replicas: Replicas) -> None:
    admin = await replicas.admin()
    police = (await replicas.client_token(replicas.a, "xq-police", POLICE_SECRET)).json()["access_token"]
    officer = await replicas.token(replicas.a, "officer", OFFICER_PASSWORD)

    signed_out = await replicas.a.post("/api/v1/admin/users/officer/token-revocation", headers=admin)
    assert signed_out.status_code == 200
    assert signed_out.json()["tokens_revoked_at"] is not None
    await refused_within(replicas.b, STAFF_PATH, officer, REFRESH + 2)
    fresh = await replicas.token(replicas.b, "officer", OFFICER_PASSWORD)  # the password still works
    assert (await replicas.b.get(STAFF_PATH, headers=bearer(fresh))).status_code == 200

    assert (await replicas.a.post("/api/v1/admin/clients/xq-police/deactivation", headers=admin)).status_code == 200
    await refused_within(replicas.b, POLICE_PATH, police, REFRESH + 2)
    assert_problem(await replicas.client_token(replicas.b, "xq-police", POLICE_SECRET), 401)


async def test_lists_show_accounts_without_hashes_or_secrets(replicas: Replicas) -> None:
    admin = await replicas.admin()
    first = await replicas.a.get("/api/v1/admin/users", params={"limit": 2}, headers=admin)
    assert first.status_code == 200, first.text
    page = first.json()
    assert [user["username"] for user in page["items"]] == ["admin", "officer"]
    rest = await replicas.a.get("/api/v1/admin/users", params={"cursor": page["next_cursor"]}, headers=admin)
    assert [user["username"] for user in rest.json()["items"]] == ["head"]
    assert rest.json()["next_cursor"] is None
    officer = page["items"][1]
    assert set(officer) == {"username", "roles", "team", "active", "created_at", "tokens_revoked_at"}
    assert officer["roles"] == ["officer"]

    clients = (await replicas.a.get("/api/v1/admin/clients", headers=admin)).json()
    assert clients["items"][0]["client_id"] == "xq-police"
    assert set(clients["items"][0]) == {"client_id", "role", "unit", "active", "created_at", "tokens_revoked_at"}
    for text in (first.text, rest.text, str(clients)):
        assert "argon2" not in text
        assert POLICE_SECRET not in text
        assert OFFICER_PASSWORD not in text

    await replicas.a.post("/api/v1/admin/users/head/deactivation", headers=admin)
    inactive = await replicas.a.get("/api/v1/admin/users", params={"active": "false"}, headers=admin)
    assert [user["username"] for user in inactive.json()["items"]] == ["head"]
    assert_problem(await replicas.a.get("/api/v1/admin/users", params={"cursor": "bm9wZQ"}, headers=admin), 422)


ADMIN_OPERATIONS = [
    ("GET", "/api/v1/admin/users"),
    ("GET", "/api/v1/admin/clients"),
    ("POST", "/api/v1/admin/users/officer/deactivation"),
    ("POST", "/api/v1/admin/users/officer/reactivation"),
    ("POST", "/api/v1/admin/users/officer/token-revocation"),
    ("POST", "/api/v1/admin/users/officer/password-reset"),
    ("POST", "/api/v1/admin/clients/xq-police/deactivation"),
    ("POST", "/api/v1/admin/clients/xq-police/reactivation"),
    ("POST", "/api/v1/admin/clients/xq-police/token-revocation"),
    ("POST", "/api/v1/admin/clients/xq-police/secret-rotation"),
]


async def test_only_an_admin_may_manage_accounts(replicas: Replicas) -> None:
    head = await replicas.token(replicas.a, "head", OFFICER_PASSWORD)
    police = (await replicas.client_token(replicas.a, "xq-police", POLICE_SECRET)).json()["access_token"]
    for method, path in ADMIN_OPERATIONS:
        for token in (head, police):
            assert_problem(await replicas.a.request(method, path, headers=bearer(token), json={}), 403)
        assert_problem(await replicas.a.request(method, path, json={}), 401)
    # Nothing changed: the officer and the police client still sign in with their old credentials.
    assert (await replicas.sign_in(replicas.a, "officer", OFFICER_PASSWORD)).status_code == 200
    assert (await replicas.client_token(replicas.a, "xq-police", POLICE_SECRET)).status_code == 200


async def test_bad_requests_are_problems(replicas: Replicas) -> None:
    admin = await replicas.admin()
    assert_problem(await replicas.a.post("/api/v1/admin/users/nobody/deactivation", headers=admin), 404)
    assert_problem(await replicas.a.post("/api/v1/admin/clients/officer/secret-rotation", headers=admin), 404)
    assert_problem(await replicas.a.post("/api/v1/admin/users/admin/deactivation", headers=admin), 409)
    short = await replicas.a.post(
        "/api/v1/admin/users/officer/password-reset", json={"password": "short"}, headers=admin
    )
    assert_problem(short, 422)
    unknown = await replicas.a.post(
        "/api/v1/admin/users/officer/password-reset", json={"password_hash": "x" * 10}, headers=admin
    )
    assert_problem(unknown, 422)
    assert (await replicas.sign_in(replicas.a, "officer", OFFICER_PASSWORD)).status_code == 200


async def test_every_change_is_audited_with_the_admin_and_no_secret(replicas: Replicas) -> None:
    admin = await replicas.admin()
    await replicas.a.post("/api/v1/admin/users/officer/deactivation", headers=admin)
    await replicas.a.post("/api/v1/admin/users/officer/reactivation", headers=admin)
    await replicas.b.post(
        "/api/v1/admin/users/officer/password-reset", json={"password": "new-pass-word"}, headers=admin
    )
    await replicas.b.post("/api/v1/admin/users/officer/token-revocation", headers=admin)
    rotated = await replicas.a.post("/api/v1/admin/clients/xq-police/secret-rotation", headers=admin)
    await replicas.a.post("/api/v1/admin/clients/xq-police/deactivation", headers=admin)

    engine = create_engine(replicas.database_url)
    try:
        async with session_factory(engine)() as session:
            rows = (await session.exec(select(AuditEntry).order_by(col(AuditEntry.seq)))).all()
            report = await verify_chain(session)
    finally:
        await engine.dispose()
    assert report.ok
    assert report.checked == 6
    assert [(row.actor, row.entity_type, row.entity_id, row.action) for row in rows] == [
        ("admin", "user", "officer", "deactivated"),
        ("admin", "user", "officer", "reactivated"),
        ("admin", "user", "officer", "password_reset"),
        ("admin", "user", "officer", "tokens_revoked"),
        ("admin", "client", "xq-police", "secret_rotated"),
        ("admin", "client", "xq-police", "deactivated"),
    ]
    stored = " ".join(row.data for row in rows)
    assert "new-pass-word" not in stored
    assert rotated.json()["client_secret"] not in stored


async def invoke(url: str, *args: str) -> str:
    """``greenlaw <args>`` on the gateway database at ``url`` (in a thread: the CLI runs its own event loop)."""
    env = {"GREENLAW_GATEWAY_DATABASE_URL": url, "GREENLAW_ENVIRONMENT": "test"}
    result = await asyncio.to_thread(CliRunner().invoke, cli, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.output


async def test_the_cli_commands_reach_every_replica(replicas: Replicas) -> None:
    url = replicas.database_url
    officer = await replicas.token(replicas.a, "officer", OFFICER_PASSWORD)
    police = (await replicas.client_token(replicas.a, "xq-police", POLICE_SECRET)).json()["access_token"]

    listed = await invoke(url, "users", "list")
    assert "officer\tofficer\t一队\tactive" in listed
    assert "argon2" not in listed
    assert "xq-police\tpolice\t西青公安分局" in await invoke(url, "clients", "list")

    await invoke(url, "users", "deactivate", "officer")
    for replica in (replicas.a, replicas.b):
        await refused_within(replica, STAFF_PATH, officer, REFRESH + 2)
    assert_problem(await replicas.sign_in(replicas.a, "officer", OFFICER_PASSWORD), 400)
    await invoke(url, "users", "reactivate", "officer")
    await invoke(url, "users", "reset-password", "officer", "--password", "from-the-cli")
    assert (await replicas.sign_in(replicas.b, "officer", "from-the-cli")).status_code == 200
    generated = (await invoke(url, "users", "reset-password", "officer")).rsplit(": ", 1)[1].strip()
    assert (await replicas.sign_in(replicas.b, "officer", generated)).status_code == 200
    await invoke(url, "users", "revoke-tokens", "officer")

    secret = (await invoke(url, "clients", "rotate-secret", "xq-police")).rsplit(": ", 1)[1].strip()
    await refused_within(replicas.b, POLICE_PATH, police, REFRESH + 2)
    assert_problem(await replicas.client_token(replicas.b, "xq-police", POLICE_SECRET), 401)
    assert (await replicas.client_token(replicas.b, "xq-police", secret)).status_code == 200
    await invoke(url, "clients", "revoke-tokens", "xq-police")
    await invoke(url, "clients", "deactivate", "xq-police")
    assert_problem(await replicas.client_token(replicas.b, "xq-police", secret), 401)
    await invoke(url, "clients", "reactivate", "xq-police")
    assert (await replicas.client_token(replicas.b, "xq-police", secret)).status_code == 200

    missing = await asyncio.to_thread(
        CliRunner().invoke, cli, ["users", "deactivate", "nobody"], env={"GREENLAW_GATEWAY_DATABASE_URL": url}
    )
    assert missing.exit_code == 1
    assert "nobody" in missing.output


async def test_a_replica_keeps_the_last_states_while_its_database_is_away(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    await seed(url)
    engines = [create_engine(url), create_engine(f"sqlite+aiosqlite:///{tmp_path / 'no-such-dir' / 'gateway.db'}")]
    states = AccountStates(lambda: session_factory(engines[0])())
    try:
        async with session_factory(engines[0])() as session:
            await lifecycle.deactivate(session, "user", "officer", actor=Actor("admin"))
            await session.commit()
        assert await states.try_refresh()
        engines.reverse()  # the database is now out of reach
        assert not await states.try_refresh()
    finally:
        for engine in engines:
            await engine.dispose()
    with pytest.raises(Problem) as refused:
        states.check(Principal(subject="officer", roles=frozenset({Role.OFFICER}), zone="staff", account="user"))
    assert refused.value.slug == "token-revoked"
