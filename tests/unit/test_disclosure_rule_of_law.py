"""The rule-of-law register's entries against their kind, the year's totals, the drafted sections, the report's
stages, and which years the annual reports' tracking holds overdue (pure rules, no I/O)."""

from __future__ import annotations

from datetime import date

import pytest

from services.disclosure.domain.activities import Entry, check_entry, public_activities, register_totals
from services.disclosure.domain.annual_report import PublicationFigures, tracked_years, tracking_status
from services.disclosure.domain.rule_of_law_report import (
    check_approval,
    check_edit,
    check_publication,
    draft_sections,
    redrafted,
    report_due_on,
    system_figures,
)
from shared.errors import Conflict, Invalid

pytestmark = pytest.mark.unit


def test_an_entry_carries_the_facts_of_its_kind() -> None:
    assert check_entry("training", {"occurred_on": date(2020, 6, 1), "town": "杨柳青镇", "enterprises": 90}) == 2020
    assert check_entry("adviser", {"year": 2021, "adviser_type": "full_time", "firm": "某所"}) == 2021
    with pytest.raises(Invalid) as missing:
        check_entry("consultation", {"occurred_on": date(2021, 3, 1)})
    assert missing.value.extensions["missing"] == ["problems_solved"]
    with pytest.raises(Invalid) as foreign:
        check_entry("lecture", {"occurred_on": date(2021, 3, 1), "subject": "民法典", "materials": 5})
    assert foreign.value.extensions["not_applicable"] == ["materials"]
    with pytest.raises(Invalid):
        check_entry("lecture", {"occurred_on": date(2021, 3, 1), "subject": "民法典", "year": 2020})


def test_the_years_totals_and_the_drafted_text() -> None:
    entries = [
        *(Entry("study_session", topic="constitution") for _ in range(2)),
        *(Entry("study_session", topic="law_thought") for _ in range(3)),
        Entry("lecture"),
        *(Entry("training", town="中北镇", enterprises=100) for _ in range(5)),
        Entry("consultation", problems_solved=4),
        Entry("adviser", adviser_type="full_time", firm="甲所"),
        Entry("adviser", adviser_type="part_time", firm="乙所"),
        Entry("committee_meeting", occurred_on=date(2021, 2, 7), subjects=("年度执法计划",)),
        Entry("dispute", dispute_type="litigation", outcome="upheld"),
    ]
    totals = register_totals(entries)
    assert totals["study_sessions"] == {"total": 5, "constitution": 2, "law_thought": 3, "other": 0}
    assert totals["trainings"] == {"sessions": 5, "enterprises": 500, "towns": ["中北镇"]}
    statistics = {
        "cases_filed": 10,
        "cases_reviewed": 8,
        "review_meetings": 3,
        "decisions_by_kind": {"penalty": 7, "seizure": 0},
    }
    referrals = {"by_medium": {"water": 1, "soil": 0}, "by_outcome": {"accepted": 1, "pending": 0}}
    figures = system_figures(statistics, PublicationFigures(due=7, on_time=7, late=0, withdrawn=0), referrals=referrals)
    assert figures["review_coverage"] == 0.8
    assert figures["legal_review_coverage"] is None  # a cases service that does not count the legal reviews
    assert "法制审核" not in draft_sections(2021, "某局", totals, figures)["enforcement"]
    counted = {**statistics, "legal_reviews_required": 8, "legal_reviews_before_decision": 6}
    figures = system_figures(counted, PublicationFigures(due=7, on_time=7, late=0, withdrawn=0), referrals=referrals)
    assert (figures["review_coverage"], figures["legal_review_coverage"]) == (0.8, 0.75)  # meetings, legal reviews
    sections = draft_sections(2021, "某局", totals, figures)
    assert "学习宪法2次、学习习近平法治思想3次；举办法治讲座1次" in sections["study"]
    assert "召开法制委员会会议1次（2021年2月7日），研究年度执法计划" in sections["legal_support"]
    assert "行政诉讼案件1件，其中维持（驳回）1件" in sections["disputes"]
    assert "移送涉嫌环境犯罪案件1件（水1件），公安机关已立案1件。" in sections["enforcement"]
    assert (
        "立案案件经审议的比例为80.0%。须经法制审核的重大执法决定8件，作出决定前经法制审核6件，法制审核覆盖率75.0%。"
        in (sections["enforcement"])
    )
    none_required = {**counted, "legal_reviews_required": 0, "legal_reviews_before_decision": 0}
    figures = system_figures(
        none_required, PublicationFigures(due=7, on_time=7, late=0, withdrawn=0), referrals=referrals
    )
    assert figures["legal_review_coverage"] is None
    assert "本年度无须经法制审核的重大执法决定。" in draft_sections(2021, "某局", totals, figures)["enforcement"]
    assert report_due_on(2021, (3, 31)) == date(2022, 3, 31)


def test_the_stages_draft_approved_published() -> None:
    assert check_approval("draft") == "approved"
    assert check_edit("approved") == "draft"  # an edit needs a new approval
    assert check_publication("approved") == "published"
    for refused in (lambda: check_publication("draft"), lambda: check_approval("published")):
        with pytest.raises(Conflict):
            refused()
    with pytest.raises(Conflict):
        check_edit("published")


def test_only_years_with_data_or_a_duty_to_report_are_overdue() -> None:
    today = date(2026, 12, 6)
    assert tracked_years(today, {2020, 2021, 2026}, required_from=None) == [2020, 2021, 2023, 2024, 2025]
    assert tracked_years(today, set(), required_from=2022) == [2022, 2023, 2024, 2025]
    due = date(2025, 1, 31)
    common = {"due_on": due, "today": today, "published": False}
    assert tracking_status(2024, **common, has_data=False, required_from=None) == "no_data"
    assert tracking_status(2024, **common, has_data=True, required_from=None) == "overdue"
    assert tracking_status(2024, **common, has_data=False, required_from=2024) == "overdue"
    assert (
        tracking_status(2024, **{**common, "today": date(2025, 1, 2)}, has_data=True, required_from=None) == "pending"
    )
    assert tracking_status(2024, **{**common, "published": True}, has_data=False, required_from=None) == "published"


def test_figures_read_again_redraft_only_the_sections_nobody_edited() -> None:
    before, after = {"study": "学法1次", "plans": "计划"}, {"study": "学法2次", "plans": "计划"}
    assert redrafted({"study": "学法1次", "plans": "编辑稿"}, before=before, after=after) == {
        "study": "学法2次",
        "plans": "编辑稿",
    }


def test_the_public_totals_leave_out_the_committee_meetings_subjects() -> None:
    """Subjects are staff free text (one may name a party): the public reads them only in the approved sections."""
    totals = {"lectures": 1, "committee_meetings": {"count": 1, "dates": ["2021-02-07"], "subjects": ["张三案"]}}
    assert public_activities(totals) == {"lectures": 1, "committee_meetings": {"count": 1, "dates": ["2021-02-07"]}}
    assert totals["committee_meetings"]["subjects"] == ["张三案"]  # the staff's copy is untouched
