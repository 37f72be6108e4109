"""Backup and restore: data made through the APIs, backed up, destroyed, restored, verified and served again.

SQLite through the embedded mode (the gateway's database too), PostgreSQL through the services on throwaway
databases that are dropped before the restore; a tampered backup is refused before anything is touched.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from typer.testing import CliRunner

from services import catalogue
from services.ops.backup import BackupError, Target, create_backup, restore_backup
from services.ops.cli import app as cli
from tests.embedded import embedded_server
from tests.factories import decision_body
from tests.infra import PostgresServer
from tests.stack import Stack, StackConfig, eventually
from tests.support.cases import API, file_case, make_team, ok, settle
from tests.support.monitoring import create_station

pytestmark = pytest.mark.integration

Clients = Callable[[str], AbstractAsyncContextManager[httpx.AsyncClient]]
SERVICES = catalogue.UPSTREAMS


async def make_data(client_of: Clients) -> dict[str, Any]:
    """Decisions (and the publications their events open), readings and an evidence file, through the APIs."""
    async with client_of("cases") as cases:
        # Decided today: not yet overdue, so the deadline watch leaves the publications alone.
        body = decision_body(decided_on=date.today().isoformat())
        decisions = [await ok(await cases.post(f"{API}/decisions", json=body), 201) for _ in range(3)]
        case = await file_case(cases, await make_team(cases))
        evidence = f"{API}/{case['id']}/evidence"
        params = {
            "kind": "photo",
            "filename": "现场.jpg",
            "captured_by": "王伟",
            "captured_at": "2021-06-01T09:30:00+08:00",
        }
        await ok(await cases.post(evidence, params=params, content=b"\xff\xd8jpeg" * 500), 201)
    async with client_of("monitoring") as monitoring:
        station = await create_station(monitoring, "air_station")
        start = datetime(2021, 5, 1, tzinfo=UTC)
        rows = [
            {"station": station["code"], "parameter": "pm25", "time": (start + timedelta(hours=h)).isoformat(),
             "value": 30 + h, "unit": "µg/m³", "flag": "N"}
            for h in range(48)
        ]  # fmt: skip
        await ok(await monitoring.post("/api/v1/monitoring/readings:batch", json=rows))
    async with client_of("disclosure") as disclosure:

        async def opened() -> bool:
            listed = await ok(await disclosure.get("/api/v1/disclosure/publications"))
            return len(listed["items"]) == len(decisions)

        await eventually(opened)
    return {"decision_ids": [d["id"] for d in decisions], "evidence": evidence, "station": station["code"]}


async def served(client_of: Clients, made: dict[str, Any]) -> dict[str, Any]:
    """What the services answer about that data (volatile fields left out)."""
    async with client_of("cases") as cases:
        decisions = [await ok(await cases.get(f"{API}/decisions/{i}")) for i in made["decision_ids"]]
        evidence = await ok(await cases.get(made["evidence"]))
        verified = await ok(await cases.post(f"{made['evidence']}/verification"))
    async with client_of("monitoring") as monitoring:
        window = {"start": "2021-05-01T00:00:00+00:00", "end": "2021-05-03T00:00:00+00:00"}
        query = {"station": made["station"], "parameter": "pm25", "interval": "hour", **window}
        readings = await ok(await monitoring.get("/api/v1/monitoring/readings", params=query))
    async with client_of("disclosure") as disclosure:
        publications = await ok(await disclosure.get("/api/v1/disclosure/publications"))
    return {
        "decisions": decisions,
        "evidence": evidence,
        "evidence_ok": verified["ok"],
        "readings": readings["items"],
        "publications": sorted(json.dumps(p, sort_keys=True) for p in publications["items"]),
    }


async def test_embedded_sqlite_backup_destroy_restore(tmp_path: Path) -> None:
    data, backup = tmp_path / "data", tmp_path / "backup"
    stores = {
        "cases": {"cases-evidence": data / "evidence"},
        "referral": {"referral-documents": data / "referral-documents"},
    }
    targets = [Target(n, f"sqlite+aiosqlite:///{data / (n + '.db')}", stores.get(n, {})) for n in catalogue.SERVICES]
    async with embedded_server(data) as server:
        token = server.staff_token("admin")

        def client_of(_service: str) -> httpx.AsyncClient:
            return server.client(token)

        made = await make_data(client_of)
        before = await served(client_of, made)
        # Online: the services keep running while the backup is taken.
        manifest = await create_backup(targets, backup)

    assert before["evidence_ok"] is True
    cases = manifest["services"]["cases"]
    assert cases["tables"]["decision"] == 3
    assert cases["audit"]["ok"] is True
    assert cases["audit"]["head_seq"] == cases["tables"]["audit_log"] > 0
    assert manifest["services"]["monitoring"]["tables"]["reading"] == 48
    assert manifest["services"]["disclosure"]["tables"]["inbox"] >= 3
    assert len(manifest["stores"]["cases-evidence"]["files"]) == 1
    assert manifest["problems"] == []

    shutil.rmtree(data)
    lines = await restore_backup(targets, backup)
    assert len([line for line in lines if "restored and verified" in line]) == 5, lines
    # The events of the last minutes go out again; the consumers' inboxes make that a no-op (checked below).
    assert re.search(r"^cases: [1-9]\d* outbox events .* queued again$", "\n".join(lines), re.MULTILINE), lines

    async with embedded_server(data) as server:

        async def delivered_again() -> bool:
            return unpublished(data / "cases.db") == 0

        await eventually(delivered_again)
        token = server.staff_token("admin")
        after = await served(lambda _service: server.client(token), made)
    # The disclosure consumer saw its events again and recorded nothing new.
    assert count_rows(data / "disclosure.db", "inbox") == manifest["services"]["disclosure"]["tables"]["inbox"]
    for key in before:
        assert after[key] == before[key], key


async def test_postgres_backup_drop_restore(tmp_path: Path, postgres: PostgresServer) -> None:
    urls = {name: await postgres.create_database(name) for name in SERVICES}
    data, backup = tmp_path / "data", tmp_path / "backup"
    targets = [Target(n, urls[n], {"cases-evidence": data / "evidence"} if n == "cases" else {}) for n in SERVICES]
    async with running_stack(postgres, urls, data) as stack:
        made = await make_data(lambda service: stack.client(service, "admin"))
        before = await served(lambda service: stack.client(service, "admin"), made)
        manifest = await create_backup(targets, backup)
        await settle(stack)
    assert manifest["services"]["cases"]["engine"] == "postgresql"
    assert manifest["services"]["cases"]["tables"]["decision"] == 3

    await drop_databases(postgres, urls.values())
    shutil.rmtree(data)
    lines = await restore_backup(targets, backup)  # creates the dropped databases again
    assert len([line for line in lines if "restored and verified" in line]) == 4, lines

    async with running_stack(postgres, urls, data) as stack:
        after = await served(lambda service: stack.client(service, "admin"), made)
        await settle(stack)
    assert after == before


async def test_a_tampered_or_edited_backup_is_refused(tmp_path: Path) -> None:
    data, backup = tmp_path / "data", tmp_path / "backup"
    targets = [Target("cases", f"sqlite+aiosqlite:///{data / 'cases.db'}", {"cases-evidence": data / "evidence"})]
    async with running_stack(None, {}, data, services=("cases",)) as stack:
        async with stack.client("cases", "admin") as cases:
            await ok(await cases.post(f"{API}/decisions", json=decision_body()), 201)
        await create_backup(targets, backup)
        await settle(stack)
    with pytest.raises(BackupError, match="not empty"):
        await create_backup(targets, backup)

    dump = backup / "databases" / "cases.db"
    original = dump.read_bytes()
    dump.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
    live = (data / "cases.db").read_bytes()
    with pytest.raises(BackupError, match=r"databases/cases.db: SHA-256 differs"):
        await restore_backup(targets, backup)
    assert (data / "cases.db").read_bytes() == live  # nothing was touched

    # Consistent files, but a manifest that disagrees with them: the restore fails loudly after checking.
    dump.write_bytes(original)
    manifest_path = backup / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["services"]["cases"]["tables"]["decision"] += 1
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(BackupError, match=r"table decision: 1 rows, the backup had 2"):
        await restore_backup(targets, backup)


async def test_a_broken_audit_chain_is_backed_up_only_when_asked(tmp_path: Path) -> None:
    data = tmp_path / "data"
    targets = [Target("cases", f"sqlite+aiosqlite:///{data / 'cases.db'}", {"cases-evidence": data / "evidence"})]
    async with running_stack(None, {}, data, services=("cases",)) as stack:
        async with stack.client("cases", "admin") as cases:
            await ok(await cases.post(f"{API}/decisions", json=decision_body()), 201)
        await settle(stack)
    with contextlib.closing(sqlite3.connect(data / "cases.db")) as connection:
        connection.execute("UPDATE audit_log SET actor = 'intruder' WHERE seq = 1")
        connection.commit()

    with pytest.raises(BackupError, match=r"cases: audit chain broken at seq 1: row 1 content does not match"):
        await create_backup(targets, tmp_path / "refused")
    assert not (tmp_path / "refused" / "manifest.json").exists()

    manifest = await create_backup(targets, tmp_path / "kept", allow_damaged=True)
    assert [p.split(":")[0] for p in manifest["problems"]] == ["cases"]
    # Restored as it was backed up: the same break at the same row, as the manifest records.
    lines = await restore_backup(targets, tmp_path / "kept")
    assert lines[0].startswith("cases: restored and verified"), lines
    assert "audit chain broken at seq 1" in lines[0]


def test_the_command_backs_up_and_restores_the_data_directory(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"GREENLAW_DATA_DIR": str(tmp_path / "data"), "GREENLAW_ENVIRONMENT": "test"}
    assert runner.invoke(cli, ["migrate"], env=env).exit_code == 0
    made = runner.invoke(cli, ["backup", "create", "--to", str(tmp_path / "b")], env=env)
    assert made.exit_code == 0, made.output
    digest = made.output.strip().rsplit(" ", 1)[-1]

    restore = ["backup", "restore", "--from", str(tmp_path / "b"), "--yes", "--manifest-sha256"]
    refused = runner.invoke(cli, [*restore, "0" * 64], env=env)
    assert refused.exit_code == 1
    assert "RESTORE FAILED" in refused.output

    shutil.rmtree(tmp_path / "data")
    restored = runner.invoke(cli, [*restore, digest], env=env)
    assert restored.exit_code == 0, restored.output
    assert restored.output.count("restored and verified") == 5


# --- helpers -----------------------------------------------------------------------------------------------------


class PinnedStack(Stack):
    """The services on given database URLs, so a restarted stack finds the restored databases."""

    def __init__(self, config: StackConfig, urls: dict[str, str]) -> None:
        super().__init__(config)
        self.urls = urls

    async def _database_url(self, service: str) -> str | None:
        return self.urls.get(service)


def running_stack(
    postgres: PostgresServer | None, urls: dict[str, str], data: Path, *, services: tuple[str, ...] = SERVICES
) -> PinnedStack:
    config = StackConfig(
        database="sqlite" if postgres is None else "postgres", transport="inprocess", data_dir=data, services=services
    )
    config.postgres = postgres
    return PinnedStack(config, urls)


def unpublished(database: Path) -> int:
    with contextlib.closing(sqlite3.connect(database)) as connection:
        return int(connection.execute("SELECT count(*) FROM outbox WHERE published_at IS NULL").fetchone()[0])


def count_rows(database: Path, table: str) -> int:
    with contextlib.closing(sqlite3.connect(database)) as connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


async def drop_databases(postgres: PostgresServer, urls: Any) -> None:
    connection = await asyncpg.connect(postgres.dsn)
    try:
        for url in urls:
            await connection.execute(f'DROP DATABASE "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture(autouse=True)
def _no_environment_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    """The targets are the ones each test names, whatever the environment of the run says."""
    for name in (*SERVICES, "gateway"):
        monkeypatch.delenv(f"GREENLAW_{name.upper()}_DATABASE_URL", raising=False)
