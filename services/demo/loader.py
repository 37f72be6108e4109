"""Load the demo plan through the gateway, as the bureau's staff, the police and the stations would: only HTTP
calls and the events they cause. Steps run in date order, so document and case numbers come out in order and the
same seed gives the same numbers; monitoring data goes in alongside (another service, another database)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import structlog

from services.demo import activities
from services.demo import noise as noise_demo
from services.demo.enterprises import (
    EnterprisePlan,
    OutletPlan,
    enterprise_plans,
    import_csv,
    limits_of,
    result_rows,
)
from services.demo.plan import (
    AIR_PARAMETERS,
    AIR_START,
    TEAMS,
    WATER_MONTHS,
    WATER_PARAMETERS,
    CasePlan,
    DemoPlan,
    DrawPlan,
    MeetingPlan,
    Party,
    StandalonePlan,
)
from services.demo.readings import air_rows, water_rows
from shared.http import etag_of
from shared.yamlfile import load_yaml

log = structlog.get_logger()

DEMO_PASSWORD = "greenlaw-demo"  # noqa: S105 - the documented demo accounts' password
POLICE_UNIT = "西青公安分局"
AUTHORITY = "天津市西青区生态环境局"
ATTENDEES = (
    {"name": "局长", "role": "主持"},
    {"name": "分管副局长", "role": "委员"},
    {"name": "法制科科长", "role": "委员"},
    {"name": "执法支队支队长", "role": "委员"},
    {"name": "法律顾问", "role": "列席", "legal_counsel": True},
)
AIR_BATCH_ROWS = 45_000
# 事前公开: the lists as first published, kept as data beside the service that publishes them.
ENFORCEMENT_LISTS = Path(__file__).resolve().parents[1] / "disclosure" / "data" / "enforcement-lists.yaml"


class DemoError(Exception):
    """A call the scenario needs was refused: the answer is in the message."""


class DemoAlreadyLoaded(DemoError):
    """The system already holds data: the demo is only loaded into an empty one."""


@dataclass
class LoadReport:
    seed: int
    seconds: float = 0.0
    calls: int = 0
    created: dict[str, int] = field(default_factory=dict)
    phases: dict[str, float] = field(default_factory=dict)
    # Where the casework stands, for the progress lines: the phase, and steps of the year done out of all.
    phase: str = "starting"
    steps: int = 0
    steps_total: int = 0

    def add(self, name: str, n: int = 1) -> None:
        self.created[name] = self.created.get(name, 0) + n


class Api:
    """The gateway as the demo's people use it: a token per account, back off on 429, follow a 412's ETag."""

    def __init__(self, client: httpx.AsyncClient, report: LoadReport, *, concurrency: int = 1) -> None:
        self.client = client
        self.report = report
        self.tokens: dict[str, str] = {}
        # Requests in flight at once. One: SQLite takes one writer at a time, and on a starved machine parallel
        # writers queue past the gateway's upstream timeout.
        self.gate = asyncio.Semaphore(concurrency)

    async def login(self, username: str, *, police: bool = False) -> None:
        data = (
            {"grant_type": "client_credentials", "client_id": username, "client_secret": DEMO_PASSWORD}
            if police
            else {"grant_type": "password", "username": username, "password": DEMO_PASSWORD}
        )
        answer = await self._send("POST", "/auth/token", data=data)
        if answer.status_code != 200:
            raise DemoError(f"login {username}: {answer.status_code} {answer.text[:300]}")
        self.tokens[username] = answer.json()["access_token"]

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        for _attempt in range(20):
            async with self.gate:
                answer = await self.client.request(method, path, **kwargs)
            self.report.calls += 1
            if answer.status_code != 429:
                return answer
            await asyncio.sleep(float(answer.headers.get("retry-after", "1")))
        raise DemoError(f"{method} {path}: still rate-limited")

    async def call(
        self,
        who: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        etag: str | None = None,
        content: bytes | None = None,
        content_type: str | None = None,
        expect: tuple[int, ...] = (200, 201),
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        if content_type:
            headers["Content-Type"] = content_type
        for _attempt in range(5):
            if etag is not None:
                headers["If-Match"] = etag
            answer = await self._send(method, path, json=json, params=params, headers=headers, content=content)
            if answer.status_code == 412 and etag is not None:
                etag = answer.json().get("current_etag") or etag  # changed by an event meanwhile: take it as read
                continue
            if answer.status_code not in expect:
                raise DemoError(f"{who} {method} {path}: {answer.status_code} {answer.text[:800]}")
            return answer
        raise DemoError(f"{who} {method} {path}: the resource kept changing")

    async def public(self, path: str, params: dict[str, Any] | None = None) -> Any:
        answer = await self._send("GET", path, params=params)
        if answer.status_code != 200:
            raise DemoError(f"GET {path}: {answer.status_code} {answer.text[:300]}")
        return answer.json()


async def eventually(check: Callable[[], Awaitable[Any]], what: str, *, within: float = 120.0) -> Any:
    """Wait for an event's effect (another service consumed it); the in-process bus takes milliseconds."""
    deadline = time.monotonic() + within
    delay = 0.02
    while True:
        found = await check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise DemoError(f"timed out waiting for {what}")
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.5)


def _iso(day: date) -> str:
    return day.isoformat()


def _day(day: date | None) -> date:
    """A step date the plan always sets for this kind of case."""
    if day is None:
        raise DemoError("the plan lacks a step date")
    return day


@dataclass(frozen=True)
class Step:
    day: date
    numbered: bool  # takes a case or document number: runs in date order with the other numbered steps
    order: int  # the case (or standalone decision) it belongs to
    position: int
    work: Callable[[], Awaitable[None]]
    meeting: str | None = None  # the review meeting it needs recorded first


class Loader:
    def __init__(self, api: Api, plan: DemoPlan) -> None:
        self.api = api
        self.plan = plan
        self.report = api.report
        self.parties: dict[str, str] = {}
        self.party_plans: dict[str, Party] = {p.key: p for p in plan.parties}
        self.officers: dict[str, str] = {}
        self.cases: dict[str, tuple[str, str]] = {}  # key → (id, etag)
        self.case_plans: dict[str, CasePlan] = {c.key: c for c in plan.cases}
        self.meetings: dict[str, str] = {}
        self.decisions: dict[str, tuple[str, date]] = {}  # decision id → (kind, planned publication day)

    # ---- registers -------------------------------------------------------------------------------------------

    async def registers(self) -> None:
        teams = {}
        for name in TEAMS:
            answer = await self.api.call("head", "POST", "/api/v1/cases/teams", json={"name": name})
            teams[name] = answer.json()["id"]
        for officer in self.plan.officers:
            body = {
                "name": officer.name,
                "credential_number": officer.credential_number,
                "credential_valid_from": _iso(_day(officer.valid_from)),
                "credential_valid_until": _iso(_day(officer.valid_until)),
                "legal_qualification": officer.legal_qualification,
                "team_id": teams[officer.team] if officer.team else None,
                "subject": officer.subject,
            }
            answer = await self.api.call("head", "POST", "/api/v1/cases/officers", json=body)
            self.officers[officer.key] = answer.json()["id"]
        self.report.add("officers", len(self.officers))

        async def register(party: Party) -> None:
            answer = await self.api.call("officer1", "POST", "/api/v1/cases/parties", json=self._party_body(party))
            self.parties[party.key] = answer.json()["id"]

        await asyncio.gather(*(register(party) for party in self.plan.parties))
        self.report.add("parties", len(self.parties))

    def _party_body(self, party: Party, *, with_id: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {
            "party_type": party.party_type,
            "name": party.name,
            "address": party.address,
            "town": party.town,
        }
        if party.credit_code:
            body["credit_code"] = party.credit_code
        if party.id_number:
            body["id_number"] = party.id_number
        if party.legal_representative:
            body["legal_representative"] = party.legal_representative
        if with_id:
            body["party_id"] = self.parties[party.key]
        return body

    # ---- the year, step by step ------------------------------------------------------------------------------

    def timeline(self) -> list[Step]:
        """Every step of every case and standalone decision, in date order."""
        steps: list[Step] = []
        for index, case in enumerate(self.plan.cases):
            for position, (day, numbered, work) in enumerate(self._case_steps(case)):
                needs = case.meeting if position >= 3 and not numbered and day == self._meeting_day(case) else None
                steps.append(Step(day, numbered, index, position, work, needs))
        for index, item in enumerate(self.plan.standalone):
            steps.append(Step(item.decided_on, True, 10_000 + index, 0, lambda s=item: self.standalone(s)))  # type: ignore[misc]
        return sorted(steps, key=lambda s: (s.day, not s.numbered, s.order, s.position))

    async def run_timeline(self) -> None:
        """Each case runs its steps in order, cases side by side; the numbered steps (filing, decisions) take
        turns in date order, so case and document numbers follow the dates and the seed. A review meeting is
        recorded once its cases are filed, and its cases' next step waits for it."""
        steps = self.timeline()
        self.report.steps_total = len(steps)
        numbered = [s for s in steps if s.numbered]
        turns = {id(s): i for i, s in enumerate(numbered)}
        done = [asyncio.Event() for _ in numbered]
        filed = {c.key: asyncio.Event() for c in self.plan.cases}
        recorded = {m.key: asyncio.Event() for m in self.plan.meetings}
        keys = [c.key for c in self.plan.cases]

        async def chain(members: list[Step]) -> None:
            for step in members:
                if step.meeting is not None:
                    await recorded[step.meeting].wait()
                turn = turns.get(id(step))
                if turn:
                    await done[turn - 1].wait()
                await step.work()
                self.report.steps += 1
                if turn is not None:
                    done[turn].set()
                if step.position == 0 and step.order < len(keys):
                    filed[keys[step.order]].set()

        async def meeting(plan: MeetingPlan) -> None:
            for key in plan.cases:
                await filed[key].wait()
            await self.meeting(plan)
            recorded[plan.key].set()

        chains: dict[int, list[Step]] = {}
        for step in steps:
            chains.setdefault(step.order, []).append(step)
        async with asyncio.TaskGroup() as group:
            for members in chains.values():
                group.create_task(chain(members))
            for plan in self.plan.meetings:
                group.create_task(meeting(plan))

    def _case_steps(self, case: CasePlan) -> list[tuple[date, bool, Callable[[], Awaitable[None]]]]:
        """(day, takes a number, work) of each step of the case."""
        staff = "officer1" if case.team == TEAMS[0] else "head"
        reviewer = self.officers.get(case.reviewer)
        steps: list[tuple[date, bool, Callable[[], Awaitable[None]]]] = [
            (case.received_on, True, lambda: self.lead_and_filing(case)),
            (case.investigating_on, False, lambda: self.move(case, staff, "investigating", case.investigating_on)),
            (case.review_on, False, lambda: self.move(case, staff, "review", case.review_on, reviewer_id=reviewer)),
        ]
        if case.referral is not None:
            referral_day = case.referral.approved_on
            steps.append((referral_day, False, lambda: self.referral(case)))
            transferred_on, closed_on = _day(case.transferred_on), _day(case.closed_on)
            steps.append((transferred_on, False, lambda: self.move(case, "head", "transferred", transferred_on)))
            steps.append((closed_on, False, lambda: self.move(case, "head", "closed", closed_on)))
            return steps
        notice_on, answered_on, legal_on = _day(case.notice_on), _day(case.answered_on), _day(case.legal_on)
        closed_on, held_on = _day(case.closed_on), self._meeting_day(case)
        proposed = {"fine_fen": case.violation.fine_fen}
        legal = {"legal_reviewer_id": self.officers["L0"], "legal_opinion": "agree"}
        meeting = self.meetings.get
        steps += [
            (
                notice_on,
                False,
                lambda: self.move(
                    case, staff, "notice", notice_on, proposed=proposed, notice_received_on=_iso(notice_on)
                ),
            ),
            (
                legal_on,
                False,
                lambda: self.move(
                    case, "legal", "legal_review", legal_on, party_answered_on=_iso(answered_on), **legal
                ),
            ),
            (
                held_on,
                False,
                lambda: self.move(case, staff, "collective_discussion", held_on, meeting_id=meeting(case.meeting)),
            ),
            (_day(case.decided_on), True, lambda: self.decide(case)),
        ]
        if case.paid_on is not None:  # a yellow card carries no fine: nothing to collect before closing
            executing_on = _day(case.executing_on)
            steps.append((executing_on, False, lambda: self.move(case, staff, "executing", executing_on)))
            steps.append((case.paid_on, False, lambda: self.paid(case)))
        steps.append((closed_on, False, lambda: self.move(case, "head", "closed", closed_on)))
        return steps

    def _meeting_day(self, case: CasePlan) -> date:
        return next(m.held_on for m in self.plan.meetings if m.key == case.meeting)

    async def lead_and_filing(self, case: CasePlan) -> None:
        party = self.party_plans[case.party]
        party_id = self.parties[party.key]
        if case.lead_source == "inspection":
            body = {
                "inspected_at": f"{_iso(case.received_on)}T09:30:00+08:00",
                "place": party.address,
                "party_id": party_id,
                "officer_ids": [self.officers[o] for o in case.investigators],
                "findings": f"现场检查发现：{case.violation.facts}",
                "open_lead": True,
            }
            answer = await self.api.call("officer1", "POST", "/api/v1/cases/inspections", json=body)
            lead_id = answer.json()["lead_id"]
            self.report.add("inspections")
        else:
            source = "complaint" if case.lead_source == "complaint" else "monitoring"
            prefix = "12369环保举报热线反映：" if source == "complaint" else "在线监测数据异常："
            body = {
                "source": source,
                "received_on": _iso(case.received_on),
                "summary": prefix + case.violation.facts,
                "party_id": party_id,
                "town": party.town,
            }
            answer = await self.api.call("officer1", "POST", "/api/v1/cases/leads", json=body)
            lead_id = answer.json()["id"]
        self.report.add("leads")
        filing = {
            "lead_id": lead_id,
            "party_id": party_id,
            "filed_on": _iso(case.filed_on),
            "investigator_ids": [self.officers[o] for o in case.investigators],
            "medium": case.violation.medium,
            "summary": case.violation.facts,
            # Every case reaches the review meeting by the bureau's own rule, not by a referral of the head.
            "flags": {"complex_case": case.kind != "penalty"},
        }
        filed = (await self.api.call("head", "POST", "/api/v1/cases", json=filing)).json()
        self.cases[case.key] = (filed["id"], etag_of(filed["id"], filed["version"]))
        self.report.add("cases")

    async def move(self, case: CasePlan, who: str, to: str, on: date, **fields: Any) -> None:
        case_id, etag = self.cases[case.key]
        body = {"to": to, "on": _iso(on), **fields}
        answer = await self.api.call(who, "POST", f"/api/v1/cases/{case_id}/transitions", json=body, etag=etag)
        self.cases[case.key] = (case_id, answer.headers["etag"])

    async def meeting(self, meeting: MeetingPlan) -> None:
        items = []
        for key in meeting.cases:
            case = self.case_plans[key]
            outcome = f"同意{case.violation.penalty_summary}"
            if case.kind == "referral":
                outcome = "涉嫌污染环境犯罪，同意移送公安机关"
            items.append({"case_id": self.cases[key][0], "outcome": outcome, "notes": case.violation.violation_type})
        body = {
            "held_on": _iso(meeting.held_on),
            "attendees": list(ATTENDEES),
            "items": items,
            "minutes": f"{meeting.held_on:%Y年%m月%d日}召开案件审议会，审议案件{len(items)}件，"
            "法律顾问列席并发表意见。",
        }
        answer = await self.api.call("head", "POST", "/api/v1/cases/review-meetings", json=body)
        self.meetings[meeting.key] = answer.json()["id"]
        self.report.add("review_meetings")

    async def decide(self, case: CasePlan) -> None:
        decided_on, published_on = _day(case.decided_on), _day(case.published_on)
        party = self.party_plans[case.party]
        violation = case.violation
        penalty: dict[str, Any] = {"fine_fen": violation.fine_fen, "summary": violation.penalty_summary}
        if case.kind == "yellow_card":
            penalty["other_measures"] = ["责令限制生产"]
        body = {
            "kind": case.kind,
            "case_id": self.cases[case.key][0],
            "decided_on": _iso(decided_on),
            "party": self._party_body(party, with_id=True),
            "facts": violation.facts,
            "legal_basis": violation.legal_basis,
            "violation_type": violation.violation_type,
            "penalty": penalty,
            "evidence_summary": "现场检查笔录、询问笔录、监测报告、现场照片及视频。",
            "discretion": "依据《天津市生态环境行政处罚自由裁量基准》，综合违法情节和整改情况裁量。",
            "statements_adopted": False,
        }
        answer = await self.api.call("head", "POST", "/api/v1/cases/decisions", json=body)
        decision = answer.json()
        decision_id = decision["id"]
        self.decisions[decision_id] = (case.kind, published_on)
        self.report.add(case.kind)
        if case.order_published_on is not None:
            order = {
                **{k: body[k] for k in ("decided_on", "party", "facts", "legal_basis", "violation_type")},
                "kind": "order_to_correct",
                "penalty": {"summary": f"责令{violation.order}"},
                "remarks": "与行政处罚决定同时作出",
            }
            answer = await self.api.call("head", "POST", "/api/v1/cases/decisions", json=order)
            self.decisions[answer.json()["id"]] = ("order_to_correct", case.order_published_on)
            self.report.add("order_to_correct")
        path = f"/api/v1/cases/decisions/{decision_id}"
        etag = etag_of(decision_id, decision["version"])
        service = {"served_on": _iso(_day(case.served_on)), "method": "direct"}
        who = "officer2" if case.team == TEAMS[0] else "head"  # officers serve their own team's decisions only
        await self.api.call(who, "POST", f"{path}/service", json=service, etag=etag)

    async def paid(self, case: CasePlan) -> None:
        case_id, etag = self.cases[case.key]
        body = {"paid_on": _iso(_day(case.paid_on)), "paid_fen": case.violation.fine_fen}
        who = "officer2" if case.team == TEAMS[0] else "head"
        answer = await self.api.call(who, "POST", f"/api/v1/cases/{case_id}/execution", json=body, etag=etag)
        self.cases[case.key] = (case_id, answer.headers["etag"])

    async def standalone(self, item: StandalonePlan) -> None:
        party = self.party_plans[item.party]
        body: dict[str, Any] = {
            "kind": item.kind,
            "decided_on": _iso(item.decided_on),
            "party": self._party_body(party, with_id=True),
            "facts": item.violation.facts,
            "legal_basis": item.violation.legal_basis,
            "violation_type": item.violation.violation_type,
            "penalty": {"summary": item.violation.penalty_summary},
        }
        if item.kind == "seizure":
            body["seizure"] = {
                "action": "seize",
                "items": list(item.seizure_items),
                "term_days": 30,
                "starts_on": _iso(item.decided_on),
                "head_approval": True,
            }
        else:
            body["penalty"] = {"summary": f"责令{item.violation.order}"}
        answer = await self.api.call("head", "POST", "/api/v1/cases/decisions", json=body)
        self.decisions[answer.json()["id"]] = (item.kind, item.published_on)
        self.report.add(item.kind)

    async def referral(self, case: CasePlan) -> None:
        plan = case.referral
        assert plan is not None
        case_id = self.cases[case.key][0]
        body = {
            "offence": plan.offence,
            "medium": plan.medium,
            "summary": plan.summary,
            "police_unit": POLICE_UNIT,
            "package_items": list(plan.package_items),
            "facts": plan.facts,
            "approved_on": _iso(plan.approved_on),
        }
        await self.api.call("head", "POST", f"/api/v1/cases/{case_id}/referrals", json=body)

        async def created() -> str | None:
            answer = await self.api.call("head", "GET", "/api/v1/referral/referrals", params={"case_id": case_id})
            items = answer.json()["items"]
            return str(items[0]["id"]) if items else None

        referral_id = await eventually(created, f"the referral of case {case.key}")
        path = f"/api/v1/referral/referrals/{referral_id}"
        etag = (await self.api.call("head", "GET", path)).headers["etag"]
        transfer = {"sent_at": plan.transfer_at.isoformat(), "transfer_letter_number": plan.letter_number}
        await self.api.call("head", "POST", f"{path}/transfer", json=transfer, etag=etag)
        police = f"/police/v1/referrals/{referral_id}"
        receipt = {"received_at": plan.received_at.isoformat(), "receiver": plan.receiver}
        await self.api.call("xiqing-police", "POST", f"{police}/receipt", json=receipt)
        decision = {
            "decision": "accepted",
            "police_case_number": plan.police_case_number,
            "decided_at": plan.decided_at.isoformat(),
        }
        await self.api.call("xiqing-police", "POST", f"{police}/decision", json=decision)
        if plan.exhibits_at is not None:
            etag = (await self.api.call("head", "GET", path)).headers["etag"]
            handover = {
                "handed_over_at": plan.exhibits_at.isoformat(),
                "items": list(plan.exhibits),
                "receiver": plan.receiver,
            }
            await self.api.call("head", "POST", f"{path}/exhibits-handover", json=handover, etag=etag)
        self.report.add(f"referrals_{plan.medium}")

        async def noted() -> bool:
            answer = await self.api.call("head", "GET", f"/api/v1/cases/{case_id}")
            self.cases[case.key] = (case_id, answer.headers["etag"])
            return answer.json().get("police_decision") is not None

        await eventually(noted, f"the police decision on case {case.key} reaching cases")

    # ---- random inspections (双随机、一公开) ---------------------------------------------------------------------

    async def random_inspections(self) -> None:
        """The registry imported by CSV, then each quarter's draws of the year: committed, executed with a public
        number, and each drawn entity inspected by its two drawn officers on its planned day. A violation found
        opens a lead, which the head declines once it is corrected (不予立案: first offence, corrected at once)."""
        lines = ["credit_code,category,industry"]
        for entry in self.plan.registry:
            lines.append(f"{self.party_plans[entry.party].credit_code},{entry.category},{entry.industry}")
        body = ("\r\n".join(lines) + "\r\n").encode()
        path = "/api/v1/cases/supervised-entities:import"
        await self.api.call("head", "POST", path, content=body, content_type="text/csv")
        self.report.add("registry", len(self.plan.registry))
        for draw in self.plan.draws:
            await self._draw(draw)

    async def _draw(self, plan: DrawPlan) -> None:
        body = {"category": plan.category, "period": "quarter", "year": plan.year, "period_number": plan.quarter}
        created = await self.api.call("head", "POST", "/api/v1/cases/inspection-draws", json=body)
        path = f"/api/v1/cases/inspection-draws/{created.json()['id']}/execution"
        entropy = {"public_entropy": plan.public_entropy}
        done = (await self.api.call("head", "POST", path, json=entropy, etag=created.headers["etag"])).json()
        self.report.add("draws")
        for n, drawn in enumerate(done["result"]):
            day, violation = plan.days[min(n, len(plan.days) - 1)], plan.violations[n % len(plan.violations)]
            inspection = {
                "inspected_at": f"{_iso(day)}T10:00:00+08:00",
                "place": "厂区",
                "planned_inspection_id": drawn["planned_inspection_id"],
                "officer_ids": drawn["officer_ids"],
                "findings": "危险废物贮存场所未设置识别标志。" if violation else "未发现环境违法问题。",
                "open_lead": violation,
            }
            found = (await self.api.call("head", "POST", "/api/v1/cases/inspections", json=inspection)).json()
            self.report.add("random_inspections")
            if violation:
                await self._decline(found["lead_id"], day)

    async def _decline(self, lead_id: str, received_on: date) -> None:
        lead = await self.api.call("head", "GET", f"/api/v1/cases/leads/{lead_id}")
        body = {
            "reason": "当事人初次违法且已当场改正，危害后果轻微，依据《行政处罚法》第三十三条不予立案。",
            "decided_on": _iso(received_on),
        }
        path = f"/api/v1/cases/leads/{lead_id}/declination"
        await self.api.call("head", "POST", path, json=body, etag=lead.headers["etag"])

    # ---- publication ------------------------------------------------------------------------------------------

    async def publish_all(self) -> None:
        """Every decision published by the editor on its planned day, inside its 7 / 20 working-day limit."""

        async def all_pending() -> dict[str, dict[str, Any]] | None:
            found: dict[str, dict[str, Any]] = {}
            cursor = None
            while True:
                params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
                page = (await self.api.call("editor", "GET", "/api/v1/disclosure/publications", params=params)).json()
                found.update({item["decision_id"]: item for item in page["items"]})
                cursor = page["next_cursor"]
                if not cursor:
                    break
            return found if set(self.decisions) <= set(found) else None

        publications = await eventually(all_pending, "disclosure to open every publication")
        for decision_id, (_kind, published_on) in self.decisions.items():
            publication = publications[decision_id]
            if publication["status"] != "pending":
                continue
            path = f"/api/v1/disclosure/publications/{publication['id']}"
            etag = etag_of(publication["id"], publication["version"])
            body = {"published_on": _iso(published_on)}
            await self.api.call("editor", "POST", f"{path}/publish", json=body, etag=etag)
            self.report.add("publications")

    async def annual_report(self) -> None:
        for year, day in (
            (2020, self.plan.annual_report_2020_published_on),
            (2021, self.plan.annual_report_published_on),
        ):
            body = {"published_on": _iso(day)}
            await self.api.call("editor", "POST", f"/api/v1/disclosure/annual-reports/{year}", json=body)
            self.report.add("annual_reports")

    async def rule_of_law(self) -> None:
        """The seed's 2020 and 2021 rule-of-law activities, and the 2021 rule-of-law report published from them."""
        meetings_2021 = sum(1 for m in self.plan.meetings if m.held_on.year == 2021)
        recorded = await activities.load_activities(self.api, review_meetings_2021=meetings_2021)
        self.report.add("law_activities", recorded)
        await activities.publish_rule_of_law_report(
            self.api, 2021, published_on=self.plan.rule_of_law_report_published_on
        )
        self.report.add("rule_of_law_reports")

    async def before_enforcement(self) -> None:
        """事前公开: the officers' credentials renewed since, and those who left enforcement deactivated (the
        officer list comes from cases' register, through its events); the lists of the data file published by the
        editor, and 2021's quarterly and annual enforcement statistics."""
        await self.officers_since()
        lists: dict[str, dict[str, Any]] = load_yaml(ENFORCEMENT_LISTS)
        for slug, body in lists.items():
            path = f"/api/v1/disclosure/enforcement-lists/{slug}"
            current = await self.api.call("editor", "GET", path)
            await self.api.call("editor", "PUT", path, json=body, etag=current.headers["ETag"])
            self.report.add("enforcement_lists")
        for period, published_on in self.plan.statistics_releases:
            path = f"/api/v1/disclosure/enforcement-statistics/2021/{period}"
            await self.api.call("editor", "POST", path, json={"published_on": _iso(published_on)})
            self.report.add("statistics_releases")

    async def officers_since(self) -> None:
        """After the year's casework (the credentials as first issued covered it): the renewals (换证), then the
        deactivations (停用) of officers who left enforcement."""
        for officer in self.plan.officers:
            if officer.renewal is None and not officer.deactivated:
                continue
            path = f"/api/v1/cases/officers/{self.officers[officer.key]}"
            etag = (await self.api.call("head", "GET", path)).headers["ETag"]
            if officer.renewal is not None:
                first, last = officer.renewal
                body = {"credential_valid_from": _iso(first), "credential_valid_until": _iso(last)}
                etag = (await self.api.call("head", "PATCH", path, json=body, etag=etag)).headers["ETag"]
                self.report.add("credential_renewals")
            if officer.deactivated:
                await self.api.call("head", "POST", f"{path}/deactivation", etag=etag)
                self.report.add("officers_deactivated")
        records = len(self.plan.officers) + sum((o.renewal is not None) + o.deactivated for o in self.plan.officers)

        async def listed() -> bool:
            changes = await self.api.public("/public/v1/officers/changes", {"limit": 100})
            return len(changes["items"]) >= records

        await eventually(listed, "the officer list's changes in disclosure")

    # ---- monitoring -------------------------------------------------------------------------------------------

    async def monitoring(self) -> None:
        started = time.monotonic()
        for section in self.plan.sections:
            body: dict[str, Any] = {
                "code": section.code,
                "kind": "water_section",
                "name": section.name,
                "town": section.town,
                "level": "district",
                "water_body": section.water_body,
                "target_class": section.target_class,
                "parameters": [*WATER_PARAMETERS, *(("tn",) if section.water_body == "lake" else ())],
            }
            await self.api.call("monitor", "POST", "/api/v1/monitoring/stations", json=body)
        for station in self.plan.air_stations:
            body = {
                "code": station.code,
                "kind": "air_station",
                "name": station.name,
                "town": station.town,
                "level": "district",
                "latitude": station.latitude,
                "longitude": station.longitude,
                "parameters": list(AIR_PARAMETERS),
            }
            await self.api.call("monitor", "POST", "/api/v1/monitoring/stations", json=body)
        self.report.add("stations", len(self.plan.sections) + len(self.plan.air_stations))
        for month in WATER_MONTHS:
            rows = [row for s in self.plan.sections for row in water_rows(self.plan.seed, s, month)]
            await self._ingest(rows)
        hours = self.plan.air_days * 24
        for month in self.plan.air_months:
            first = (month - WATER_MONTHS[12]).days * 24
            last = min(hours, first + _days_in_month(month) * 24)
            rows = [r for s in self.plan.air_stations for r in air_rows(self.plan.seed, s, first, last)]
            for start in range(0, len(rows), AIR_BATCH_ROWS):
                await self._ingest(rows[start : start + AIR_BATCH_ROWS])
        self.report.phases["readings"] = round(time.monotonic() - started, 1)
        started = time.monotonic()
        await self.noise()
        self.report.phases["noise"] = round(time.monotonic() - started, 1)
        started = time.monotonic()
        for month in WATER_MONTHS:
            await self._bulletin("water_monthly", month)
        for day in self.plan.air_dates:
            await self._bulletin("air_daily", day)
        for monday in self.plan.air_weeks:
            await self._bulletin("air_weekly", monday)
        for month in self.plan.air_months:
            await self._bulletin("air_monthly", month)
        await self._bulletin("noise_annual", noise_demo.NOISE_YEAR)
        self.report.phases["bulletins"] = round(time.monotonic() - started, 1)

    async def noise(self) -> None:
        """声环境监测: the points, the year's measurements in one batch, and their days confirmed by the reviewer."""
        points = noise_demo.noise_points()
        for point in points:
            await self.api.call("monitor", "POST", "/api/v1/monitoring/stations", json=noise_demo.station_body(point))
        self.report.add("stations", len(points))
        rows = noise_demo.measurements(self.plan.seed, points)
        await self.api.call("monitor", "POST", "/api/v1/monitoring/noise/measurements:batch", json=rows)
        self.report.add("noise_measurements", len(rows))
        days = sorted({(row["station"], row["started_at"][:10]) for row in rows})
        for station, day in days:
            review = {"station": station, "day": day, "decision": "confirm", "reason": "噪声监测记录核对无误"}
            await self.api.call("monitor", "POST", "/api/v1/monitoring/reviews", json=review)

    async def _ingest(self, rows: list[dict[str, Any]]) -> None:
        answer = await self.api.call("monitor", "POST", "/api/v1/monitoring/readings:batch", json=rows)
        result = answer.json()
        if result["rejected"]:
            raise DemoError(f"readings rejected: {result['rejected'][:3]}")
        self.report.add("readings", result["stored"])

    async def _bulletin(self, kind: str, start: date) -> None:
        body = {"kind": kind, "period_start": _iso(start)}
        answer = await self.api.call("monitor", "POST", "/api/v1/monitoring/bulletins", json=body)
        bulletin_id = answer.json()["id"]
        path = f"/api/v1/monitoring/bulletins/{bulletin_id}:publish"
        await self.api.call("monitor", "POST", path, etag=answer.headers["etag"])
        self.report.add("bulletins")

    async def enterprises(self) -> None:
        """排污单位: the register by CSV, a pollution-source station and an outlet with its permit limits each, a
        year of results in bulk, and the year's days reviewed per station at once."""
        started = time.monotonic()
        plans = enterprise_plans(self.plan)
        await self.api.call(
            "monitor", "POST", "/api/v1/monitoring/enterprises:import", content=import_csv(plans),
            content_type="text/csv",
        )  # fmt: skip
        for enterprise in plans:
            for outlet in enterprise.outlets:
                await self._outlet(enterprise, outlet)
        self.report.add("enterprises", len(plans))
        rows = [row for e in plans for row in result_rows(self.plan.seed, e, self.plan.air_days)]
        for start in range(0, len(rows), AIR_BATCH_ROWS):
            await self._ingest(rows[start : start + AIR_BATCH_ROWS])
        last = AIR_START + timedelta(days=self.plan.air_days - 1)
        stations = [o.station for e in plans for o in e.outlets]
        for start in range(0, len(stations), 100):
            body = {"stations": stations[start : start + 100], "first_day": _iso(AIR_START), "last_day": _iso(last),
                    "decision": "confirm", "reason": "自行监测数据审核通过"}  # fmt: skip
            await self.api.call("monitor", "POST", "/api/v1/monitoring/reviews:range", json=body)
        self.report.phases["enterprises"] = round(time.monotonic() - started, 1)

    async def _outlet(self, enterprise: EnterprisePlan, outlet: OutletPlan) -> None:
        """The outlet's pollution-source station, then the outlet with its permit limits."""
        station = {
            "code": outlet.station, "kind": "pollution_source", "name": f"{enterprise.name}{outlet.name}",
            "town": enterprise.town, "level": "district", "parameters": [p for p, _, _ in outlet.limits],
        }  # fmt: skip
        await self.api.call("monitor", "POST", "/api/v1/monitoring/stations", json=station)
        body = {
            "code": outlet.code, "name": outlet.name, "medium": outlet.medium, "station_code": outlet.station,
            "frequency": outlet.frequency, "limits": limits_of(enterprise, outlet),
        }  # fmt: skip
        path = f"/api/v1/monitoring/enterprises/{enterprise.code}/outlets"
        await self.api.call("monitor", "POST", path, json=body)


def _days_in_month(month: date) -> int:
    following = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return (following - month).days


ALREADY_LOADED = (
    "系统中已有{what}，演示数据只加载到空系统 The system already holds {english}: the demo loads only into an empty "
    "system. To load it again, stop the server, delete the data directory (GREENLAW_DATA_DIR, default ./var) and "
    "start `make run` again."
)


async def _refuse_unless_empty(api: Api) -> None:
    parties = await api.call("head", "GET", "/api/v1/cases/parties", params={"limit": 1})
    stations = await api.call("monitor", "GET", "/api/v1/monitoring/stations", params={"limit": 1})
    held = [
        (chinese, english)
        for (chinese, english), answer in ((("当事人", "parties"), parties), (("监测站点", "stations"), stations))
        if answer.json()["items"]
    ]
    if held:
        what = "和".join(chinese for chinese, _ in held)
        english = " and ".join(english for _, english in held)
        raise DemoAlreadyLoaded(ALREADY_LOADED.format(what=what, english=english))


async def report_progress(report: LoadReport, every: float) -> None:
    """A line every ``every`` seconds while the load runs: the phase, the year's steps done, readings stored."""
    started = time.monotonic()
    while True:
        await asyncio.sleep(every)
        log.info(
            "demo_load_progress",
            phase=report.phase,
            steps=f"{report.steps}/{report.steps_total}",
            readings=report.created.get("readings", 0),
            bulletins=report.created.get("bulletins", 0),
            calls=report.calls,
            seconds=round(time.monotonic() - started),
        )


async def load(client: httpx.AsyncClient, plan: DemoPlan, *, progress_every: float = 10.0) -> LoadReport:
    """Load ``plan`` through the gateway ``client`` talks to; refuses (DemoAlreadyLoaded) unless it is empty.
    Logs its progress every ``progress_every`` seconds."""
    report = LoadReport(seed=plan.seed)
    started = time.monotonic()
    api = Api(client, report)
    for username in ("head", "officer1", "officer2", "legal", "editor", "monitor"):
        await api.login(username)
    await api.login("xiqing-police", police=True)
    await _refuse_unless_empty(api)
    loader = Loader(api, plan)
    log.info("demo_load_started", seed=plan.seed, air_days=plan.air_days)

    async def casework() -> None:
        phase = time.monotonic()
        report.phase = "registers"
        await loader.registers()
        report.phases["registers"] = round(time.monotonic() - phase, 1)
        log.info("demo_registers_loaded", seconds=report.phases["registers"])
        report.phase = "casework"
        drawing = time.monotonic()
        await loader.random_inspections()
        report.phases["random_inspections"] = round(time.monotonic() - drawing, 1)
        await loader.run_timeline()
        report.phases["casework"] = round(time.monotonic() - phase, 1)
        phase = time.monotonic()
        report.phase = "publication"
        await loader.publish_all()
        await loader.annual_report()
        await loader.before_enforcement()
        await loader.rule_of_law()
        report.phases["publication"] = round(time.monotonic() - phase, 1)
        report.phase = "monitoring"

    monitoring = asyncio.create_task(loader.monitoring(), name="demo:monitoring")
    progress = asyncio.create_task(report_progress(report, progress_every), name="demo:progress")
    try:
        await casework()
        await monitoring
        await loader.enterprises()
    except BaseException:
        monitoring.cancel()
        raise
    finally:
        progress.cancel()
    report.phase = "finished"
    report.seconds = round(time.monotonic() - started, 1)
    log.info("demo_load_finished", seconds=report.seconds, calls=report.calls, created=report.created)
    return report
