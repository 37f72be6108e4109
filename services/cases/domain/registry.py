"""监管对象名录 rows: what one line of a registry import must hold, checked before anything is written."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from services.cases.domain.draws import EntityCategory
from services.cases.domain.identifiers import is_valid_credit_code


class InspectionResult(StrEnum):
    """检查结果."""

    COMPLIANT = "compliant"  # 未发现环境违法问题
    VIOLATION_FOUND = "violation_found"  # 发现环境违法问题
    NOT_OPERATING = "not_operating"  # 停产、关闭或查无此单位


REQUIRED_COLUMNS = ("credit_code", "category")
OPTIONAL_COLUMNS = ("name", "party_type", "town", "industry")

# Staff spreadsheets name the category in Chinese; both spellings are accepted.
CATEGORY_NAMES: dict[str, EntityCategory] = {
    **{c.value: c for c in EntityCategory},
    "重点排污单位": EntityCategory.KEY_POLLUTER,
    "一般排污单位": EntityCategory.ORDINARY,
    "一般": EntityCategory.ORDINARY,
    "特殊监管对象": EntityCategory.SPECIAL,
    "特殊监管": EntityCategory.SPECIAL,
}
# Individuals are not supervised entities: the registry holds organisations and sole traders (个体工商户).
PARTY_TYPES = {
    "organisation": "organisation",
    "单位": "organisation",
    "sole_trader": "sole_trader",
    "个体工商户": "sole_trader",
}


@dataclass(frozen=True)
class RegistryRow:
    line: int
    credit_code: str
    category: EntityCategory
    name: str | None
    party_type: str
    town: str | None
    industry: str | None


class RowError(ValueError):
    """A line that cannot be imported, with the reason."""


def _text(row: Mapping[str, str], column: str, limit: int) -> str | None:
    value = (row.get(column) or "").strip()
    if len(value) > limit:
        raise RowError(f"{column} 超过{limit}字 longer than {limit} characters")
    return value or None


def registry_row(line: int, row: Mapping[str, str]) -> RegistryRow:
    """One line of the import; raises ``RowError`` naming what is wrong."""
    code = (row.get("credit_code") or "").strip().upper()
    if not is_valid_credit_code(code):
        raise RowError("统一社会信用代码无效 invalid unified social credit code")
    category = CATEGORY_NAMES.get((row.get("category") or "").strip())
    if category is None:
        raise RowError("监管类别无效 category must be key_polluter, ordinary or special")
    party_type = PARTY_TYPES.get((row.get("party_type") or "organisation").strip())
    if party_type is None:
        raise RowError("当事人类型无效 party_type must be organisation or sole_trader")
    return RegistryRow(
        line=line,
        credit_code=code,
        category=category,
        name=_text(row, "name", 200),
        party_type=party_type,
        town=_text(row, "town", 50),
        industry=_text(row, "industry", 100),
    )
