"""A whole enforcement case, lead to closure, with a client generated from docs/openapi.json.

    openapi-python-client generate --path docs/openapi.json --config docs/openapi-client.yaml --meta none \
        --output-path greenlaw_client
    GREENLAW_DEMO=0 make run                              # a fresh system with the demo accounts
    python docs/examples/whole_case.py http://127.0.0.1:8000

A complaint (12369) opens a lead; two officers inspect; the head files the case (立案); the officers investigate,
name a reviewer and serve the prior notice (告知书); the legal reviewer reviews (法制审核); the case review meeting
discusses it (集体讨论); the head decides (决定书), the decision is served (送达), the fine is paid and the head
closes the case (结案). Every stage change names the version of the case it read: ``if_match=`` the ETag of the
last GET (a change to what someone else changed since is refused with 412).
"""

from __future__ import annotations

import asyncio
import sys
from datetime import date, datetime, timedelta, timezone
from typing import Any

from greenlaw_client import AuthenticatedClient, Client
from greenlaw_client.api.auth import gateway_issue_token
from greenlaw_client.api.cases import file_case, get_case, record_execution, transition_case
from greenlaw_client.api.decisions import get_decision, issue_decision, serve_decision
from greenlaw_client.api.field_work import create_lead, record_inspection
from greenlaw_client.api.registers import create_team, register_officer, register_party
from greenlaw_client.api.reports import record_review_meeting
from greenlaw_client.models import (
    Attendee,
    CaseCreate,
    CasePublic,
    DecisionCreate,
    DecisionKind,
    DecisionParty,
    ExecutionRecord,
    InspectionCreate,
    LeadCreate,
    LeadSource,
    Medium,
    OfficerCreate,
    PartyCreate,
    PartyType,
    PenaltyTerms,
    ProposedPenalty,
    ReviewMeetingCreate,
    ReviewMeetingItem,
    ServiceRecord,
    ServiceRecordMethod,
    Stage,
    TeamCreate,
    TokenCreate,
    Transition,
    TransitionLegalOpinionType0,
)
from greenlaw_client.types import Response

BEIJING = timezone(timedelta(hours=8))
PASSWORD = "greenlaw-demo"  # noqa: S105 - the demo accounts' documented password
FINE_FEN = 10_000_000  # ¥100,000
PARTY = {"name": "天津某化工有限公司", "credit_code": "91120111MA05K3L7X1", "legal_representative": "张三"}


def expect(response: Response[Any], status: int) -> Any:
    """The parsed answer, or stop with the problem document the server sent."""
    if response.status_code != status:
        raise RuntimeError(f"expected {status}, got {response.status_code}: {response.content.decode()}")
    return response.parsed


async def sign_in(base_url: str, username: str) -> AuthenticatedClient:
    form = TokenCreate(grant_type="password", username=username, password=PASSWORD)
    async with Client(base_url=base_url) as anonymous:
        token = expect(await gateway_issue_token.asyncio_detailed(client=anonymous, body=form), 200)
    return AuthenticatedClient(base_url=base_url, token=token.access_token)


async def step(client: AuthenticatedClient, case_id: str, change: Transition) -> CasePublic:
    """One stage change; a 409 names the ``missing_step`` when the procedure does not allow it yet."""
    etag = (await get_case.asyncio_detailed(case_id, client=client)).headers["etag"]
    case: CasePublic = expect(
        await transition_case.asyncio_detailed(case_id, client=client, body=change, if_match=etag), 200
    )
    return case


async def whole_case(base_url: str, *, team_name: str = "执法一队") -> CasePublic:
    head = await sign_in(base_url, "head")
    officer = await sign_in(base_url, "officer1")  # a member of the team, so it reaches the team's cases
    legal = await sign_in(base_url, "legal")
    async with head, officer, legal:
        return await walk(head, officer, legal, team_name)


async def walk(
    head: AuthenticatedClient, officer: AuthenticatedClient, legal: AuthenticatedClient, team_name: str
) -> CasePublic:
    # The registers: a team, its officers (two investigators, an independent reviewer, a qualified legal
    # reviewer), and the party.
    team = expect(await create_team.asyncio_detailed(client=head, body=TeamCreate(name=team_name)), 201)

    async def register(name: str, number: str, *, legal: bool = False, subject: str | None = None) -> str:
        body = OfficerCreate(
            name=name, credential_number=number, team_id=team.id, legal_qualification=legal, subject=subject
        )
        return str(expect(await register_officer.asyncio_detailed(client=head, body=body), 201).id)

    investigators = [await register("王伟", "12010001", subject="officer1"), await register("李娜", "12010002")]
    reviewer = await register("张敏", "12010003")
    legal_reviewer = await register("刘洋", "12010004", legal=True)
    party_body = PartyCreate(party_type=PartyType.ORGANISATION, address="天津市西青区某路1号", town="中北镇", **PARTY)
    party = expect(await register_party.asyncio_detailed(client=head, body=party_body), 201)

    # 线索 from a complaint, and the inspection by two officers (行政处罚法 §42).
    lead = expect(
        await create_lead.asyncio_detailed(
            client=officer,
            body=LeadCreate(
                source=LeadSource.COMPLAINT,
                received_on=date(2021, 6, 1),
                summary="12369 举报：某化工厂夜间偷排废水",
                party_id=party.id,
            ),
        ),
        201,
    )
    inspection = InspectionCreate(
        inspected_at=datetime(2021, 6, 2, 9, 30, tzinfo=BEIJING),
        place="天津市西青区某路1号厂区",
        officer_ids=investigators,
        findings="废水总排口化学需氧量超标",
        party_id=party.id,
    )
    expect(await record_inspection.asyncio_detailed(client=officer, body=inspection), 201)

    # 立案: the head files the lead; the case gets its number and the team of its investigators.
    filing = CaseCreate(
        lead_id=lead.id,
        party_id=party.id,
        filed_on=date(2021, 6, 3),
        investigator_ids=investigators,
        medium=Medium.WATER,
        summary="涉嫌超标排放水污染物",
    )
    case: CasePublic = expect(await file_case.asyncio_detailed(client=head, body=filing), 201)

    # 调查取证 → 案件审查 → 告知 (the party received the notice the same day).
    case = await step(officer, case.id, Transition(to=Stage.INVESTIGATING, on=date(2021, 6, 4)))
    case = await step(officer, case.id, Transition(to=Stage.REVIEW, on=date(2021, 7, 1), reviewer_id=reviewer))
    notice = Transition(
        to=Stage.NOTICE,
        on=date(2021, 7, 2),
        proposed=ProposedPenalty(fine_fen=FINE_FEN),
        notice_received_on=date(2021, 7, 2),
    )
    case = await step(officer, case.id, notice)

    # 法制审核, once the party's 5-working-day answer window is over.
    review = Transition(
        to=Stage.LEGAL_REVIEW,
        on=date(2021, 7, 12),
        legal_reviewer_id=legal_reviewer,
        legal_opinion=TransitionLegalOpinionType0.AGREE,
    )
    case = await step(legal, case.id, review)

    # 集体讨论: the case review meeting's record, then the stage that cites it.
    meeting_body = ReviewMeetingCreate(
        held_on=date(2021, 7, 14),
        attendees=[
            Attendee(name="局长", role="主持"),
            Attendee(name="法制科长", role="法制审核"),
            Attendee(name="律师", role="法律顾问", legal_counsel=True),
        ],
        items=[ReviewMeetingItem(case_id=case.id, outcome="同意罚款拾万元")],
        minutes="审议同意。",
    )
    meeting = expect(await record_review_meeting.asyncio_detailed(client=head, body=meeting_body), 201)
    discussed = Transition(to=Stage.COLLECTIVE_DISCUSSION, on=date(2021, 7, 14), meeting_id=meeting.id)
    case = await step(head, case.id, discussed)

    # 决定书: the decision document moves the case to `decided`; serving it moves it to `served`.
    decision_body = DecisionCreate(
        kind=DecisionKind.PENALTY,
        case_id=case.id,
        decided_on=date(2021, 7, 15),
        party=DecisionParty(party_type=PartyType.ORGANISATION, party_id=party.id, **PARTY),
        facts="超标排放水污染物，化学需氧量超过排放标准2.1倍。",
        legal_basis="《中华人民共和国水污染防治法》第八十三条第二项",
        penalty=PenaltyTerms(fine_fen=FINE_FEN, summary="罚款人民币拾万元"),
    )
    decision = expect(await issue_decision.asyncio_detailed(client=head, body=decision_body), 201)
    etag = (await get_decision.asyncio_detailed(decision.id, client=head)).headers["etag"]
    served = ServiceRecord(served_on=date(2021, 7, 16), method=ServiceRecordMethod.DIRECT)
    expect(await serve_decision.asyncio_detailed(decision.id, client=officer, body=served, if_match=etag), 200)

    # 执行: the fine is paid within 15 days of service; then 结案.
    etag = (await get_case.asyncio_detailed(case.id, client=officer)).headers["etag"]
    paid = ExecutionRecord(paid_on=date(2021, 7, 30))
    expect(await record_execution.asyncio_detailed(case.id, client=officer, body=paid, if_match=etag), 200)
    return await step(head, case.id, Transition(to=Stage.CLOSED, on=date(2021, 8, 2)))


if __name__ == "__main__":
    closed = asyncio.run(whole_case(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"))
    print(closed.case_number, closed.stage.value)
