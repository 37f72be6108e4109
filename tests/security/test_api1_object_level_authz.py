"""API1:2023 Broken Object Level Authorization, through the gateway: every object route of every service × its
owner, the same role in another team (unit, station), and another role.

Each service declares who owns its objects (``services/<service>/access.py``, checked by ``shared.ownership``).
The matrix below is written out by hand, not read from those declarations. For each operation it names the owner
(who must get past the object check: no 401/403/404, and a list shows the owned object), the peer (the same role,
another team, police unit or station) and what the peer gets, and another role (403). The peer gets:

- ``404``: the object is hidden, exactly as if it did not exist;
- ``absent``: a list answers, without the owned object;
- ``422``: a write naming the object refuses it as unknown (a consultation linking another team's referral, a
  station pushing another station's readings);
- ``same``: the object has no owner inside the bureau (a register, a publication, a station): the peer gets what
  the owner gets.

Writes guarded by ``If-Match`` are probed with a stale ETag: the owner gets 412 (past the object check, nothing
changes), a stranger 404. A test walks the gateway's OpenAPI so a route added later without a row fails.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import httpx
import pytest

from tests.stack import eventually
from tests.support.cases import decision_for, file_case, make_team, ok, step
from tests.support.referral import now_iso, requested, transfer
from tests.support.system import System, assert_problem

pytestmark = pytest.mark.integration

UNIT_A, UNIT_B = "西青公安分局", "北辰公安分局"
NOBODY = "00000000-0000-4000-8000-000000000000"
STALE = {"If-Match": '"0"'}
PDF = b"%PDF-1.4 matrix"


@dataclass
class World:
    """The objects the matrix addresses, all made through the API; ``ids`` fills the path parameters."""

    team_x: str
    team_y: str
    ids: dict[str, str]
    stations: dict[str, tuple[str, str]] = field(default_factory=dict)  # name → (code, password)


async def _decided_case(head: httpx.AsyncClient, team: Any) -> tuple[dict[str, Any], str, str, str]:
    """A case of ``team`` walked to its decision, with evidence preserved while it was investigated: (case,
    decision id, review meeting id, preservation id)."""
    case = await file_case(head, team)
    case = await step(head, case, to="investigating", on="2021-06-02")
    kept = {"items": ["水样1瓶"], "place": "厂区", "preserved_on": "2021-06-02", "head_approval": True}
    preservation = await ok(await head.post(f"/api/v1/cases/{case['id']}/preservations", json=kept), 201)
    case = await step(head, case, to="review", on="2021-07-01", reviewer_id=team.reviewer)
    notice = {"fine_fen": 60_000_000}
    case = await step(head, case, to="notice", on="2021-07-02", proposed=notice, notice_received_on="2021-07-02")
    case = await step(
        head, case, to="legal_review", on="2021-07-12", legal_reviewer_id=team.legal, legal_opinion="agree"
    )
    meeting_body = {
        "held_on": "2021-07-14",
        "attendees": [
            {"name": "局长", "role": "主持"},
            {"name": "法制科长", "role": "法制审核"},
            {"name": "律师", "role": "法律顾问", "legal_counsel": True},
        ],
        "items": [{"case_id": case["id"], "outcome": "同意"}],
        "minutes": "同意处罚意见。",
    }
    meeting = await ok(await head.post("/api/v1/cases/review-meetings", json=meeting_body), 201)
    case = await step(head, case, to="collective_discussion", on="2021-07-14", meeting_id=meeting["id"])
    body = decision_for(case, fine_fen=60_000_000, decided_on="2021-07-15")
    decision = await ok(await head.post("/api/v1/cases/decisions", json=body), 201)
    return case, decision["id"], meeting["id"], preservation["id"]


REFERRAL_BODY = {
    "offence": "污染环境罪",
    "medium": "water",
    "summary": "通过暗管排放含镍废水。",
    "police_unit": UNIT_A,
    "package_items": ["移送函", "调查报告"],
    "approved_on": "2021-07-16",
}


async def _referral_of_case(system: System, head: httpx.AsyncClient, case_id: str) -> dict[str, Any]:
    await ok(await head.post(f"/api/v1/cases/{case_id}/referrals", json=REFERRAL_BODY), 201)

    async def created() -> dict[str, Any] | None:
        listed = await head.get("/api/v1/referral/referrals", params={"case_id": case_id})
        items: list[dict[str, Any]] = listed.json()["items"]
        return items[0] if items else None

    found: dict[str, Any] = await eventually(created)
    return found


async def _station(reviewer: httpx.AsyncClient, password: str) -> str:
    code = f"ST{uuid.uuid4().hex[:10].upper()}"
    body = {"code": code, "kind": "water_section", "name": "测试断面", "town": "杨柳青镇", "level": "district"}
    body |= {"water_body": "river", "target_class": "III", "parameters": ["cod"], "password": password}
    await ok(await reviewer.post("/api/v1/monitoring/stations", json=body), 201)
    return code


async def _random_inspection_objects(head: httpx.AsyncClient, party_id: str, officer_id: str) -> dict[str, str]:
    """The case's party in the registry, an officer's leave and a committed draw: (entity, exclusion, draw) ids."""
    party = await ok(await head.get(f"/api/v1/cases/parties/{party_id}"))
    registry = f"credit_code,category\r\n{party['credit_code']},ordinary\r\n"
    csv = {"Content-Type": "text/csv"}
    await ok(await head.post("/api/v1/cases/supervised-entities:import", content=registry, headers=csv))
    entities = await ok(await head.get("/api/v1/cases/supervised-entities", params={"limit": 100}))
    leave = {"officer_id": officer_id, "kind": "leave", "reason": "年休假", "starts_on": "2099-03-01"}
    exclusion = await ok(await head.post("/api/v1/cases/inspector-exclusions", json=leave), 201)
    body = {"category": "special", "period": "month", "year": 2099, "period_number": 1, "count": 0}
    made = await head.post("/api/v1/cases/inspection-draws", json=body)
    draw_id = made.json()["existing_draw_id" if made.status_code == 409 else "id"]
    entity_id = next(e["id"] for e in entities["items"] if e["party_id"] == party_id)
    rate = {
        "effective_from": "2100-12-31",
        "rates": {"special": {"per": "year", "proportion": "1"}},
        "basis": "测试方案",
    }
    made_rate = await head.post("/api/v1/cases/inspection-rates", json=rate)
    rates = await ok(await head.get("/api/v1/cases/inspection-rates"))
    rate_id = made_rate.json()["id"] if made_rate.status_code == 201 else rates["items"][-1]["id"]
    return {"entity_id": entity_id, "exclusion_id": exclusion["id"], "draw_id": draw_id, "rate_id": rate_id}


@pytest.fixture(scope="module")
async def world(system: System) -> World:
    async with system.client(system.staff_token("head", subject="matrix-head")) as head:
        team_x, team_y = await make_team(head), await make_team(head)
        case, decision_id, meeting_id, preservation_id = await _decided_case(head, team_y)
        lead = await ok(await head.get(f"/api/v1/cases/leads/{case['lead_id']}"))
        referral = await _referral_of_case(system, head, case["id"])
        assert referral["team"] == team_y.name  # cases sent its team with the request
        photo = {"params": EVIDENCE, "content": b"\xff\xd8 photo", "headers": {"Content-Type": "image/jpeg"}}
        evidence = await ok(await head.post(f"/api/v1/cases/{case['id']}/evidence", **photo), 201)
        random_inspection = await _random_inspection_objects(head, case["party_id"], team_x.investigators[0])
    ids = {
        "case_id": case["id"],
        "stop_id": NOBODY,
        "preservation_id": preservation_id,
        "evidence_id": evidence["id"],
        "referral_request_id": referral["request_id"],
        "team_id": team_x.id,
        "decision_id": decision_id,
        "party_id": case["party_id"],
        "officer_id": team_x.investigators[0],
        "inspection_id": lead["inspection_id"],
        "lead_id": lead["id"],
        "meeting_id": meeting_id,
        **random_inspection,
        "referral_id": referral["id"],
        "year": "2021",
        "period": "Q1",
        "town": "杨柳青镇",
        "bulletin_id": NOBODY,
        "record_id": NOBODY,
        "username": f"nobody-{uuid.uuid4().hex[:8]}",
        "client_id": f"nobody-{uuid.uuid4().hex[:8]}",
    }
    owner = system.staff_token("officer", subject="officer-y", team=team_y.name)
    async with system.client(owner) as officer:
        files = {"file": ("调查报告.pdf", PDF, "application/pdf")}
        document = await ok(
            await officer.post(f"/api/v1/referral/referrals/{referral['id']}/documents", files=files), 201
        )
        await ok(await transfer(officer, referral["id"], transfer_letter_number="西青环移〔2021〕1号"))
        ids["document_id"] = document["id"]
    late = await requested(system.stack, team=team_y.name, approved_at=datetime.now(UTC) - timedelta(hours=30))
    ids["late_referral_id"] = late.id
    async with system.client(system.staff_token("head")) as head:
        deliveries = await ok(
            await head.get("/api/v1/referral/procuratorate-deliveries", params={"referral_id": referral["id"]})
        )
        ids["delivery_id"] = deliveries[0]["id"]
        consultation = {**CONSULTATION, "referral_ids": [referral["id"]]}
        ids["consultation_id"] = (await ok(await head.post("/api/v1/referral/consultations", json=consultation), 201))[
            "id"
        ]

        async def published() -> str | None:
            items = (await head.get("/api/v1/disclosure/publications", params={"limit": 100})).json()["items"]
            return next((p["id"] for p in items if p.get("decision_id") == decision_id), None)

        ids["publication_id"] = await eventually(published)
        lecture = {"kind": "lecture", "subject": "民法典", "occurred_on": "2021-07-08"}
        ids["activity_id"] = (await ok(await head.post("/api/v1/disclosure/law-activities", json=lecture), 201))["id"]
    found = World(team_x.name, team_y.name, ids)
    async with system.client(system.staff_token("monitoring_reviewer")) as reviewer:
        for name in ("station_a", "station_b"):
            password = f"pw-{uuid.uuid4().hex[:12]}"
            found.stations[name] = (await _station(reviewer, password), password)
        enterprise = {"code": f"E{uuid.uuid4().hex[:10].upper()}", "name": "天津某化工有限公司", "town": "大寺镇",
                      "industry": "化学原料和化学制品制造业"}  # fmt: skip
        ids["enterprise_code"] = (
            await ok(await reviewer.post("/api/v1/monitoring/enterprises", json=enterprise), 201)
        )["code"]
        ids["outlet_code"] = "DW001"  # not registered: the limit route's owner gets past the checks to a 404
    ids["code"] = found.stations["station_a"][0]
    return found


CONSULTATION = {
    "held_on": "2021-07-20",
    "participants": ["区生态环境局 张科长", "西青公安分局 李队长"],
    "topic": "镍超标案件证据固定",
    "outcome": "补充监测报告后移送",
}


# --- the callers -------------------------------------------------------------------------------------------------


def headers_for(system: System, world: World, caller: str) -> dict[str, str]:
    if caller.startswith("station_"):
        code, password = world.stations[caller]
        return {"Authorization": "Basic " + base64.b64encode(f"{code}:{password}".encode()).decode()}
    tokens = {
        "officer_y": lambda: system.staff_token("officer", subject="officer-y", team=world.team_y),
        "officer_x": lambda: system.staff_token("officer", subject="officer-x", team=world.team_x),
        "head_x": lambda: system.staff_token("head", subject="head-x", team=world.team_x),
        "editor": lambda: system.staff_token("disclosure_editor", subject="editor"),
        "reviewer": lambda: system.staff_token("monitoring_reviewer", subject="reviewer"),
        "legal": lambda: system.staff_token("legal_reviewer", subject="legal"),
        "admin": lambda: system.staff_token("admin", subject="matrix-admin"),
        "police_a": lambda: system.police_token(UNIT_A, subject="xiqing"),
        "police_b": lambda: system.police_token(UNIT_B, subject="beichen"),
    }
    return {"Authorization": f"Bearer {tokens[caller]()}"}


# --- the matrix --------------------------------------------------------------------------------------------------

Probe = Callable[[World], dict[str, Any]]
PeerGets = Literal["404", "absent", "422", "same"]


def plain(**params: str) -> Probe:
    return lambda world: {"params": params}


def stale(body: dict[str, Any] | None = None) -> Probe:
    """A write with a stale ETag: past the object check it is a 412 and changes nothing."""
    return lambda world: {"json": body, "headers": STALE} if body is not None else {"headers": STALE}


def send(body: Callable[[World], Any]) -> Probe:
    return lambda world: {"json": body(world)}


@dataclass(frozen=True)
class Row:
    owner: str
    peer: str | None
    other: str
    peer_gets: PeerGets = "404"
    probe: Probe = field(default=plain())
    lists: str | None = None  # the ids key of the object a list must show its owner (and hide from a peer)
    may_be_missing: bool = False  # a shared object these tests do not make: the owner's 404 is the peer's too


def scoped(owner: str, peer: str, other: str, probe: Probe = plain(), **kw: Any) -> Row:
    return Row(owner, peer, other, "404", probe, **kw)


def listed(owner: str, peer: str, other: str, key: str, probe: Probe = plain()) -> Row:
    return Row(owner, peer, other, "absent", probe, lists=key)


def shared(owner: str, peer: str | None, other: str, probe: Probe = plain(), **kw: Any) -> Row:
    return Row(owner, peer, other, "same", probe, **kw)


NOW = datetime.now(UTC).isoformat()
OFFICERS = ("officer_y", "officer_x", "editor")
HEAD_ONLY = ("head_x", None, "officer_y")  # heads reach every team's objects: the head of team X is not a peer
EVIDENCE = {"kind": "photo", "filename": "现场.jpg", "captured_by": "王伟", "captured_at": "2021-06-02T10:00:00+08:00"}

MATRIX: dict[str, Row] = {
    # cases: a case and what hangs from it belong to its team
    "GET /api/v1/cases": listed(*OFFICERS, "case_id", plain(limit="100")),
    "GET /api/v1/cases/{case_id}": scoped(*OFFICERS),
    "POST /api/v1/cases/{case_id}/transitions": scoped(*OFFICERS, stale({"to": "served", "on": "2021-07-16"})),
    "POST /api/v1/cases/{case_id}/clock-stops": scoped(
        *OFFICERS, stale({"reason": "testing", "started_on": "2021-07-16"})
    ),
    "POST /api/v1/cases/{case_id}/clock-stops/{stop_id}/end": scoped(*OFFICERS, stale({"ended_on": "2021-07-17"})),
    "POST /api/v1/cases/{case_id}/extensions": shared(*HEAD_ONLY, stale({"by": "head"})),
    "POST /api/v1/cases/{case_id}/execution": scoped(*OFFICERS, stale({"paid_on": "2021-07-20", "paid_fen": 1})),
    "POST /api/v1/cases/{case_id}/referrals": shared(*HEAD_ONLY, send(lambda w: {**REFERRAL_BODY, "summary": "再次"})),
    "POST /api/v1/cases/{case_id}/evidence": scoped(
        *OFFICERS,
        lambda w: {"params": EVIDENCE, "content": b"\xff\xd8 photo", "headers": {"Content-Type": "image/jpeg"}},
    ),
    "GET /api/v1/cases/{case_id}/evidence": scoped(*OFFICERS),
    "POST /api/v1/cases/{case_id}/evidence/verification": scoped(*OFFICERS),
    "GET /api/v1/cases/{case_id}/history": scoped(*OFFICERS),
    "POST /api/v1/cases/{case_id}/preservations": scoped(
        *OFFICERS,
        send(lambda w: {"items": ["水样1瓶"], "place": "厂区", "preserved_on": "2021-07-16", "head_approval": True}),
    ),
    "GET /api/v1/cases/{case_id}/preservations": scoped(*OFFICERS),
    "GET /api/v1/cases/{case_id}/preservations/{preservation_id}": scoped(*OFFICERS),
    "GET /api/v1/cases/{case_id}/evidence/{evidence_id}": scoped(*OFFICERS),
    "GET /api/v1/cases/{case_id}/referrals/{referral_request_id}": scoped(*OFFICERS),
    "POST /api/v1/cases/{case_id}/preservations/{preservation_id}/disposal": scoped(
        *OFFICERS, stale({"disposed_on": "2021-07-17", "disposal": "release"})
    ),
    "GET /api/v1/cases/decisions/{decision_id}": scoped(*OFFICERS),
    "GET /api/v1/cases/decisions/{decision_id}/document.pdf": scoped(*OFFICERS),
    "GET /api/v1/cases/decisions/{decision_id}/service-receipt.pdf": scoped(*OFFICERS),
    "POST /api/v1/cases/decisions/{decision_id}/service": scoped(
        *OFFICERS, stale({"served_on": "2021-07-16", "method": "direct"})
    ),
    "POST /api/v1/cases/decisions/{decision_id}/revocation": shared(
        *HEAD_ONLY, stale({"revoked_on": "2021-07-20", "reason": "事实不清"})
    ),
    "POST /api/v1/cases/decisions/{decision_id}/amendment": shared(
        *HEAD_ONLY, stale({"amended_on": "2021-07-20", "reason": "文字错误"})
    ),
    "GET /api/v1/cases/parties": shared(*OFFICERS, plain(limit="100")),
    "GET /api/v1/cases/parties/{party_id}": shared(*OFFICERS),
    "GET /api/v1/cases/officers": shared(*OFFICERS),
    "GET /api/v1/cases/officers/{officer_id}": shared(*OFFICERS),
    "GET /api/v1/cases/teams/{team_id}": shared(*OFFICERS),
    "PATCH /api/v1/cases/officers/{officer_id}": shared(*HEAD_ONLY, stale({"legal_qualification": True})),
    "POST /api/v1/cases/officers/{officer_id}/deactivation": shared(*HEAD_ONLY, stale()),
    "GET /api/v1/cases/inspections/{inspection_id}": shared(*OFFICERS),
    "GET /api/v1/cases/leads": shared(*OFFICERS),
    "GET /api/v1/cases/leads/{lead_id}": shared(*OFFICERS),
    "POST /api/v1/cases/leads/{lead_id}/extension": shared(*HEAD_ONLY, stale()),
    "POST /api/v1/cases/leads/{lead_id}/declination": shared(
        *HEAD_ONLY, stale({"reason": "经核查不属实", "decided_on": "2021-06-01"})
    ),
    "GET /api/v1/cases/statistics": shared("officer_y", "officer_x", "reviewer", plain(year="2021")),
    "GET /api/v1/cases/deadlines": listed(*OFFICERS, "case_id", plain(within="366", as_of="2021-07-15")),
    "GET /api/v1/cases/review-meetings/{meeting_id}": shared(*OFFICERS),
    # random inspections: the registry, the pool and the draws are the bureau's, planned bureau-wide
    "GET /api/v1/cases/supervised-entities": shared(*OFFICERS, plain(limit="100")),
    "GET /api/v1/cases/supervised-entities/{entity_id}": shared(*OFFICERS),
    "GET /api/v1/cases/inspector-exclusions": shared(*OFFICERS, plain(start="2099-01-01", end="2099-12-31")),
    "GET /api/v1/cases/inspector-exclusions/{exclusion_id}": shared(*OFFICERS),
    "GET /api/v1/cases/inspector-pool": shared(*OFFICERS),
    "GET /api/v1/cases/inspection-draws": shared(*OFFICERS, plain(limit="100")),
    "GET /api/v1/cases/inspection-draws/{draw_id}": shared(*OFFICERS),
    "POST /api/v1/cases/inspection-draws/{draw_id}/execution": shared(*HEAD_ONLY, stale({})),
    "GET /api/v1/cases/planned-inspections": shared(*OFFICERS, plain(limit="100")),
    "GET /api/v1/cases/inspection-rates": shared(*OFFICERS),
    "GET /api/v1/cases/inspection-rates/{rate_id}": shared(*OFFICERS),
    "PATCH /api/v1/cases/inspection-rates/{rate_id}": shared(*HEAD_ONLY, stale({"confirmed": True})),
    # referral: a referral belongs to its case's team; the police reach what was sent to their unit
    "GET /api/v1/referral/referrals": listed(*OFFICERS, "referral_id", plain(limit="100")),
    "GET /api/v1/referral/referrals/{referral_id}": scoped(*OFFICERS),
    "GET /api/v1/referral/referrals/{referral_id}/transfer-letter.pdf": scoped(*OFFICERS),
    "POST /api/v1/referral/referrals/{referral_id}/transfer": scoped(*OFFICERS, stale({})),
    "POST /api/v1/referral/referrals/{referral_id}/incomplete-notice": scoped(
        *OFFICERS, stale({"notified_at": NOW, "missing_items": ["监测报告"]})
    ),
    "POST /api/v1/referral/referrals/{referral_id}/supplement": scoped(*OFFICERS, stale({"supplemented_at": NOW})),
    "POST /api/v1/referral/referrals/{referral_id}/reconsideration": scoped(
        *OFFICERS, stale({"requested_at": NOW, "reason": "证据充分"})
    ),
    "POST /api/v1/referral/referrals/{referral_id}/supervision": scoped(
        *OFFICERS, stale({"requested_at": NOW, "reason": "复议维持"})
    ),
    "POST /api/v1/referral/referrals/{referral_id}/exhibits-handover": scoped(
        *OFFICERS, stale({"handed_over_at": NOW, "items": ["暗管一段"], "receiver": "李警官"})
    ),
    "POST /api/v1/referral/referrals/{referral_id}/decision-track": scoped(*OFFICERS, stale({"track": "checks"})),
    "POST /api/v1/referral/referrals/{referral_id}/documents": scoped(
        *OFFICERS, lambda w: {"files": {"file": ("补充.pdf", PDF + uuid.uuid4().bytes, "application/pdf")}}
    ),
    "GET /api/v1/referral/referrals/{referral_id}/documents/{document_id}": scoped(*OFFICERS),
    "POST /api/v1/referral/consultations": Row(
        *OFFICERS, "422", send(lambda w: {**CONSULTATION, "referral_ids": [w.ids["referral_id"]]})
    ),
    "GET /api/v1/referral/consultations": listed(*OFFICERS, "consultation_id", plain(limit="100")),
    "GET /api/v1/referral/consultations/{consultation_id}": scoped(*OFFICERS),
    "GET /api/v1/referral/deadlines": listed(*OFFICERS, "late_referral_id"),
    "GET /api/v1/referral/statistics": shared(*OFFICERS, plain(year=str(datetime.now(UTC).year))),
    "GET /api/v1/referral/procuratorate-deliveries": listed(*OFFICERS, "delivery_id"),
    "POST /api/v1/referral/procuratorate-deliveries/{delivery_id}/retry": scoped(*OFFICERS),
    "GET /police/v1/referrals": listed("police_a", "police_b", "officer_y", "referral_id", plain(limit="100")),
    "GET /police/v1/referrals/{referral_id}": scoped("police_a", "police_b", "officer_y"),
    "GET /police/v1/referrals/{referral_id}/documents/{document_id}": scoped("police_a", "police_b", "officer_y"),
    "POST /police/v1/referrals/{referral_id}/receipt": scoped(
        "police_a", "police_b", "officer_y", send(lambda w: {"received_at": now_iso(), "receiver": "李警官"})
    ),
    "POST /police/v1/referrals/{referral_id}/decision": scoped(
        "police_a",
        "police_b",
        "officer_y",
        send(lambda w: {"decision": "declined", "reason": "不构成犯罪", "decided_at": now_iso()}),
    ),
    # disclosure: publications are made to be public; nothing belongs to a team
    "GET /api/v1/disclosure/due-date": shared(
        "officer_y", "officer_x", "reviewer", plain(kind="penalty", decided_on="2021-09-28")
    ),
    "GET /api/v1/disclosure/publications": shared("officer_y", "officer_x", "reviewer", plain(limit="100")),
    "GET /api/v1/disclosure/publications/{publication_id}": shared("officer_y", "officer_x", "reviewer"),
    "PATCH /api/v1/disclosure/publications/{publication_id}": shared("editor", None, "officer_y", stale({})),
    "POST /api/v1/disclosure/publications/{publication_id}/publish": shared("editor", None, "officer_y", stale({})),
    "GET /api/v1/disclosure/publications/{publication_id}/redactions": shared("editor", None, "officer_y"),
    "POST /api/v1/disclosure/publications/{publication_id}/redactions": shared(
        "editor", None, "officer_y", stale({"field": "facts", "start": 0, "end": 1, "reason": "name"})
    ),
    "POST /api/v1/disclosure/publications/{publication_id}/redactions:undo": shared(
        "editor", None, "officer_y", stale({"field": "facts", "start": 0, "unredact_reason": "并非个人信息"})
    ),
    "GET /api/v1/disclosure/deadlines/at-risk": shared("officer_y", "officer_x", "reviewer"),
    "GET /api/v1/disclosure/deadlines/overdue": shared("officer_y", "officer_x", "reviewer"),
    "GET /api/v1/disclosure/statistics/on-time": shared("officer_y", "officer_x", "reviewer", plain(year="2021")),
    "GET /api/v1/disclosure/credit-china/records": shared("editor", None, "officer_y"),
    "GET /api/v1/disclosure/credit-china/records.csv": shared("editor", None, "officer_y"),
    "POST /api/v1/disclosure/credit-china/records/{record_id}/redeliver": shared(
        "editor", None, "officer_y", may_be_missing=True
    ),
    "POST /api/v1/disclosure/annual-reports/{year}": shared("editor", None, "officer_y"),
    "GET /api/v1/disclosure/annual-reports": shared("officer_y", "officer_x", "legal"),
    # before-enforcement publication (事前公开): the bureau's lists, kept by the disclosure desk
    "GET /api/v1/disclosure/enforcement-lists/authority-list": shared("officer_y", "officer_x", "reviewer"),
    "GET /api/v1/disclosure/enforcement-lists/procedures": shared("officer_y", "officer_x", "reviewer"),
    "GET /api/v1/disclosure/enforcement-lists/remedies": shared("officer_y", "officer_x", "reviewer"),
    "GET /api/v1/disclosure/enforcement-lists/random-inspection-items": shared("officer_y", "officer_x", "reviewer"),
    "POST /api/v1/disclosure/enforcement-statistics/{year}/{period}": shared("editor", None, "officer_y"),
    # the rule-of-law register and report are the bureau's: the legal office's, the head's and the desk's
    "GET /api/v1/disclosure/law-activities": shared("legal", None, "officer_y", lists="activity_id"),
    "GET /api/v1/disclosure/law-activities/{activity_id}": shared("legal", None, "officer_y"),
    "PATCH /api/v1/disclosure/law-activities/{activity_id}": shared("legal", None, "officer_y", stale({"note": "改"})),
    "DELETE /api/v1/disclosure/law-activities/{activity_id}": shared("legal", None, "officer_y", stale()),
    "GET /api/v1/disclosure/rule-of-law-reports": shared("legal", None, "officer_y"),
    "POST /api/v1/disclosure/rule-of-law-reports/{year}": shared("legal", None, "officer_y"),
    "GET /api/v1/disclosure/rule-of-law-reports/{year}": shared("editor", None, "officer_y", may_be_missing=True),
    "PATCH /api/v1/disclosure/rule-of-law-reports/{year}": shared(
        "editor", None, "officer_y", stale({"sections": {"plans": "改"}}), may_be_missing=True
    ),
    "POST /api/v1/disclosure/rule-of-law-reports/{year}/figures": shared(
        "legal", None, "officer_y", stale(), may_be_missing=True
    ),
    "POST /api/v1/disclosure/rule-of-law-reports/{year}/approval": shared(
        "head_x", None, "editor", stale(), may_be_missing=True
    ),
    "POST /api/v1/disclosure/rule-of-law-reports/{year}/publication": shared(
        "editor", None, "officer_y", stale(), may_be_missing=True
    ),
    # monitoring: staff objects are shared; a station writes only its own readings
    "GET /api/v1/monitoring/stations": shared("reviewer", "officer_x", "legal"),
    "GET /api/v1/monitoring/stations/{code}": shared("reviewer", "officer_x", "legal"),
    "PUT /api/v1/monitoring/stations/{code}": shared("reviewer", None, "officer_y", stale({"name": "改名"})),
    "DELETE /api/v1/monitoring/stations/{code}": shared("reviewer", None, "officer_y", stale()),
    "GET /api/v1/monitoring/stations/{code}/aqi": shared("reviewer", "officer_x", "legal", plain(day="2021-05-01")),
    "GET /api/v1/monitoring/stations/{code}/water-class": shared(
        "reviewer", "officer_x", "legal", plain(month="2021-05")
    ),
    "GET /api/v1/monitoring/stations/{code}/noise": shared("reviewer", "officer_x", "legal", plain(day="2021-05-01")),
    "POST /api/v1/monitoring/readings:batch": Row(
        "station_a",
        "station_b",
        "officer_y",
        "422",
        send(lambda w: [_reading(w.stations["station_a"][0])]),
    ),
    "GET /api/v1/monitoring/readings": shared(
        "reviewer",
        "officer_x",
        "legal",
        lambda w: {
            "params": {
                "station": w.ids["code"],
                "parameter": "cod",
                "start": "2021-05-01T00:00:00+08:00",
                "end": "2021-05-02T00:00:00+08:00",
            }
        },
    ),
    "GET /api/v1/monitoring/latest": shared("reviewer", "officer_x", "legal"),
    "GET /api/v1/monitoring/reviews": shared("reviewer", "officer_x", "legal"),
    "GET /api/v1/monitoring/exceedances": shared("reviewer", "officer_x", "legal"),
    "GET /api/v1/monitoring/bulletins": shared("reviewer", "officer_x", "legal"),
    "GET /api/v1/monitoring/bulletins/{bulletin_id}": shared("reviewer", "officer_x", "legal", may_be_missing=True),
    "GET /api/v1/monitoring/bulletins/{bulletin_id}/html": shared(
        "reviewer", "officer_x", "legal", may_be_missing=True
    ),
    "POST /api/v1/monitoring/bulletins/{bulletin_id}:publish": shared(
        "reviewer", None, "officer_y", may_be_missing=True
    ),
    "GET /api/v1/monitoring/towns/{town}/aqi": shared("reviewer", "officer_x", "legal", plain(day="2021-05-01")),
    "GET /api/v1/monitoring/noise/measurements": shared("reviewer", "officer_x", "legal", plain(year="2021")),
    "GET /api/v1/monitoring/noise/summary": shared("reviewer", "officer_x", "legal", plain(year="2021")),
    # monitoring: the enterprise register is the bureau's, kept by monitoring staff
    "GET /api/v1/monitoring/enterprises": shared("reviewer", "officer_x", "legal", plain(limit="100")),
    "GET /api/v1/monitoring/enterprises/{enterprise_code}": shared("reviewer", "officer_x", "legal"),
    "PUT /api/v1/monitoring/enterprises/{enterprise_code}": shared(
        "reviewer", None, "officer_y", stale({"name": "改名", "town": "大寺镇", "industry": "纺织业"})
    ),
    "POST /api/v1/monitoring/enterprises/{enterprise_code}/outlets": shared("reviewer", None, "officer_y"),
    "POST /api/v1/monitoring/enterprises/{enterprise_code}/outlets/{outlet_code}/limits": shared(
        "reviewer", None, "officer_y", may_be_missing=True
    ),
    # gateway: accounts belong to the bureau, managed by admins only (the probes name accounts that do not exist)
    "GET /api/v1/admin/users": shared("admin", None, "head_x"),
    "GET /api/v1/admin/clients": shared("admin", None, "head_x"),
    **{
        f"POST /api/v1/admin/{kind}/{{{key}}}/{action}": shared("admin", None, "head_x", may_be_missing=True)
        for kind, key, actions in (
            ("users", "username", ("deactivation", "reactivation", "password-reset", "token-revocation")),
            ("clients", "client_id", ("deactivation", "reactivation", "secret-rotation", "token-revocation")),
        )
        for action in actions
    },
}


def _reading(station: str) -> dict[str, Any]:
    return {"station": station, "parameter": "cod", "time": "2021-05-01T10:00:00+08:00", "value": 18.5,
            "unit": "mg/L", "flag": "N"}  # fmt: skip


def needs_a_row(method: str, path: str) -> bool:
    """Object routes (a path parameter) and every read of the staff and police zones."""
    if not path.startswith(("/api/v1/", "/police/v1/")):
        return False
    return "{" in path or method == "GET"


async def test_every_object_route_has_a_row(system: System) -> None:
    async with system.client() as client:
        document = (await client.get("/openapi.json")).json()
    documented = {
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    wanted = {op for op in documented if needs_a_row(*op.split(" ", 1))}
    assert wanted - set(MATRIX) == set(), "object routes missing from the matrix"
    assert set(MATRIX) - documented == set(), "matrix rows for operations that do not exist"


async def _call(system: System, world: World, operation: str, caller: str) -> httpx.Response:
    method, template = operation.split(" ", 1)
    path = template.format(**world.ids)
    request = MATRIX[operation].probe(world)
    headers = {**headers_for(system, world, caller), **request.pop("headers", {})}
    async with system.client(**headers) as client:
        return await client.request(method, path, **request)


def _shows(response: httpx.Response, world: World, key: str | None) -> bool:
    return key is not None and world.ids[key] in response.text


@pytest.mark.parametrize("operation", sorted(MATRIX))
async def test_only_the_owner_reaches_the_object(system: System, world: World, operation: str) -> None:
    row = MATRIX[operation]
    owner = await _call(system, world, operation, row.owner)
    reached = owner.status_code not in (401, 403, 404) or (row.may_be_missing and owner.status_code == 404)
    assert reached, f"owner {row.owner}: {owner.status_code} {owner.text[:300]}"
    assert owner.status_code < 500, owner.text[:300]
    if row.lists:
        assert _shows(owner, world, row.lists), f"owner {row.owner} does not see its object: {owner.text[:300]}"
    if row.peer is not None:
        peer = await _call(system, world, operation, row.peer)
        assert peer.status_code < 500, peer.text[:300]
        if row.peer_gets == "404":
            assert_problem(peer, 404)
        elif row.peer_gets == "422":
            assert_problem(peer, 422)
        elif row.peer_gets == "absent":
            assert peer.status_code == 200, peer.text[:300]
            assert not _shows(peer, world, row.lists), f"peer {row.peer} sees the owner's object"
        else:
            assert peer.status_code == owner.status_code, f"peer {row.peer}: {peer.status_code} {peer.text[:300]}"
    assert_problem(await _call(system, world, operation, row.other), 403)


# --- the referral of another team, step by step ----------------------------------------------------------------


async def _police_view(system: System, referral_id: str) -> dict[str, Any]:
    async with system.client(system.police_token(UNIT_A, subject="xiqing")) as police:
        view: dict[str, Any] = await ok(await police.get(f"/police/v1/referrals/{referral_id}"))
    return view


async def test_another_teams_officer_cannot_add_to_the_police_package(system: System, world: World) -> None:
    referral_id = world.ids["referral_id"]
    before = await _police_view(system, referral_id)
    content = b"%PDF-1.4 forged " + uuid.uuid4().bytes
    token = system.staff_token("officer", subject="officer-x", team=world.team_x)
    async with system.client(token) as outsider:
        files = {"file": ("伪造.pdf", content, "application/pdf")}
        assert_problem(await outsider.post(f"/api/v1/referral/referrals/{referral_id}/documents", files=files), 404)
        track = await outsider.post(
            f"/api/v1/referral/referrals/{referral_id}/decision-track",
            json={"track": "complex"},
            headers={"If-Match": "*"},
        )
        assert_problem(track, 404)
    after = await _police_view(system, referral_id)
    assert after["documents"] == before["documents"]  # nothing reached the police
    assert [h["seq"] for h in after["history"]] == [h["seq"] for h in before["history"]]
    async with system.client(system.police_token(UNIT_A, subject="xiqing")) as police:
        page = await ok(await police.get("/police/v1/referrals", params={"limit": 100}))
    assert all("伪造.pdf" not in {d["name"] for d in item["documents"]} for item in page["items"])
    async with system.client(system.staff_token("head")) as head:
        seen = await ok(await head.get(f"/api/v1/referral/referrals/{referral_id}"))
    assert seen["decision_track"] == "normal"


async def test_a_referral_without_a_team_is_closed_to_officers(system: System, world: World) -> None:
    """Referrals from before cases sent the team: officers do not reach them, heads do."""
    old = await requested(system.stack, team=None)
    path = f"/api/v1/referral/referrals/{old.id}"
    for team in (world.team_y, None):
        async with system.client(system.staff_token("officer", team=team)) as officer:
            assert_problem(await officer.get(path), 404)
            listed = await ok(await officer.get("/api/v1/referral/referrals", params={"limit": 100}))
            assert old.id not in {item["id"] for item in listed["items"]}
    for role in ("head", "legal_reviewer", "auditor", "admin"):
        async with system.client(system.staff_token(role)) as unscoped:
            assert (await unscoped.get(path)).status_code == 200


async def test_a_consultation_shows_an_officer_only_its_teams_referrals(system: System, world: World) -> None:
    ours, theirs = world.ids["referral_id"], (await requested(system.stack, team=world.team_x)).id
    body = {**CONSULTATION, "referral_ids": [ours, theirs]}
    async with system.client(system.staff_token("head")) as head:
        both = await ok(await head.post("/api/v1/referral/consultations", json=body), 201)
    async with system.client(system.staff_token("officer", team=world.team_y)) as officer:
        listed = await ok(await officer.get("/api/v1/referral/consultations", params={"referral_id": ours}))
        one = await ok(await officer.get(f"/api/v1/referral/consultations/{both['id']}"))
    [shown] = [c for c in listed["items"] if c["id"] == both["id"]]
    assert shown["referral_ids"] == one["referral_ids"] == [ours]
    assert both["referral_ids"] == [ours, theirs]


async def test_a_station_writes_only_its_own_readings(system: System, world: World) -> None:
    station_a = world.stations["station_a"][0]
    intruder = headers_for(system, world, "station_b")
    reading = {**_reading(station_a), "time": "2021-05-03T10:00:00+08:00", "value": 999.0}
    async with system.client(**intruder) as client:
        answer = await client.post("/api/v1/monitoring/readings:batch", json=[reading])
    assert_problem(answer, 422)
    async with system.client(system.staff_token("monitoring_reviewer")) as reviewer:
        params = {"station": station_a, "parameter": "cod", "interval": "hour",
                  "start": "2021-05-03T00:00:00+08:00", "end": "2021-05-04T00:00:00+08:00"}  # fmt: skip
        stored = await ok(await reviewer.get("/api/v1/monitoring/readings", params=params))
    assert stored["items"] == []


# --- the police units (the feed's isolation is covered in depth by tests/integration/test_referral_police_api.py)


async def test_a_police_token_without_a_unit_sees_nothing(system: System, world: World) -> None:
    token = system.stack.police_token(unit="", subject="no-unit")
    async with system.client(token) as client:
        assert_problem(await client.get("/police/v1/referrals"), 403)
        assert_problem(await client.get(f"/police/v1/referrals/{world.ids['referral_id']}"), 403)


async def test_unscoped_roles_reach_every_teams_case_and_referral(system: System, world: World) -> None:
    for role in ("head", "legal_reviewer", "auditor", "admin"):
        async with system.client(system.staff_token(role, team=world.team_x)) as unscoped:
            assert (await unscoped.get(f"/api/v1/cases/{world.ids['case_id']}")).status_code == 200
            assert (await unscoped.get(f"/api/v1/referral/referrals/{world.ids['referral_id']}")).status_code == 200
            assert (await unscoped.get(f"/api/v1/cases/decisions/{world.ids['decision_id']}")).status_code == 200
