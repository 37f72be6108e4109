"""The stage machine of an enforcement case (生态环境行政处罚办法 2023, 行政处罚法 2021).

filed → investigating → (suspended ↔ investigating) → review → notice → (hearing) → legal_review →
collective_discussion → decided → served → executing → closed, with the branches no_penalty (不予处罚) and
transferred (移送司法机关). Optional steps are skipped only when the rules do not require them; a refused
transition names the missing step, so the officer knows what to do next.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from services.cases.domain.hearing import HearingThreshold, large_amount_grounds


class Stage(StrEnum):
    FILED = "filed"  # 立案
    INVESTIGATING = "investigating"  # 调查取证
    SUSPENDED = "suspended"  # 中止调查
    REVIEW = "review"  # 案件审查 (调查终结审查)
    NOTICE = "notice"  # 告知 (事先告知书)
    HEARING = "hearing"  # 听证
    LEGAL_REVIEW = "legal_review"  # 法制审核
    COLLECTIVE_DISCUSSION = "collective_discussion"  # 集体讨论 (案件审议会)
    DECIDED = "decided"  # 作出决定
    SERVED = "served"  # 送达
    EXECUTING = "executing"  # 执行
    CLOSED = "closed"  # 结案
    NO_PENALTY = "no_penalty"  # 不予处罚
    TRANSFERRED = "transferred"  # 移送司法机关


# Which stage may follow which; guards below decide whether an allowed edge may be taken now.
EDGES: dict[Stage, frozenset[Stage]] = {
    Stage.FILED: frozenset({Stage.INVESTIGATING}),
    Stage.INVESTIGATING: frozenset({Stage.SUSPENDED, Stage.REVIEW, Stage.TRANSFERRED}),
    Stage.SUSPENDED: frozenset({Stage.INVESTIGATING}),
    Stage.REVIEW: frozenset({Stage.NOTICE, Stage.INVESTIGATING, Stage.NO_PENALTY, Stage.TRANSFERRED}),
    Stage.NOTICE: frozenset({Stage.HEARING, Stage.LEGAL_REVIEW, Stage.COLLECTIVE_DISCUSSION, Stage.DECIDED}),
    Stage.HEARING: frozenset({Stage.LEGAL_REVIEW}),
    Stage.LEGAL_REVIEW: frozenset({Stage.COLLECTIVE_DISCUSSION, Stage.DECIDED, Stage.INVESTIGATING, Stage.NO_PENALTY}),
    Stage.COLLECTIVE_DISCUSSION: frozenset({Stage.DECIDED, Stage.NO_PENALTY, Stage.TRANSFERRED}),
    Stage.DECIDED: frozenset({Stage.SERVED}),
    Stage.SERVED: frozenset({Stage.EXECUTING, Stage.CLOSED}),
    Stage.EXECUTING: frozenset({Stage.CLOSED}),
    Stage.NO_PENALTY: frozenset({Stage.CLOSED}),
    Stage.TRANSFERRED: frozenset({Stage.CLOSED}),
    Stage.CLOSED: frozenset(),
}

# Stages before a decision: the 90-day decision clock runs in these.
OPEN_BEFORE_DECISION = frozenset(
    {
        Stage.FILED,
        Stage.INVESTIGATING,
        Stage.SUSPENDED,
        Stage.REVIEW,
        Stage.NOTICE,
        Stage.HEARING,
        Stage.LEGAL_REVIEW,
        Stage.COLLECTIVE_DISCUSSION,
    }
)
HEAD_ONLY = frozenset({Stage.CLOSED, Stage.NO_PENALTY, Stage.TRANSFERRED})


@dataclass(frozen=True)
class Thresholds:
    """Amounts (fen) that trigger duties; data from settings, never literals here. The hearing amounts are dated
    data (``domain/hearing.py``), chosen by the notice's date."""

    collective_discussion_fen: int = 50_000_000  # ¥500,000


@dataclass(frozen=True)
class CaseFacts:
    """What the guards look at; built by the handler from the case record."""

    stage: Stage
    party_is_individual: bool = False
    investigators: tuple[str, ...] = ()
    reviewer: str | None = None
    proposed_fine_fen: int = 0
    proposed_confiscation_fen: int = 0
    licence_revocation: bool = False
    production_halt: bool = False
    complex_case: bool = False
    major_public_interest: bool = False
    multi_law: bool = False
    head_referred: bool = False
    notice_on: date | None = None
    notice_received_on: date | None = None
    answer_due_on: date | None = None
    party_answered: bool = False
    hearing_requested_on: date | None = None
    hearing_request_due_on: date | None = None
    hearing_held: bool = False
    legal_opinion: str | None = None
    legal_reviewer_qualified: bool = False
    meeting_id: str | None = None
    # Filled from the settings when the case is judged: the hearing row in force on the notice's date, and the
    # bureau's practice of sending every filed penalty case to the review meeting.
    hearing_threshold: HearingThreshold | None = None
    every_penalty_to_meeting: bool = False
    referral_requested: bool = False
    money_due: bool = False
    paid: bool = False
    extra: dict[str, object] = field(default_factory=dict)


class IllegalTransition(Exception):
    """Refused: ``missing_step`` names what has to happen first (a stable slug for clients)."""

    def __init__(self, missing_step: str, detail: str) -> None:
        super().__init__(detail)
        self.missing_step = missing_step
        self.detail = detail


def hearing_grounds(facts: CaseFacts) -> list[str]:
    """听证权 grounds (行政处罚法 §63): a large fine, a large confiscation (each against its own threshold, never
    added), licence revocation, production halt / closure."""
    grounds = []
    if facts.hearing_threshold is not None:
        grounds += large_amount_grounds(
            facts.hearing_threshold,
            individual=facts.party_is_individual,
            fine_fen=facts.proposed_fine_fen,
            confiscation_fen=facts.proposed_confiscation_fen,
        )
    if facts.licence_revocation:
        grounds.append("licence_revocation")
    if facts.production_halt:
        grounds.append("production_halt")
    return grounds


def hearing_rights(facts: CaseFacts) -> bool:
    return bool(hearing_grounds(facts))


def legal_review_required(facts: CaseFacts) -> bool:
    """法制审核 required: major public interest, hearing held, complex or multi-law cases."""
    return facts.major_public_interest or facts.hearing_held or facts.complex_case or facts.multi_law


def collective_discussion_required(facts: CaseFacts, thresholds: Thresholds) -> bool:
    """集体讨论: complex cases, fines or confiscation ≥ ¥500,000, licence revocation, halt/closure, head's referral."""
    large = max(facts.proposed_fine_fen, facts.proposed_confiscation_fen) >= thresholds.collective_discussion_fen
    return facts.complex_case or large or facts.licence_revocation or facts.production_halt or facts.head_referred


def check_transition(facts: CaseFacts, target: Stage, *, today: date, thresholds: Thresholds) -> None:
    """Raise ``IllegalTransition`` unless ``facts.stage → target`` is allowed now."""
    if target not in EDGES[facts.stage]:
        raise IllegalTransition(
            _expected_step(facts.stage),
            f"不能从 {facts.stage.value} 转到 {target.value} Cannot go from {facts.stage.value} to {target.value}",
        )
    _GUARDS.get(target, _no_guard)(facts, today, thresholds)


def _expected_step(stage: Stage) -> str:
    following = sorted(s.value for s in EDGES[stage])
    return following[0] if len(following) == 1 else "|".join(following) or "none"


def _no_guard(_facts: CaseFacts, _today: date, _thresholds: Thresholds) -> None:
    return None


def _guard_investigating(facts: CaseFacts, _today: date, _thresholds: Thresholds) -> None:
    if len(set(facts.investigators)) < 2:
        raise IllegalTransition(
            "assign_investigators", "调查取证至少需要两名执法人员 At least two investigators needed"
        )


def _guard_review(facts: CaseFacts, _today: date, _thresholds: Thresholds) -> None:
    if facts.reviewer is None:
        raise IllegalTransition("assign_reviewer", "需要指定审查人员 A reviewer must be named")
    if facts.reviewer in facts.investigators:
        raise IllegalTransition(
            "independent_reviewer", "调查人员不得审查本案 An investigator may not review the same case"
        )


def _guard_notice(facts: CaseFacts, _today: date, _thresholds: Thresholds) -> None:
    if facts.notice_received_on is None:
        raise IllegalTransition("serve_notice", "需记录告知书送达日期 Record when the party received the notice")


def _guard_hearing(facts: CaseFacts, _today: date, thresholds: Thresholds) -> None:
    if not hearing_rights(facts):
        raise IllegalTransition("no_hearing_right", _no_hearing_right(facts))
    if facts.hearing_requested_on is None:
        raise IllegalTransition("hearing_request", "需记录当事人听证申请 Record the party's hearing request")
    if facts.hearing_request_due_on is not None and facts.hearing_requested_on > facts.hearing_request_due_on:
        raise IllegalTransition(
            "hearing_request_in_time", "听证申请超过五个工作日 The hearing request came after 5 working days"
        )


def _no_hearing_right(facts: CaseFacts) -> str:
    row = facts.hearing_threshold
    if row is None:
        return "本案不享有听证权 The proposed penalty carries no hearing right"
    individual = facts.party_is_individual
    fine = _yuan(row.fine.for_party(individual=individual))
    confiscation = _yuan(row.confiscation.for_party(individual=individual))
    return (
        f"本案不享有听证权：罚款未达{fine}、没收未达{confiscation}（分别比较；{row.basis}） The proposed fine and "
        f"confiscation are each below their hearing thresholds ({fine}, {confiscation}, in force from "
        f"{row.effective_from}) and no other ground of 行政处罚法 §63 applies"
    )


def _yuan(fen: int) -> str:
    cents = f".{fen % 100:02d}" if fen % 100 else ""
    return f"¥{fen // 100:,}{cents}"


def _answer_window_over(facts: CaseFacts, today: date, thresholds: Thresholds) -> None:
    """Leaving the notice stage: a requested hearing must be held, and the answer window must have run out."""
    if facts.stage == Stage.NOTICE and facts.hearing_requested_on is not None and hearing_rights(facts):
        raise IllegalTransition(
            "hearing", "当事人已申请听证，须先举行听证 The party asked for a hearing: hold it first"
        )
    if facts.stage != Stage.NOTICE or facts.party_answered:
        return
    if facts.answer_due_on is None or today <= facts.answer_due_on:
        raise IllegalTransition(
            "answer_window",
            "当事人陈述申辩期（五个工作日）未届满 "
            f"The party's 5-working-day answer window runs until {facts.answer_due_on}",
        )


def _guard_legal_review(facts: CaseFacts, today: date, thresholds: Thresholds) -> None:
    _answer_window_over(facts, today, thresholds)
    if facts.stage == Stage.HEARING and not facts.hearing_held:
        raise IllegalTransition("hold_hearing", "听证尚未举行 The hearing has not been held")
    if not facts.legal_reviewer_qualified:
        raise IllegalTransition(
            "qualified_legal_reviewer",
            "初次从事法制审核的人员须取得法律职业资格 A legal reviewer who took up the review work under the revised "
            "law (or with no start date recorded) must hold the legal qualification, and may not have investigated "
            "the case",
        )
    if facts.legal_opinion not in {"agree", "improve", "disagree"}:
        raise IllegalTransition("legal_opinion", "需记录法制审核意见 Record the legal review opinion")


def _guard_collective(facts: CaseFacts, today: date, thresholds: Thresholds) -> None:
    _answer_window_over(facts, today, thresholds)
    _legal_review_done(facts)
    if facts.meeting_id is None:
        raise IllegalTransition("review_meeting", "需有案件审议会记录 A case review meeting record is required")


def _legal_review_done(facts: CaseFacts) -> None:
    if facts.stage == Stage.LEGAL_REVIEW and facts.legal_opinion == "disagree":
        raise IllegalTransition("supplementary_investigation", "法制审核不同意，需补充调查 Legal review disagreed")
    if legal_review_required(facts) and facts.legal_opinion is None:
        raise IllegalTransition("legal_review", "本案须经法制审核 This case requires legal review first")


def _guard_decided(facts: CaseFacts, today: date, thresholds: Thresholds) -> None:
    _answer_window_over(facts, today, thresholds)
    _legal_review_done(facts)
    if facts.stage == Stage.COLLECTIVE_DISCUSSION:
        return
    if collective_discussion_required(facts, thresholds):
        raise IllegalTransition(
            "collective_discussion", "本案须经集体讨论（案件审议会） This case requires collective discussion first"
        )
    if facts.every_penalty_to_meeting:
        raise IllegalTransition(
            "collective_discussion",
            "本局立案的处罚案件均须经案件审议会 Bureau practice: every filed penalty case goes to the case review "
            "meeting before the decision",
        )


def _guard_no_penalty(facts: CaseFacts, today: date, _thresholds: Thresholds) -> None:
    _legal_review_done(facts)


def _guard_transferred(facts: CaseFacts, _today: date, _thresholds: Thresholds) -> None:
    if not facts.referral_requested:
        raise IllegalTransition("referral_request", "需先提出移送请求 Request the referral to the police first")


def _guard_executing(facts: CaseFacts, _today: date, _thresholds: Thresholds) -> None:
    if not facts.money_due:
        raise IllegalTransition("nothing_to_execute", "无罚没款需执行 Nothing to collect: close the case instead")


def _guard_closed(facts: CaseFacts, _today: date, _thresholds: Thresholds) -> None:
    if facts.stage in {Stage.SERVED, Stage.EXECUTING} and facts.money_due and not facts.paid:
        raise IllegalTransition("payment", "罚没款尚未缴纳 The fine has not been paid")


_GUARDS = {
    Stage.INVESTIGATING: _guard_investigating,
    Stage.REVIEW: _guard_review,
    Stage.NOTICE: _guard_notice,
    Stage.HEARING: _guard_hearing,
    Stage.LEGAL_REVIEW: _guard_legal_review,
    Stage.COLLECTIVE_DISCUSSION: _guard_collective,
    Stage.DECIDED: _guard_decided,
    Stage.NO_PENALTY: _guard_no_penalty,
    Stage.TRANSFERRED: _guard_transferred,
    Stage.EXECUTING: _guard_executing,
    Stage.CLOSED: _guard_closed,
}
