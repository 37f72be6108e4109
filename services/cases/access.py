"""Who owns what in the cases service (对象级授权), declared for ``shared.ownership``.

A case belongs to its enforcement team (执法队, ``Case.team``): an officer reaches only its own team's cases;
heads, legal reviewers, auditors and admin reach all. A case without a team (filed with investigators of several
teams and no team named) is closed to officers until a head names one.

Owned through the case: its evidence (and evidence registered and preserved, 先行登记保存), history, clock stops,
referral requests, and its decisions (决定书). A decision made outside a case file (``case_id`` null) has no team:
heads, legal reviewers and auditors reach it, officers do not (fail closed).

Shared inside the bureau, with no owner: the registers (parties 当事人, officers, teams, supervised entities
监管对象名录); random inspection draws (双随机抽查), their planned inspections and the inspector exclusions, which
the bureau plans as a whole and publishes; inspections (现场检查)
and leads (线索), which come before the filing (立案) that assigns a team, so every case role may read them; case
review meetings (案件审议会), the bureau's collective-discussion record; statistics and counts.
"""

from __future__ import annotations

from shared.auth import Role
from shared.ownership import By, Declaration, Rule, Scope, shared

UNSCOPED = frozenset({Role.HEAD, Role.LEGAL_REVIEWER, Role.AUDITOR, Role.ADMIN})

CASE = Rule(("案件", "Case"), unscoped=UNSCOPED, scopes=(Scope(By.TEAM, "team", frozenset({Role.OFFICER})),))


def _through_case(what: tuple[str, str]) -> Rule:
    return Rule(what, UNSCOPED, CASE.scopes, through="case")


DECISION = _through_case(("决定书", "Decision"))

OWNERSHIP = Declaration(
    "cases",
    {
        "case": CASE,
        "evidence": _through_case(("证据", "Evidence")),
        "history": _through_case(("案件记录", "History")),
        "clock_stop": _through_case(("期限中止", "ClockStop")),
        "referral_request": _through_case(("移送申请", "ReferralRequest")),
        "evidence_preservation": _through_case(("先行登记保存", "EvidencePreservation")),
        "decision": DECISION,
        "party": shared(("当事人", "Party"), note="the register of parties, shared by every team"),
        "officer": shared(("执法人员", "Officer"), note="the register of officers and teams"),
        "supervised_entity": shared(("监管对象", "SupervisedEntity"), note="the registry, shared by every team"),
        "inspector_exclusion": shared(("回避或休假", "InspectorExclusion"), note="the pool is the bureau's"),
        "inspection_draw": shared(("双随机抽查", "InspectionDraw"), note="planned bureau-wide and made public"),
        "inspection_rate": shared(("抽查比例", "InspectionRate"), note="the bureau's dated rates, made public"),
        "planned_inspection": shared(("抽查计划", "PlannedInspection"), note="before filing: no team is assigned"),
        "inspection": shared(("现场检查", "Inspection"), note="before filing: no team is assigned yet"),
        "lead": shared(("线索", "Lead"), note="before filing: the head's filing decision assigns the team"),
        "review_meeting": shared(("案件审议会", "ReviewMeeting"), note="the bureau's collective discussion"),
        "statistics": shared(("执法统计", "Statistics"), note="counts; no case is named"),
    },
)
