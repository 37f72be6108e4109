"""Before-enforcement publication (事前公开): the officer list fed by cases' register through events, the lists the
editor keeps in versions (If-Match), and the quarterly and annual enforcement statistics read from cases."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.disclosure.consumers import subscriptions
from services.disclosure.handlers import officers_public
from services.disclosure.handlers.publications import local_today
from services.disclosure.settings import DisclosureSettings
from shared.contracts.events import OfficerChangedV1, OfficerDeactivatedV1, OfficerRegisteredV1
from shared.workdays import WorkCalendar
from tests.factories import decision_body
from tests.stack import Stack, StackConfig, eventually
from tests.support.cases import make_team, ok, settle
from tests.support.disclosure import issue
from tests.support.units import units_of

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgres"])
async def local(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stack]:
    """The stack on the in-process bus, on each database: the versions and releases are numbered in SQL."""
    config = StackConfig(database=request.param, transport="inprocess", data_dir=tmp_path)
    if request.param == "postgres":
        config.postgres = request.getfixturevalue("postgres")
    async with Stack(config) as running:
        yield running


LISTS = "/api/v1/disclosure/enforcement-lists"
AUTHORITY = [
    {"item": "对超标排放大气污染物的行政处罚", "kind": "行政处罚", "legal_basis": "《大气污染防治法》第九十九条"},
    {"item": "查封、扣押造成污染物排放的设施、设备", "kind": "行政强制", "legal_basis": "《环境保护法》第二十五条"},
]


async def public_officers(client: httpx.AsyncClient, **params: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await ok(await client.get("/public/v1/officers", params=params)))["items"]
    return items


async def test_the_officer_list_follows_the_register(stack: Stack) -> None:
    async with stack.client("cases", "head") as head, stack.client("disclosure") as public:
        team = await make_team(head)
        leaving = team.investigators[0]
        registered = {
            o["id"]: o for o in await ok(await head.get("/api/v1/cases/officers", params={"team_id": team.id}))
        }

        async def all_listed() -> list[dict[str, Any]] | None:
            listed = [o for o in await public_officers(public) if o["team"] == team.name]
            return listed if len(listed) == 4 else None

        listed = await eventually(all_listed)
        assert {o["credential_number"] for o in listed} == {o["credential_number"] for o in registered.values()}
        assert set(listed[0]) == {
            "name",
            "credential_number",
            "unit",
            "team",
            "credential_valid_from",
            "credential_valid_until",
            "status",
        }
        assert {o["unit"] for o in listed} == {"天津市西青区生态环境局"}

        renewed = await head.get(f"/api/v1/cases/officers/{leaving}")
        backwards = await head.patch(
            f"/api/v1/cases/officers/{leaving}",
            json={"credential_valid_from": "2021-01-01", "credential_valid_until": "2020-12-31"},
            headers={"If-Match": renewed.headers["ETag"]},
        )
        assert backwards.status_code == 422, backwards.text
        changed = await head.patch(
            f"/api/v1/cases/officers/{leaving}",
            json={"credential_valid_from": "2016-01-01", "credential_valid_until": "2020-12-31"},
            headers={"If-Match": renewed.headers["ETag"]},
        )
        assert (await ok(changed))["credential_valid_from"] == "2016-01-01"
        gone = await head.post(
            f"/api/v1/cases/officers/{leaving}/deactivation", headers={"If-Match": changed.headers["ETag"]}
        )
        await ok(gone)
        number = registered[leaving]["credential_number"]

        async def left() -> bool:
            return number not in {o["credential_number"] for o in await public_officers(public)}

        await eventually(left)
        changes = (await ok(await public.get("/public/v1/officers/changes")))["items"]
        mine = [c["change"] for c in changes if c["credential_number"] == number]
        assert mine == ["deactivated", "changed", "registered"]
        renewal = next(c for c in changes if c["change"] == "changed" and c["credential_number"] == number)
        assert (renewal["credential_valid_from"], renewal["credential_valid_until"]) == ("2016-01-01", "2020-12-31")
        yesterday = date.fromordinal(local_today("Asia/Shanghai").toordinal() - 1).isoformat()
        assert [o for o in await public_officers(public, as_of=yesterday) if o["team"] == team.name] == []

        page = await public.get("/portal/officers")
        assert page.status_code == 200
        assert registered[team.investigators[1]]["credential_number"] in page.text
        assert "停用" in page.text
        assert number in page.text
        assert "2016-01-01 至 2020-12-31" in page.text  # the renewal in the history, with its valid period
        await settle(stack)


def _record(
    cls: Any,
    officer_id: str,
    version: int,
    *,
    active: bool = True,
    until: date | None = None,
    since: date | None = None,
) -> Any:
    extra = {"credential_valid_from": since} if since else {}  # events sent before it was carried have none
    return cls(
        **extra,
        officer_id=officer_id,
        version=version,
        name="王伟",
        credential_number=f"12{officer_id[:6]}",
        unit="天津市西青区生态环境局",
        team="执法一队",
        credential_valid_until=until,
        active=active,
    )


async def test_officer_events_are_applied_once_and_by_version(tmp_path: Path) -> None:
    settings = DisclosureSettings()
    (consumer,) = [s for s in subscriptions(settings, WorkCalendar()) if s.consumer == "disclosure.officers"]
    officer_id = str(uuid.uuid4())
    today = local_today("Asia/Shanghai")
    async with units_of("disclosure", tmp_path) as units:
        first = await units.deliver(consumer, _record(OfficerRegisteredV1, officer_id, 1), subject=officer_id)
        await units.redeliver(consumer, first)  # the same event again: kept once
        # Deactivation overtook the change: the list folds by version, so the officer stays off the list.
        await units.deliver(consumer, _record(OfficerDeactivatedV1, officer_id, 3, active=False), subject=officer_id)
        await units.deliver(
            consumer, _record(OfficerChangedV1, officer_id, 2, until=date(2020, 1, 1)), subject=officer_id
        )
        async with units() as uow:
            listed = await officers_public.officer_list(uow, as_of=today, timezone="Asia/Shanghai")
            changes = await officers_public.officer_changes(uow, timezone="Asia/Shanghai", limit=10)
    assert listed.items == []
    assert sorted(c.change for c in changes) == ["changed", "deactivated", "registered"]


async def test_an_expired_credential_is_listed_as_expired(tmp_path: Path) -> None:
    settings = DisclosureSettings()
    (consumer,) = [s for s in subscriptions(settings, WorkCalendar()) if s.consumer == "disclosure.officers"]
    officer_id = str(uuid.uuid4())
    async with units_of("disclosure", tmp_path) as units:
        await units.deliver(consumer, _record(OfficerRegisteredV1, officer_id, 1, until=date(2021, 6, 30)), subject="x")
        async with units() as uow:
            listed = await officers_public.officer_list(
                uow, as_of=local_today("Asia/Shanghai"), timezone="Asia/Shanghai"
            )
    assert [(o.credential_number, o.status) for o in listed.items] == [(f"12{officer_id[:6]}", "expired")]


async def test_a_credential_is_listed_with_its_valid_period(tmp_path: Path) -> None:
    """The period from–to as the register sends it; before its first day the list says so (尚未生效)."""
    settings = DisclosureSettings()
    (consumer,) = [s for s in subscriptions(settings, WorkCalendar()) if s.consumer == "disclosure.officers"]
    officer_id = str(uuid.uuid4())
    today = local_today("Asia/Shanghai")
    since, until = today + timedelta(days=30), today + timedelta(days=5 * 365)
    record = _record(OfficerRegisteredV1, officer_id, 1, since=since, until=until)
    assert (
        OfficerRegisteredV1.model_validate(record.model_dump(exclude={"credential_valid_from"})).credential_valid_from
        is None
    )
    async with units_of("disclosure", tmp_path) as units:
        await units.deliver(consumer, record, subject=officer_id)
        async with units() as uow:
            now = await officers_public.officer_list(uow, as_of=today, timezone="Asia/Shanghai")
            changes = await officers_public.officer_changes(uow, timezone="Asia/Shanghai", limit=10)
    (listed,) = now.items
    assert (listed.credential_valid_from, listed.credential_valid_until, listed.status) == (
        since,
        until,
        "not_yet_valid",
    )
    assert (changes[0].credential_valid_from, changes[0].credential_valid_until) == (since, until)


async def test_a_list_is_published_in_versions(local: Stack) -> None:
    async with (
        local.client("disclosure", "disclosure_editor") as editor,
        local.client("disclosure", "officer") as officer,
        local.client("disclosure") as public,
    ):
        empty = await editor.get(f"{LISTS}/authority-list")
        assert (await ok(empty))["version"] == 0
        assert (await public.get("/public/v1/enforcement-lists/authority-list")).status_code == 404
        body = {"items": AUTHORITY[:1], "note": "首次发布"}
        assert (await editor.put(f"{LISTS}/authority-list", json=body)).status_code == 428
        assert (await officer.put(f"{LISTS}/authority-list", json=body)).status_code == 403
        first = await editor.put(f"{LISTS}/authority-list", json=body, headers={"If-Match": empty.headers["ETag"]})
        assert (await ok(first))["version"] == 1
        stale = await editor.put(f"{LISTS}/authority-list", json=body, headers={"If-Match": empty.headers["ETag"]})
        assert stale.status_code == 412, stale.text
        bad = await editor.put(
            f"{LISTS}/authority-list",
            json={"items": [{**AUTHORITY[0], "phone": "13800000000"}]},
            headers={"If-Match": first.headers["ETag"]},
        )
        assert bad.status_code == 422, bad.text
        second = await editor.put(
            f"{LISTS}/authority-list",
            json={"items": AUTHORITY, "note": "增加行政强制事项"},
            headers={"If-Match": first.headers["ETag"]},
        )
        assert (await ok(second))["version"] == 2

        current = await ok(await public.get("/public/v1/enforcement-lists/authority-list"))
        assert (current["version"], current["items"]) == (2, AUTHORITY)
        earlier = await ok(await public.get("/public/v1/enforcement-lists/authority-list", params={"version": 1}))
        assert earlier["items"] == AUTHORITY[:1]
        history = await ok(await public.get("/public/v1/enforcement-lists/authority-list/versions"))
        assert [(v["version"], v["items"]) for v in history["items"]] == [(2, 2), (1, 1)]
        missing = await public.get("/public/v1/enforcement-lists/authority-list", params={"version": 3})
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")

        page = await public.get("/portal/enforcement-lists/authority-list")
        assert "行政执法权责清单" in page.text
        assert "查封、扣押造成污染物排放的设施、设备" in page.text
        old = await public.get("/portal/enforcement-lists/authority-list", params={"version": 1})
        assert "这是历史版本" in old.text
        assert (await public.get("/portal/enforcement-lists/nothing")).status_code == 404


async def test_quarterly_statistics_are_published_from_the_cases_figures(local: Stack) -> None:
    year = local_today("Asia/Shanghai").year - 1
    for day in ("02-03", "03-15", "05-20"):
        await issue(local, decision_body(kind="penalty", decided_on=f"{year}-{day}", fine_fen=1_000_000))
    async with local.client("disclosure", "disclosure_editor") as editor, local.client("disclosure") as public:
        first = await ok(await editor.post(f"/api/v1/disclosure/enforcement-statistics/{year}/Q1"))
        assert first["title"] == f"{year}年第一季度行政执法统计"
        assert first["statistics"]["decisions_by_kind"]["penalty"] == 2
        assert first["statistics"]["quarter"] == 1
        whole = await ok(await editor.post(f"/api/v1/disclosure/enforcement-statistics/{year}/year"))
        assert whole["statistics"]["decisions_by_kind"]["penalty"] == 3
        # The same figures again are no new version; a decision entered late changes them: the next version.
        same = await ok(await editor.post(f"/api/v1/disclosure/enforcement-statistics/{year}/Q1"))
        assert same == first
        await issue(local, decision_body(kind="penalty", decided_on=f"{year}-03-20", fine_fen=1_000_000))
        again = await ok(await editor.post(f"/api/v1/disclosure/enforcement-statistics/{year}/Q1"))
        assert (again["version"], again["statistics"]["decisions_by_kind"]["penalty"]) == (2, 3)
        assert await ok(await editor.post(f"/api/v1/disclosure/enforcement-statistics/{year}/Q1")) == again
        not_over = await editor.post(f"/api/v1/disclosure/enforcement-statistics/{year + 1}/Q4")
        assert not_over.status_code == 409, not_over.text
        early = await editor.post(
            f"/api/v1/disclosure/enforcement-statistics/{year}/Q2", json={"published_on": f"{year}-06-30"}
        )
        assert early.status_code == 422, early.text

        listed = (await ok(await public.get("/public/v1/enforcement-statistics")))["items"]
        assert [(r["year"], r["period"]) for r in listed] == [(year, "year"), (year, "Q1")]
        served = await ok(await public.get(f"/public/v1/enforcement-statistics/{year}/Q1"))
        assert served == again
        assert served["published_on"] == first["published_on"]
        earlier = await public.get(f"/public/v1/enforcement-statistics/{year}/Q1", params={"version": 1})
        assert await ok(earlier) == first
        page = await public.get(f"/portal/statistics/{year}/Q1")
        assert f"{year}年第一季度行政执法统计" in page.text
        assert "30,000.00" in page.text
        assert (await public.get(f"/public/v1/enforcement-statistics/{year}/Q3")).status_code == 404
