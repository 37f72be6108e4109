"""The step machine of a referral (行政执法与刑事司法衔接, 国务院令310; domain §4).

A referral arrives approved by the head (cases sends it after approval), is transferred (移送) to the police with a
copy to the procuratorate, signed for (签收), possibly sent back for supplement (补充材料), decided (立案 / 不予立案 /
退回). A refusal may be contested (国务院令310 §9) by reconsideration (复议) or directly by suggesting procuratorate
supervision (检察监督), and by supervision after a reconsideration that upholds it; the police answer through the
same decision step. After a criminal case is opened the bureau hands over exhibits (涉案物品移交).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    APPROVED = "approved"  # 已批准移送, not yet sent
    TRANSFERRED = "transferred"  # 已移送
    RECEIVED = "received"  # 公安已签收
    SUPPLEMENT_REQUESTED = "supplement_requested"  # 材料不全，待补充
    ACCEPTED = "accepted"  # 公安立案
    DECLINED = "declined"  # 不予立案
    RETURNED = "returned"  # 退回
    RECONSIDERATION = "reconsideration"  # 提请复议
    SUPERVISION = "supervision"  # 提请检察监督


class Step(StrEnum):
    TRANSFER = "transfer"
    RECEIPT = "receipt"
    INCOMPLETE_NOTICE = "incomplete_notice"
    SUPPLEMENT = "supplement"
    DECISION = "decision"
    RECONSIDERATION = "reconsideration"
    SUPERVISION = "supervision"
    EXHIBITS_HANDOVER = "exhibits_handover"


class Decision(StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"
    RETURNED = "returned"


# Which statuses a step may start from, and what it needs first (named in the 409 when missing).
_ALLOWED: dict[Step, frozenset[Status]] = {
    Step.TRANSFER: frozenset({Status.APPROVED}),
    Step.RECEIPT: frozenset({Status.TRANSFERRED}),
    Step.INCOMPLETE_NOTICE: frozenset({Status.RECEIVED}),
    Step.SUPPLEMENT: frozenset({Status.SUPPLEMENT_REQUESTED}),
    Step.DECISION: frozenset(
        {Status.RECEIVED, Status.SUPPLEMENT_REQUESTED, Status.RECONSIDERATION, Status.SUPERVISION}
    ),
    Step.RECONSIDERATION: frozenset({Status.DECLINED}),
    Step.SUPERVISION: frozenset({Status.DECLINED}),
    Step.EXHIBITS_HANDOVER: frozenset({Status.ACCEPTED}),
}

_PREREQUISITE: dict[Step, str] = {
    Step.TRANSFER: "批准移送 approval (the referral was already transferred)",
    Step.RECEIPT: "移送 transfer to the police (or the receipt was already signed)",
    Step.INCOMPLETE_NOTICE: "公安签收 police receipt",
    Step.SUPPLEMENT: "材料不全通知 the police's incomplete-file notice",
    Step.DECISION: "公安签收 police receipt (or a reconsideration / supervision request after a refusal)",
    Step.RECONSIDERATION: "不予立案决定 a refusal to open a case (reconsideration asked once, before supervision)",
    Step.SUPERVISION: "不予立案决定 a refusal, or a reconsideration upholding it (supervision is asked once)",
    Step.EXHIBITS_HANDOVER: "公安立案 the police opening a criminal case (handed over once)",
}


class IllegalStep(Exception):
    """The step is not allowed in the current status; ``missing`` names what must happen first."""

    def __init__(self, step: Step, status: Status, missing: str) -> None:
        super().__init__(f"{step.value} is not allowed while {status.value}; needs {missing}")
        self.step, self.status, self.missing = step, status, missing


@dataclass(frozen=True)
class StepContext:
    """What beyond the status decides a step: a reconsideration answered, supervision asked, exhibits handed over."""

    reconsidered: bool = False
    supervised: bool = False
    exhibits_handed_over: bool = False


def next_status(
    status: Status, step: Step, *, decision: Decision | None = None, context: StepContext | None = None
) -> Status:
    """The status after ``step``; raises :class:`IllegalStep` when the procedure does not allow it now."""
    context = context or StepContext()
    if status not in _ALLOWED[step] or not _context_allows(step, status, decision, context):
        raise IllegalStep(step, status, _PREREQUISITE[step])
    return _target(step, status, decision)


def _context_allows(step: Step, status: Status, decision: Decision | None, context: StepContext) -> bool:
    # §9: the refusal goes to reconsideration or straight to the procuratorate; each is asked once, and once the
    # procuratorate supervises, reconsideration by the same police is no longer the route.
    if step is Step.RECONSIDERATION:
        return not (context.reconsidered or context.supervised)
    if step is Step.SUPERVISION:
        return not context.supervised
    if step is Step.EXHIBITS_HANDOVER:
        return not context.exhibits_handed_over
    if step is Step.DECISION:
        if decision is None:
            return False
        # While the file is incomplete the police can only send it back; an answer to a reconsideration or
        # supervision request opens the case or upholds the refusal, it does not return the file.
        if status is Status.SUPPLEMENT_REQUESTED:
            return decision is Decision.RETURNED
        if status in {Status.RECONSIDERATION, Status.SUPERVISION}:
            return decision is not Decision.RETURNED
    return True


def _target(step: Step, status: Status, decision: Decision | None) -> Status:
    if step is Step.DECISION:
        assert decision is not None
        return Status(decision.value)
    if step is Step.EXHIBITS_HANDOVER:
        return status  # recorded on the accepted referral; the status stays
    return _FIXED_TARGET[step]


_FIXED_TARGET: dict[Step, Status] = {
    Step.TRANSFER: Status.TRANSFERRED,
    Step.RECEIPT: Status.RECEIVED,
    Step.INCOMPLETE_NOTICE: Status.SUPPLEMENT_REQUESTED,
    Step.SUPPLEMENT: Status.RECEIVED,
    Step.RECONSIDERATION: Status.RECONSIDERATION,
    Step.SUPERVISION: Status.SUPERVISION,
}

OPEN_STATUSES = frozenset(Status) - {Status.RETURNED}
