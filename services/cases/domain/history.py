"""What a case's history (案件记录) says happened: the closed set of actions, and how each is kept in the audit log.

The audit log is append-only and hash-chained, so an action's stored form never changes: a stage change is kept as
``stage:<from>-><to>`` and every other action as its own name. ``stored_action`` writes that form and
``read_action`` reads it back, so the two cannot drift apart.
"""

from __future__ import annotations

from enum import StrEnum

from services.cases.domain.stages import Stage


class CaseAction(StrEnum):
    """What a history entry of a case records (案件记录的事项); a closed set."""

    FILED = "filed"  # 立案
    STAGE_CHANGED = "stage_changed"  # 阶段变更 (from_stage → to_stage), deciding and serving included
    CLOCK_STOPPED = "clock_stopped"  # 期限中止
    CLOCK_RESUMED = "clock_resumed"  # 期限恢复
    EXTENDED = "extended"  # 延长办案期限
    DISCUSSED = "discussed"  # 案件审议会审议
    EVIDENCE_ADDED = "evidence_added"  # 证据上传
    EVIDENCE_PRESERVED = "evidence_preserved"  # 先行登记保存
    EVIDENCE_DISPOSED = "evidence_disposed"  # 先行登记保存处理决定
    EXECUTION_RECORDED = "execution_recorded"  # 缴款、催告
    REFERRAL_REQUESTED = "referral_requested"  # 移送申请
    REFERRAL_RECEIVED = "referral_received"  # 公安机关签收
    REFERRAL_ACCEPTED = "referral_accepted"  # 公安机关立案
    REFERRAL_DECLINED = "referral_declined"  # 公安机关不予立案
    REFERRAL_RETURNED = "referral_returned"  # 公安机关退回
    DECISION_REVOKED = "decision_revoked"  # 决定书撤销
    DECISION_AMENDED = "decision_amended"  # 决定书变更
    PUBLICITY_PUBLISHED = "publicity_published"  # 公示
    PUBLICITY_WITHDRAWN = "publicity_withdrawn"  # 撤回公示
    PUBLICITY_OVERDUE = "publicity_overdue"  # 公示逾期


_STAGE_PREFIX = "stage:"
STAGE_CHANGE_PREFIX = _STAGE_PREFIX  # how every stored stage change begins (to select them in the log)


def stored_action(action: CaseAction, *, from_stage: Stage | None = None, to_stage: Stage | None = None) -> str:
    """The audit log's form of an action; a stage change names both stages."""
    if action != CaseAction.STAGE_CHANGED:
        return action.value
    if from_stage is None or to_stage is None:
        raise ValueError("a stage change names the stage left and the stage entered")
    return f"{_STAGE_PREFIX}{from_stage.value}->{to_stage.value}"


def read_action(stored: str) -> tuple[CaseAction, Stage | None, Stage | None]:
    """(action, from_stage, to_stage) of a stored action; ``ValueError`` for a form this service never writes."""
    if stored.startswith(_STAGE_PREFIX):
        before, arrow, after = stored.removeprefix(_STAGE_PREFIX).partition("->")
        if not arrow:
            raise ValueError(f"not a stage change: {stored!r}")
        return CaseAction.STAGE_CHANGED, Stage(before), Stage(after)
    action = CaseAction(stored)
    if action == CaseAction.STAGE_CHANGED:
        raise ValueError("a stage change is stored with its stages")
    return action, None, None
