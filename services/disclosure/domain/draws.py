"""Random inspections as the public sees them (双随机、一公开): names as published, the outcome of each drawn
inspection, and the Chinese labels of the portal.

国办发〔2015〕58号 asks that draws and their results be made public promptly; the public side publishes each event on
receipt. A draw's entities are organisations or sole traders (个体工商户): an organisation's name is public, a sole
trader's name is the name of a natural person's business (domain §3, personal data) and is published masked.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from services.disclosure.domain.names import masked

CATEGORY_LABELS = {"key_polluter": "重点排污单位", "ordinary": "一般排污单位", "special": "特殊监管对象"}
PERIOD_LABELS = {"month": "月", "quarter": "季度", "year": "年度"}
STATUS_LABELS = {"committed": "已公布承诺值，待抽取", "executed": "已抽取", "superseded": "已被重新抽取取代"}
OUTCOME_LABELS = {
    "planned": "待检查",
    "no_violation": "未发现问题",
    "violation_found": "发现问题",
    "lead_opened": "发现问题，已登记线索",
    "case_filed": "已立案查处",
    "not_operating": "停产、关闭或查无此单位",
    "cancelled": "因重新抽取取消",
}
EXCLUSION_LABELS = {"inspected_recently": "近期已检查", "drawn_this_period": "本期已抽取"}
SOLE_TRADER_MARK = "（个体工商户）"
INDIVIDUAL_MARK = "（个人）"


def public_entity_name(name: str, party_type: str | None) -> str:
    """An organisation's name as registered; any other (a sole trader, or a type not stated) masked to surname +
    某 with its kind, since its name is a natural person's (张记五金店 → 张某（个体工商户）)."""
    if party_type == "organisation":
        return name
    return masked(name.strip()) + (INDIVIDUAL_MARK if party_type == "individual" else SOLE_TRADER_MARK)


def inspection_outcome(result: str, *, lead_opened: bool, case_filed: bool) -> str:
    """检查结果 as published: no violation found, a lead opened, a case filed (or closed down, or found but no lead)."""
    if case_filed:
        return "case_filed"
    if lead_opened:
        return "lead_opened"
    return "no_violation" if result in ("", "compliant") else result


def period_label(kind: str, year: int, number: int | None) -> str:
    """2021年第3季度, 2021年5月, 2021年度."""
    if kind == "quarter":
        return f"{year}年第{number}季度"
    if kind == "month":
        return f"{year}年{number}月"
    return f"{year}年度"


RATE_PER_LABELS = {"month": "每月", "quarter": "每季度", "year": "每年"}


def rate_label(rate: dict[str, Any]) -> str:
    """A category's 抽查比例 in words: ``每季度抽查 25%`` or ``每年抽查 3 家``."""
    per = RATE_PER_LABELS.get(str(rate.get("per")), str(rate.get("per")))
    if rate.get("proportion") is not None:
        percent = (Decimal(str(rate["proportion"])) * 100).normalize()
        return f"{per}抽查 {percent:f}%"
    return f"{per}抽查 {rate.get('count')} 家"
