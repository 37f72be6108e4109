"""Publication and withdrawal deadlines across the 2021 Spring Festival and National Day; on-time rates; the
publication-date windows; the Credit China record and its penalty categories; the annual report's charts."""

from __future__ import annotations

from datetime import date

import pytest

from services.disclosure.domain.annual_report import PublicationFigures, check_report_publication
from services.disclosure.domain.credit_china import FIELDS, PublicText, credit_record, wan_yuan
from services.disclosure.domain.deadlines import (
    check_published_on,
    is_at_risk,
    is_overdue,
    on_time_rate,
    on_time_share,
    publication_due_date,
    withdrawal_due_date,
)
from shared.charts import bar_chart_svg
from shared.contracts.common import DecisionKind, PartySnapshot, PartyType, PenaltyTerms
from shared.contracts.events import DecisionIssuedV1
from shared.decision_kinds import load_table, penalty_categories
from shared.errors import Conflict, Invalid
from shared.workdays import WorkCalendar

pytestmark = pytest.mark.unit

CALENDAR = WorkCalendar()


@pytest.mark.parametrize(
    ("kind", "decided_on", "due_on"),
    [
        # Spring Festival 2021: Feb 11–17 off; Sunday Feb 7 and Saturday Feb 20 are make-up working days.
        (DecisionKind.PENALTY, date(2021, 2, 5), date(2021, 2, 20)),
        (DecisionKind.DAILY_PENALTY, date(2021, 2, 10), date(2021, 2, 25)),
        (DecisionKind.SEIZURE, date(2021, 2, 5), date(2021, 3, 10)),
        # National Day 2021: Oct 1–7 off; Saturday Oct 9 is a make-up working day (domain §0's check).
        (DecisionKind.PENALTY, date(2021, 9, 28), date(2021, 10, 13)),
        (DecisionKind.ORDER_TO_CORRECT, date(2021, 9, 28), date(2021, 11, 1)),
    ],
)
def test_publication_due_dates_cross_the_holidays(kind: DecisionKind, decided_on: date, due_on: date) -> None:
    days = load_table().rule(kind, decided_on).publication_working_days
    due = publication_due_date(CALENDAR, decided_on=decided_on, working_days=days)
    assert due.due_on == due_on
    assert not due.provisional


@pytest.mark.parametrize(
    ("changed_on", "due_on"),
    [
        (date(2021, 9, 29), date(2021, 10, 9)),  # Sep 30, (Oct 1–7 off), Oct 8, Saturday Oct 9 (make-up)
        (date(2021, 2, 10), date(2021, 2, 20)),  # Feb 11–17 off: Feb 18, 19 and Saturday Feb 20 (make-up)
        (date(2021, 2, 9), date(2021, 2, 19)),  # Feb 10, then Feb 18, 19
    ],
)
def test_withdrawal_within_three_working_days(changed_on: date, due_on: date) -> None:
    assert withdrawal_due_date(CALENDAR, changed_on=changed_on, working_days=3) == due_on


def test_at_risk_and_overdue() -> None:
    # Due Friday 2021-10-08; on Wednesday 2021-09-29 only Sep 30 and Oct 8 are working days before it.
    assert is_at_risk(CALENDAR, due_on=date(2021, 10, 8), today=date(2021, 9, 29), within=2)
    assert not is_at_risk(CALENDAR, due_on=date(2021, 10, 11), today=date(2021, 9, 29), within=2)
    assert is_at_risk(CALENDAR, due_on=date(2021, 10, 8), today=date(2021, 10, 8), within=2)
    assert not is_overdue(due_on=date(2021, 10, 8), today=date(2021, 10, 8))
    assert is_overdue(due_on=date(2021, 10, 8), today=date(2021, 10, 9))


def test_on_time_rate_counts_unpublished_past_due_as_late() -> None:
    items = [
        (date(2021, 3, 1), date(2021, 2, 26)),
        (date(2021, 3, 1), date(2021, 3, 1)),
        (date(2021, 3, 1), date(2021, 3, 2)),
        (date(2021, 3, 5), None),
        (date(2021, 3, 20), None),
    ]
    rate = on_time_rate("2021-03", items, today=date(2021, 3, 10))
    assert (rate.due, rate.on_time, rate.late, rate.pending_not_due) == (5, 2, 2, 1)
    assert rate.rate == 0.5
    assert on_time_rate("2021-04", [], today=date(2021, 3, 10)).rate is None


def test_credit_china_record_in_template_order_with_fines_in_wan_yuan() -> None:
    assert wan_yuan(10_000_000) == "10"
    assert wan_yuan(1_234_500) == "1.2345"
    assert wan_yuan(1) == "0.000001"
    decision = DecisionIssuedV1(
        decision_id="d",
        kind=DecisionKind.PENALTY,
        document_number="津西青环罚〔2021〕12号",
        decided_on=date(2021, 9, 28),
        party=PartySnapshot(
            party_id="p", party_type=PartyType.INDIVIDUAL, name="王小明", id_number="120111198001020013"
        ),
        facts="x",
        legal_basis="y",
        penalty=PenaltyTerms(fine_fen=5_000_000, warning=True, summary="警告，罚款伍万元"),
        authority="天津市西青区生态环境局",
        authority_credit_code="11120111MB1234567X",
    )
    text = PublicText(facts="事实", legal_basis="依据", violation_type="", penalty_summary="警告，罚款伍万元")
    record = credit_record(decision, text, publicity_months=36, data_source="局", data_source_code="code")
    assert list(record) == [key for key, _ in FIELDS]
    assert record["party_type"] == "自然人"
    assert record["id_type"] == "身份证"
    assert record["id_number"] == "120111198001020013"
    assert record["credit_code"] == ""
    assert record["fine_wan_yuan"] == "5"
    assert record["penalty_category"] == "警告；罚款"
    assert record["publicity_until"] == "2024-09-28"
    month_end = decision.model_copy(update={"decided_on": date(2021, 11, 30)})
    short = credit_record(month_end, text, publicity_months=3, data_source="局", data_source_code="code")
    assert short["publicity_until"] == "2022-02-28"  # the month's last day when it is shorter
    assert record["authority_credit_code"] == "11120111MB1234567X"


def test_a_publication_date_lies_between_the_decision_date_and_today() -> None:
    decided, today = date(2021, 9, 28), date(2021, 10, 8)
    for day in (decided, today):
        check_published_on(day, decided_on=decided, today=today)
    for day, slug_words in ((date(2021, 10, 9), "future"), (date(2021, 9, 27), "before the decision date")):
        with pytest.raises(Invalid, match=slug_words) as refused:
            check_published_on(day, decided_on=decided, today=today)
        assert refused.value.slug == "validation"


def test_an_annual_report_goes_out_after_its_year_dated_from_the_next_january() -> None:
    today = date(2022, 3, 1)
    check_report_publication(2021, date(2022, 1, 1), today=today)
    with pytest.raises(Conflict) as early:
        check_report_publication(2022, today, today=today)
    assert early.value.slug == "year-not-over"
    for day in (date(2021, 12, 31), date(2022, 3, 2)):
        with pytest.raises(Invalid):
            check_report_publication(2021, day, today=today)


def test_the_on_time_share_is_the_same_for_the_statistics_and_the_report() -> None:
    assert on_time_share(3, 1) == 0.75
    assert on_time_share(0, 0) is None
    assert PublicationFigures(due=4, on_time=2, late=1, withdrawn=0).rate == on_time_share(2, 1) == 0.6667


def test_penalty_categories_from_the_terms_when_the_decision_states_none() -> None:
    terms = PenaltyTerms(warning=True, fine_fen=100, licence_measure="吊销排污许可证", other_measures=["责令改正"])
    assert penalty_categories(terms, DecisionKind.PENALTY) == ["警告", "罚款", "吊销排污许可证", "责令改正"]
    restriction = penalty_categories(PenaltyTerms(), DecisionKind.PRODUCTION_RESTRICTION)
    assert restriction == ["限制开展生产经营活动"]
    halt = penalty_categories(PenaltyTerms(), DecisionKind.PRODUCTION_RESTRICTION, restriction_mode="halt")
    assert halt == ["责令停产停业"]
    assert penalty_categories(PenaltyTerms(), DecisionKind.PENALTY) == ["其他"]


def test_the_report_charts_are_drawn_with_their_titles_and_read_out() -> None:
    svg = bar_chart_svg(["行政处罚决定", "查封扣押决定"], [3, 1], ylabel="件", title="2021年执法决定（按种类）")
    assert svg.startswith("<svg ")
    assert 'role="img" aria-label="2021年执法决定（按种类）"' in svg
    assert "2021年执法决定（按种类）" in svg.split(">", 1)[1]  # drawn, not only labelled
    assert 'role="img"' not in bar_chart_svg(["a"], [1], ylabel="%")
