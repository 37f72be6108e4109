"""The referral's transfer letter (涉嫌犯罪案件移送书) as PDF: the case, the suspected offence, the thresholds, the
materials list and the copy to the procuratorate; its number once given at the transfer; owner-checked."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.stack import Stack, StackConfig
from tests.support.documents import pdf_text, unsafe_features
from tests.support.referral import ensure_referral, officer_token, requested, transfer

pytestmark = pytest.mark.integration


@pytest.fixture
async def local(tmp_path: Path) -> AsyncIterator[Stack]:
    async with Stack(StackConfig(database="sqlite", transport="inprocess", data_dir=tmp_path)) as running:
        await ensure_referral(running)
        yield running


async def test_the_transfer_letter_names_the_case_offence_materials_and_copy(local: Stack) -> None:
    referral = await requested(local)
    path = f"/api/v1/referral/referrals/{referral.id}/transfer-letter.pdf"
    async with local.client("referral", token=officer_token(local)) as officer:
        before = await officer.get(path)
        assert (await transfer(officer, referral.id, transfer_letter_number="津西青环移〔2024〕7号")).status_code == 200
        after = await officer.get(path)
    async with local.client("referral", token=officer_token(local, team="执法二队")) as stranger:
        hidden = await stranger.get(path)
    assert before.status_code == 200, before.text
    assert before.headers["content-disposition"] == f'attachment; filename="transfer-letter-{referral.id}.pdf"'
    assert before.headers["x-content-type-options"] == "nosniff"
    assert after.headers["x-content-sha256"] == hashlib.sha256(after.content).hexdigest()
    assert unsafe_features(after.content) == []
    text = pdf_text(after.content)
    approved = referral.approved_on
    for field in (
        "天津市西青区生态环境局",
        "涉嫌犯罪案件移送书",
        "津西青环移〔2024〕7号",
        f"{referral.police_unit}：",
        referral.case_number,
        referral.party_name,
        "涉嫌污染环境罪",
        "镍超标12倍",
        "镍超过排放标准10倍以上",
        "1.移送函",
        "5.监测报告",
        f"{approved.year}年{approved.month}月{approved.day}日",
        "抄送：天津市西青区人民检察院",
    ):
        assert field in text, field
    assert "津西青环移" not in pdf_text(before.content)  # no number before the transfer gives one
    assert hidden.status_code == 404
