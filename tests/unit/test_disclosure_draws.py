"""Random inspections as published: names (a sole trader's masked), outcomes, and the annual report's paragraph."""

from __future__ import annotations

import pytest

from services.disclosure.domain.annual_report import registry_text
from services.disclosure.domain.draws import inspection_outcome, period_label, public_entity_name


def test_an_organisation_is_named_and_a_sole_trader_masked() -> None:
    assert public_entity_name("天津某化工有限公司", "organisation") == "天津某化工有限公司"
    assert public_entity_name("张建国五金店", "sole_trader") == "张某（个体工商户）"
    assert public_entity_name("欧阳小明汽修部", "sole_trader") == "欧阳某（个体工商户）"
    assert public_entity_name("李四", None) == "李某（个体工商户）"  # a type not stated is never shown in full
    assert public_entity_name("王五", "individual") == "王某（个人）"


@pytest.mark.parametrize(
    ("result", "lead", "filed", "outcome"),
    [
        ("compliant", False, False, "no_violation"),
        ("violation_found", True, False, "lead_opened"),
        ("violation_found", True, True, "case_filed"),
        ("violation_found", False, False, "violation_found"),
        ("not_operating", False, False, "not_operating"),
    ],
)
def test_the_published_outcome(result: str, lead: bool, filed: bool, outcome: str) -> None:
    assert inspection_outcome(result, lead_opened=lead, case_filed=filed) == outcome


def test_period_labels() -> None:
    assert period_label("quarter", 2021, 3) == "2021年第3季度"
    assert period_label("month", 2021, 5) == "2021年5月"
    assert period_label("year", 2021, None) == "2021年度"


def test_the_report_paragraph_on_the_registry() -> None:
    statistics = {
        "registry_coverage": {"key_polluter": {"entities": 40, "inspected": 40}, "special": {"entities": 0}},
        "inspections_by_category": {
            "key_polluter": {"compliant": 30, "violation_found": 10, "not_operating": 0, "unrecorded": 2},
            "unregistered": {"compliant": 5},
        },
    }
    text = registry_text(2021, statistics)
    assert text == (
        "2021年，按“双随机、一公开”要求对监管对象名录开展随机抽查，名录内重点排污单位40家、检查40家（覆盖率100.0%）"
        "；执法检查结果：未发现问题35次，发现违法问题10次。"
    )
    assert registry_text(2021, {}) is None
