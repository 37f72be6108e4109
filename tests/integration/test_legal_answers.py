"""The legal answers an audit found wrong, asked through the API (TCP for HJ 212): referral contest routes,
standards calculators, the HJ 212 data-segment bound."""

from __future__ import annotations

import pytest

from tests.integration.test_referral_staff_api import police_decides
from tests.integration.test_referral_support import ensure_referral, now_iso, requested, staff_step, transfer
from tests.stack import Stack

pytestmark = pytest.mark.integration


async def test_a_refusal_goes_straight_to_procuratorate_supervision(local: Stack) -> None:
    # 国务院令310 §9: reconsideration or, directly, a suggestion that the procuratorate supervise.
    await ensure_referral(local)
    referral = await requested(local)
    async with local.client("referral", "head") as staff:
        assert (await transfer(staff, referral.id)).status_code == 200
        await police_decides(local, referral.id, {"decision": "declined", "reason": "证据不足"})
        body = {"requested_at": now_iso(), "reason": "镍超标 12 倍，建议立案监督"}
        supervised = await staff_step(staff, referral.id, "supervision", body)
        assert supervised.status_code == 200, supervised.text
        assert supervised.json()["status"] == "supervision"
        await police_decides(local, referral.id, {"receipt": False, "decision": "declined", "reason": "维持"})
        for step in ("supervision", "reconsideration"):  # supervision once; reconsideration is past
            again = await staff_step(staff, referral.id, step, body)
            assert again.status_code == 409, again.text
            assert "once" in again.json()["missing_step"]
        shown = (await staff.get(f"/api/v1/referral/referrals/{referral.id}")).json()
        limits = {d["name"]: d for d in shown["deadlines"]}
        assert limits["reconsideration_request"]["state"] == "met"  # contested in time, by supervision
        assert {"reconsideration_answer", "supervision_request"}.isdisjoint(limits)  # no reconsideration was asked


@pytest.mark.parametrize(
    ("decided_on", "due_on"),
    [
        ("2030-01-24", "2030-02-06"),  # 7 working days over 2030's Spring Festival (除夕 Feb 2 to 初三 Feb 5)
        ("2030-01-23", "2030-02-01"),  # the day before: the seventh working day is the Friday before 除夕
        ("2030-09-06", "2030-09-18"),  # over Mid-Autumn (Thursday Sep 12)
    ],
)
async def test_a_year_without_official_data_keeps_its_statutory_holidays(
    local: Stack, decided_on: str, due_on: str
) -> None:
    async with local.client("disclosure", "officer") as client:
        answer = await client.get("/api/v1/disclosure/due-date", params={"kind": "penalty", "decided_on": decided_on})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"due_on": due_on, "working_days": 7, "provisional": True}
