"""The public API and portal on one SQLite stack: filters, cursors, caching, CORS, CSV, Atom, editing, amendment,
bulletins, and no personal data in any public response."""

from __future__ import annotations

import json
import random
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from services.cases.domain.identifiers import id_number_check_char
from services.disclosure.handlers.publications import local_today
from services.disclosure.tables import Publication
from shared.audit import history
from shared.contracts.events import BulletinPublishedV1, DecisionAmendedV1, DecisionIssuedV1
from tests.factories import decision_body
from tests.stack import Stack, StackConfig, eventually
from tests.support.disclosure import emit_from_cases, issue, publication_of, published, revoke_through_cases_outbox

pytestmark = pytest.mark.integration

ORIGIN = "https://www.xiqing.gov.cn"


@pytest.fixture
async def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Stack]:
    monkeypatch.setenv("GREENLAW_DISCLOSURE_PUBLISH_MODES", json.dumps({"penalty": "auto"}))
    monkeypatch.setenv("GREENLAW_DISCLOSURE_CORS_ORIGINS", json.dumps([ORIGIN]))
    async with Stack(StackConfig(database="sqlite", transport="inprocess", data_dir=tmp_path)) as running:
        yield running


async def test_filters_cursor_pages_caching_cors_csv_and_atom(local: Stack) -> None:
    today = local_today("Asia/Shanghai").isoformat()
    bodies = [decision_body(decided_on=today) for _ in range(3)]
    bodies[0]["party"]["town"] = "杨柳青镇"
    decisions = [await issue(local, b) for b in bodies]
    await issue(local, decision_body(kind="order_to_correct", decided_on=today))  # pending: never listed
    for decision in decisions:
        await published(local, decision["id"])
    async with local.client("disclosure") as public:
        first = await public.get("/public/v1/decisions", params={"limit": 2})
        assert first.headers["cache-control"] == "public, max-age=60"
        second = await public.get("/public/v1/decisions", params={"limit": 2, "cursor": first.json()["next_cursor"]})
        assert second.json()["next_cursor"] is None
        ids = [i["id"] for i in first.json()["items"] + second.json()["items"]]
        assert len(set(ids)) == 3
        again = await public.get(
            "/public/v1/decisions", params={"limit": 2}, headers={"If-None-Match": first.headers["etag"]}
        )
        assert again.status_code == 304

        async def count(**params: str) -> int:
            return len((await public.get("/public/v1/decisions", params=params)).json()["items"])

        assert await count(town="杨柳青镇") == 1
        assert await count(credit_code=bodies[1]["party"]["credit_code"]) == 1
        assert await count(q=bodies[2]["party"]["name"][-6:]) == 1
        assert await count(kind="order_to_correct") == 0
        assert await count(to=(local_today("Asia/Shanghai") - timedelta(days=1)).isoformat()) == 0
        assert await count(**{"from": today, "kind": "penalty"}) == 3

        assert (await public.get("/public/v1/decisions", params={"cursor": "%%%"})).status_code == 422
        assert (await public.get("/public/v1/decisions", params={"limit": 101})).status_code == 422

        csv_answer = await public.get("/public/v1/decisions.csv")
        lines = csv_answer.text.lstrip("\ufeff").strip().splitlines()
        assert lines[0].startswith('"编号","决定种类","文书编号"')
        assert len(lines) == 4
        feed = ET.fromstring((await public.get("/public/v1/decisions.atom")).content)
        assert len(feed.findall("{http://www.w3.org/2005/Atom}entry")) == 3

        allowed = await public.get("/public/v1/decisions", headers={"Origin": ORIGIN})
        assert allowed.headers["access-control-allow-origin"] == ORIGIN
        other = await public.get("/public/v1/decisions", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
        staff = await public.get("/api/v1/disclosure/due-date", headers={"Origin": ORIGIN})
        assert "access-control-allow-origin" not in staff.headers


async def test_editor_cannot_silently_unredact(local: Stack) -> None:
    decision = await issue(local, decision_body(decided_on=local_today("Asia/Shanghai").isoformat()))
    publication = await published(local, decision["id"])
    url = f"/api/v1/disclosure/publications/{publication['id']}"
    async with local.client("disclosure", "disclosure_editor") as editor:
        etag = (await editor.get(url)).headers["etag"]
        facts = "当事人超标排放，联系电话13912345678。"
        assert (await editor.patch(url, json={"facts": facts})).status_code == 428
        refused = await editor.patch(url, json={"facts": facts}, headers={"If-Match": etag})
        assert refused.status_code == 422
        assert refused.json()["type"] == "urn:greenlaw:problem:unredaction-needs-reason"
        assert refused.json()["fields"] == {"facts": ["phone"]}
        reason = "当事人为个体工商户，该号码为其对外公开的经营电话"
        edited = await editor.patch(url, json={"facts": facts, "unredact_reason": reason}, headers={"If-Match": etag})
        assert edited.status_code == 200, edited.text
        stale = await editor.patch(url, json={"facts": "改"}, headers={"If-Match": etag})
        assert stale.status_code == 412
    async with local.client("disclosure") as public:
        assert (await public.get(f"/public/v1/decisions/{publication['id']}")).json()["facts"] == facts
    async with local.runtime("disclosure").sessions() as session:
        rows = await history(session, entity_type="publication", entity_id=publication["id"])
    assert json.loads(rows[-1].data)["reason"] == reason


async def test_amended_decision_is_withdrawn_and_republished(local: Stack) -> None:
    today = local_today("Asia/Shanghai")
    decision = await issue(local, decision_body(decided_on=today.isoformat()))
    publication = await published(local, decision["id"])
    async with local.runtime("disclosure").sessions() as session:
        row = await session.get(Publication, publication["id"])
        assert row is not None
        issued = DecisionIssuedV1.model_validate(row.decision)
    new_text = issued.model_copy(update={"facts": "经复核，违法事实更正为超标排放1.5倍。"})
    amended = DecisionAmendedV1(
        decision_id=decision["id"], amended_on=today, reason="违法事实认定有误，予以变更", decision=new_text
    )
    await emit_from_cases(local, amended, decision["id"])
    async with local.client("disclosure") as public:

        async def republished() -> dict[str, Any] | None:
            item = (await public.get(f"/public/v1/decisions/{publication['id']}")).json()
            return item if item.get("facts") == new_text.facts and item["status"] == "published" else None

        await eventually(republished)
        notices = (await public.get("/public/v1/withdrawals")).json()["items"]
        assert [(n["cause"], n["reason"]) for n in notices] == [("amended", "违法事实认定有误，予以变更")]
        portal = await public.get("/portal/withdrawn")
        assert "违法事实认定有误" in portal.text


async def test_bulletins_are_listed_and_served(local: Stack) -> None:
    today = local_today("Asia/Shanghai")
    bulletin = BulletinPublishedV1(
        bulletin_id="b-" + str(random.randrange(10**9)),
        kind="water_monthly",
        period_start=today.replace(day=1),
        period_end=today,
        title="西青区地表水月报",
        summary="96个断面中，达标断面90个。",
        html="<h2>地表水水质</h2><p>总体良好。</p>",
    )
    await emit_from_cases(local, bulletin, bulletin.bulletin_id)  # any service's relay carries it to monitoring.events
    async with local.client("disclosure") as public:

        async def listed() -> list[dict[str, Any]]:
            return list((await public.get("/public/v1/bulletins")).json()["items"])

        [item] = await eventually(listed)
        assert item["title"] == "西青区地表水月报"
        full = (await public.get(f"/public/v1/bulletins/{bulletin.bulletin_id}")).json()
        assert "总体良好" in full["html"]
        page = await public.get(f"/portal/bulletins/{bulletin.bulletin_id}")
        assert "总体良好" in page.text
        assert "script-src 'none'" in page.headers["content-security-policy"]


def _id_number(rng: random.Random) -> str:
    first17 = (
        "120111" + f"{rng.randint(1950, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    )
    return first17 + id_number_check_char(first17)


def _secrets(rng: random.Random) -> dict[str, str]:
    return {
        "id_number": _id_number(rng),
        "phone": f"1{rng.choice('3456789')}{rng.randint(0, 10**9 - 1):09d}",
        "bank": "6222" + "".join(rng.choice("0123456789") for _ in range(15)),
        "address": f"天津市西青区中北镇幸福路{rng.randint(1, 999)}号",
    }


async def test_no_public_response_carries_personal_data(local: Stack) -> None:
    """Acceptance: parties and facts with ID numbers, phones, bank accounts → JSON, CSV, Atom, portal all clean."""
    rng = random.Random()
    today = local_today("Asia/Shanghai").isoformat()
    planted: list[dict[str, str]] = []
    ids = []
    for _ in range(3):
        found = _secrets(rng)
        body = decision_body(decided_on=today)
        body["party"] = {
            "party_type": "individual",
            "name": "李" + rng.choice("明华强军"),
            "id_number": found["id_number"],
            "address": found["address"],
            "town": "中北镇",
        }
        body["facts"] = (
            f"当事人（身份证号{found['id_number']}，住{found['address']}，手机{found['phone']}）"
            f"私设暗管排放废水，违法所得存入其银行账户{found['bank']}。"
        )
        body["penalty"]["summary"] = f"罚款，当事人联系电话{found['phone']}"
        decision = await issue(local, body)
        ids.append((await published(local, decision["id"]))["id"])
        planted.append(found)
    async with local.client("disclosure") as public:
        pages = [
            await public.get("/public/v1/decisions"),
            await public.get("/public/v1/decisions.csv"),
            await public.get("/public/v1/decisions.atom"),
            await public.get("/portal/"),
            *[await public.get(f"/public/v1/decisions/{i}") for i in ids],
            *[await public.get(f"/portal/decisions/{i}") for i in ids],
        ]
    for answer in pages:
        assert answer.status_code == 200
        digits = re.sub(r"\D", "", answer.text)
        for found in planted:
            for value in found.values():
                assert value not in answer.text, (answer.request.url, value)
            assert found["id_number"][:17] not in digits
            assert found["bank"] not in digits


async def test_staff_lists_need_a_staff_token(local: Stack) -> None:
    async with local.client("disclosure") as anonymous:
        assert (await anonymous.get("/api/v1/disclosure/deadlines/overdue")).status_code == 401
    async with local.client("disclosure", token=local.police_token()) as police:
        assert (await police.get("/api/v1/disclosure/credit-china/records")).status_code == 403


async def test_revoked_before_publication_leaves_no_public_trace(local: Stack) -> None:
    decision = await issue(local, decision_body(kind="order_to_correct"))  # waits for the editor
    await revoke_through_cases_outbox(local, decision, "决定书文号错误，重新作出")
    async with local.client("disclosure", "disclosure_editor") as editor, local.client("disclosure") as public:

        async def withdrawn() -> dict[str, Any] | None:
            found = await publication_of(editor, decision["id"])
            return found if found and found["status"] == "withdrawn" else None

        staff_view = await eventually(withdrawn)
        assert staff_view["withdrawal_reason"] == "决定书文号错误，重新作出"
        assert (await public.get(f"/public/v1/decisions/{staff_view['id']}")).status_code == 404
        assert (await public.get("/public/v1/withdrawals")).json()["items"] == []
        read = await editor.get(f"/api/v1/disclosure/publications/{staff_view['id']}")
        late = await editor.post(
            f"/api/v1/disclosure/publications/{staff_view['id']}/publish", headers={"If-Match": read.headers["etag"]}
        )
        assert late.status_code == 409
        assert late.json()["type"] == "urn:greenlaw:problem:publication-not-pending"


async def test_public_lists_are_documented_as_the_objects_they_send(local: Stack) -> None:
    """Found by API fuzzing: withdrawals and bulletins send ``{"items": [...]}`` but were documented as arrays."""
    document = local.apps["disclosure"].openapi()
    schemas = document["components"]["schemas"]
    for path, model in [("/public/v1/withdrawals", "PublicNoticeList"), ("/public/v1/bulletins", "PublicBulletinList")]:
        answer = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert answer == {"$ref": f"#/components/schemas/{model}"}
        assert schemas[model]["required"] == ["items"]
        async with local.client("disclosure") as anonymous:
            assert set((await anonymous.get(path)).json()) == {"items"}


async def test_portal_report_year_out_of_range_is_a_problem(local: Stack) -> None:
    """Found by API fuzzing: a year too large for the database was a 500 on the portal page."""
    async with local.client("disclosure") as anonymous:
        for year in ("26121702000660520472936448", "1999"):
            answer = await anonymous.get(f"/portal/reports/{year}")
            assert answer.status_code == 422, answer.text
            assert answer.headers["content-type"].startswith("application/problem+json")
        assert (await anonymous.get("/portal/reports/2099")).status_code == 404


async def test_the_staff_list_shows_the_newest_publication_first_and_pages_through_all(local: Stack) -> None:
    decisions = [await issue(local, decision_body(kind="order_to_correct", decided_on="2021-09-28")) for _ in range(3)]
    async with local.client("disclosure", "disclosure_editor") as editor:

        async def opened() -> list[dict[str, Any]] | None:
            items = (await editor.get("/api/v1/disclosure/publications", params={"limit": 100})).json()["items"]
            return items if {d["id"] for d in decisions} <= {i["decision_id"] for i in items} else None

        everything = await eventually(opened)
        assert everything[0]["decision_id"] == decisions[-1]["id"]
        seen: list[str] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
            page = (await editor.get("/api/v1/disclosure/publications", params=params)).json()
            seen += [item["id"] for item in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert seen == [item["id"] for item in everything]
        pending = await editor.get("/api/v1/disclosure/publications", params={"status": "pending", "limit": 1})
        assert pending.json()["items"][0]["decision_id"] == decisions[-1]["id"]
        assert (
            await editor.get("/api/v1/disclosure/publications", params={"cursor": "bm90LWEtY3Vyc29y"})
        ).status_code == 422
