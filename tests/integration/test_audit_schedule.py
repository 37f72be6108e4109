"""The scheduled audit-chain check: a row altered or the newest rows deleted by hand show in the metric and the log."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from structlog.testing import capture_logs

from shared.audit import append_audit
from tests.stack import Stack, StackConfig, eventually


@pytest.fixture(params=["sqlite", "postgres"])
async def cases(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Stack]:
    """The cases service alone, checking its chain every 0.1 s."""
    monkeypatch.setenv("GREENLAW_AUDIT_CHECK_INTERVAL_S", "0.1")
    config = StackConfig(database=request.param, transport="inprocess", data_dir=tmp_path, services=("cases",))
    if request.param == "postgres":
        config.postgres = request.getfixturevalue("postgres")
    async with Stack(config) as running:
        yield running


async def audit_rows(stack: Stack, count: int) -> None:
    async with stack.runtime("cases").sessions() as session:
        for n in range(count):
            await append_audit(
                session, actor="officer1", entity_type="case", entity_id=f"c{n}", action="filed", data={"n": n}
            )
        await session.commit()


async def tamper(stack: Stack, statement: str) -> None:
    async with stack.runtime("cases").engine.begin() as connection:
        await connection.execute(text(statement))


async def samples(stack: Stack) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    async with stack.client("cases") as client:
        body = (await client.get("/metrics")).text
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
    }


def gauge(values: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str) -> float | None:
    return values.get((name, (("service", "cases"),)))


async def wait_for_state(stack: Stack, *, ok: bool, rows: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    async def reached() -> dict[tuple[str, tuple[tuple[str, str], ...]], float] | None:
        values = await samples(stack)
        state = gauge(values, "greenlaw_audit_chain_ok"), gauge(values, "greenlaw_audit_chain_rows")
        return values if state == (1.0 if ok else 0.0, float(rows)) else None

    result: dict[tuple[str, tuple[tuple[str, str], ...]], float] = await eventually(reached, timeout=10)
    return result


async def test_an_altered_row_is_flagged_by_metric_and_log_and_readiness_holds(cases: Stack) -> None:
    await audit_rows(cases, 3)
    values = await wait_for_state(cases, ok=True, rows=3)
    checked_at = gauge(values, "greenlaw_audit_chain_last_checked_timestamp_seconds")
    assert checked_at is not None
    assert checked_at > 0

    with capture_logs() as logs:
        await tamper(cases, "UPDATE audit_log SET actor = 'intruder' WHERE seq = 2")
        values = await wait_for_state(cases, ok=False, rows=1)

    broken = [entry for entry in logs if entry["event"] == "audit_chain_broken"]
    assert broken, logs
    assert broken[0]["log_level"] == "error"
    assert broken[0]["service"] == "cases"
    assert broken[0]["first_broken_seq"] == 2
    assert "altered" in broken[0]["reason"]
    assert values[("greenlaw_audit_chain_checks_total", (("outcome", "broken"), ("service", "cases")))] >= 1
    assert values[("greenlaw_audit_chain_checks_total", (("outcome", "ok"), ("service", "cases")))] >= 1

    # An integrity alarm, not an outage: the service stays ready.
    async with cases.client("cases") as client:
        assert (await client.get("/readyz")).status_code == 200


async def test_deleting_the_newest_rows_is_flagged_against_the_head_seen_before(cases: Stack) -> None:
    await audit_rows(cases, 4)
    await wait_for_state(cases, ok=True, rows=4)

    with capture_logs() as logs:
        # What remains is a valid chain of 3 rows: only the remembered head shows that row 4 existed.
        await tamper(cases, "DELETE FROM audit_log WHERE seq = 4")
        await wait_for_state(cases, ok=False, rows=3)

    broken = [entry for entry in logs if entry["event"] == "audit_chain_broken"]
    assert broken
    assert broken[0]["first_broken_seq"] == 4
    assert "deleted" in broken[0]["reason"]


async def test_new_rows_after_a_check_keep_the_chain_ok(cases: Stack) -> None:
    await audit_rows(cases, 2)
    await wait_for_state(cases, ok=True, rows=2)
    await audit_rows(cases, 3)
    await wait_for_state(cases, ok=True, rows=5)


async def test_interval_zero_turns_the_check_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GREENLAW_AUDIT_CHECK_INTERVAL_S", "0")
    config = StackConfig(database="sqlite", transport="inprocess", data_dir=tmp_path, services=("cases",))
    async with Stack(config) as stack:
        assert getattr(stack.apps["cases"].state, "audit_chain_check", None) is None
        assert gauge(await samples(stack), "greenlaw_audit_chain_ok") is None
