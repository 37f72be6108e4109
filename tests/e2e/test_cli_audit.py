"""``greenlaw audit verify`` over the data directory: intact chains pass, a tampered row fails the command."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.ops.cli import app as cli
from tests.factories import decision_body
from tests.stack import Stack, StackConfig, eventually

pytestmark = pytest.mark.e2e


def audit_verify(data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GREENLAW_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "services.ops.cli", "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_audit_verify_command_detects_tampering(tmp_path: Path) -> None:
    async with Stack(StackConfig(database="sqlite", transport="inprocess", data_dir=tmp_path)) as stack:
        async with stack.client("cases", "head") as cases:
            for _ in range(3):
                assert (await cases.post("/api/v1/cases/decisions", json=decision_body())).status_code == 201

        async def published() -> bool:
            async with stack.runtime("disclosure").sessions() as session:
                from sqlmodel import func, select

                from services.disclosure.tables import Publication

                return (await session.execute(select(func.count()).select_from(Publication))).scalar_one() == 3

        await eventually(published)
    intact = audit_verify(tmp_path)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert "cases: 3 rows checked, ok" in intact.stdout
    # The same command in this process (where coverage sees it), as an operator's script would call it.
    env = {"GREENLAW_DATA_DIR": str(tmp_path)}
    in_process = await asyncio.to_thread(CliRunner().invoke, cli, ["audit", "verify"], env=env)
    assert in_process.exit_code == 0, in_process.output
    assert "cases: 3 rows checked, ok" in in_process.output

    with sqlite3.connect(tmp_path / "cases.db") as db:
        db.execute("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2")
    tampered = audit_verify(tmp_path)
    assert tampered.returncode == 1
    assert "cases: 1 rows checked, BROKEN at seq 2" in tampered.stdout
    in_process = await asyncio.to_thread(CliRunner().invoke, cli, ["audit", "verify"], env=env)
    assert in_process.exit_code == 1
    assert "cases: 1 rows checked, BROKEN at seq 2" in in_process.output
