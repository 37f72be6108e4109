"""The demo load says where it stands while it runs, and an unfinished one is reported with what to do."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from services.demo import loader, startup
from services.demo.loader import DemoAlreadyLoaded, LoadReport, report_progress
from services.demo.startup import MARKER, LoadMarker

pytestmark = pytest.mark.unit


class Recorder:
    """Stands in for a module's structlog logger (a logger cached by an earlier configuration escapes
    ``capture_logs``): every call kept as a dict like structlog's own."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def _record(self, level: str) -> Any:
        def call(event: str, **fields: Any) -> None:
            self.entries.append({"event": event, "log_level": level, **fields})

        return call

    def __getattr__(self, level: str) -> Any:
        return self._record(level)


def test_a_marker_tells_when_the_load_began_and_what_to_do(tmp_path: Path) -> None:
    marker = LoadMarker(tmp_path / "var")
    assert marker.interrupted() is None
    marker.begin()
    message = marker.interrupted()
    assert message is not None
    assert str(tmp_path / "var") in message
    assert "make run" in message
    assert "GREENLAW_DEMO=0" in message
    marker.finish()
    assert marker.interrupted() is None
    assert not (tmp_path / "var" / MARKER).exists()


async def _background(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, outcome: BaseException | None) -> list[Any]:
    async def fake_load(app: FastAPI, *, seed: int, air_days: int) -> LoadReport:
        assert (tmp_path / MARKER).exists(), "the marker is written before the first call"
        if outcome is not None:
            raise outcome
        return LoadReport(seed=seed)

    monkeypatch.setattr(startup, "load_into", fake_load)
    recorder = Recorder()
    monkeypatch.setattr(startup, "log", recorder)
    with contextlib.suppress(asyncio.CancelledError):
        await startup._load_in_background(FastAPI(), LoadMarker(tmp_path))
    return recorder.entries


async def test_a_finished_load_removes_its_marker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    logs = await _background(tmp_path, monkeypatch, None)
    assert not (tmp_path / MARKER).exists()
    assert [entry["event"] for entry in logs] == ["demo_loaded"]


async def test_a_refused_load_wrote_nothing_and_leaves_no_marker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    logs = await _background(tmp_path, monkeypatch, DemoAlreadyLoaded("系统中已有当事人 parties"))
    assert not (tmp_path / MARKER).exists()
    assert logs[0]["event"] == "demo_not_loaded"
    assert "parties" in logs[0]["reason"]


@pytest.mark.parametrize("outcome", [asyncio.CancelledError(), RuntimeError("upstream gone")])
async def test_an_interrupted_or_failed_load_leaves_its_marker_and_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, outcome: BaseException
) -> None:
    logs = await _background(tmp_path, monkeypatch, outcome)
    assert (tmp_path / MARKER).exists()
    assert "make run" in logs[0]["message"]
    assert logs[0]["event"] in {"demo_load_interrupted", "demo_load_failed"}
    later = Recorder()
    monkeypatch.setattr(startup, "log", later)
    LoadMarker(tmp_path).warn_if_interrupted()
    assert later.entries[0]["event"] == "demo_load_incomplete"


async def test_progress_lines_name_the_phase_and_the_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    report = LoadReport(seed=1, phase="casework", steps=40, steps_total=500, calls=1234)
    report.add("readings", 9600)
    recorder = Recorder()
    monkeypatch.setattr(loader, "log", recorder)
    ticker = asyncio.create_task(report_progress(report, 0.01))
    await asyncio.sleep(0.05)
    ticker.cancel()
    lines = [entry for entry in recorder.entries if entry["event"] == "demo_load_progress"]
    assert lines
    assert lines[0]["phase"] == "casework"
    assert lines[0]["steps"] == "40/500"
    assert lines[0]["readings"] == 9600
    assert lines[0]["calls"] == 1234
