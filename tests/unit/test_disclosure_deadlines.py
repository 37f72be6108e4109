"""Publication and withdrawal deadlines across the 2021 Spring Festival and National Day; on-time rates; the
Credit China record."""

from __future__ import annotations

from datetime import date

import pytest

from services.disclosure.domain.credit_china import FIELDS, PublicText, credit_record, wan_yuan
from services.disclosure.domain.deadlines import (
    is_at_risk,
    is_overdue,
    on_time_rate,
    publication_due_date,
    withdrawal_due_date,
)
from shared.contracts.common import DecisionKind, PartySnapshot, PartyType, PenaltyTerms
from shared.contracts.events import DecisionIssuedV1
from shared.decision_kinds import load_table
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
