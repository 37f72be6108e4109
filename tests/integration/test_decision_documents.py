"""Decision documents as PDF in cases: rendered and stored when issued (SHA-256 on the record and in the audit
chain), re-rendered when amended, served to staff as a download; the service receipt (送达回证)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from shared.audit import history, verify_chain
from tests.factories import decision_body
from tests.stack import Stack
from tests.support.documents import pdf_text, unsafe_features

pytestmark = pytest.mark.integration


def full_body() -> dict[str, Any]:
    body = decision_body(kind="penalty", decided_on="2021-09-28", fine_fen=12_345_600)
    body["party"]["phone"] = "022-27391234"
    body.update(
        evidence_summary="现场检查笔录、监测报告（编号JC-2021-088）",
        discretion="超标倍数2倍以上不足3倍，按中间档裁量。",
        statements_adopted=False,
    )
    return body


async def test_an_issued_decision_has_its_document_stored_audited_and_served(stack: Stack) -> None:
    body = full_body()
    async with stack.client("cases", "head") as head:
        issued = (await head.post("/api/v1/cases/decisions", json=body)).json()
        answer = await head.get(f"/api/v1/cases/decisions/{issued['id']}/document.pdf")
    assert answer.status_code == 200, answer.text
    sha256 = hashlib.sha256(answer.content).hexdigest()
    assert issued["document_sha256"] == sha256
    assert answer.headers["x-content-sha256"] == sha256
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == 'attachment; filename="decision-penalty-2021-1.pdf"'
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert unsafe_features(answer.content) == []
    text = pdf_text(answer.content)
    party = body["party"]
    for field in (
        "天津市西青区生态环境局",
        "行政处罚决定书",
        issued["document_number"],
        party["name"],
        party["credit_code"],
        "法定代表人：张三",
        "住所：天津市西青区某路1号",
        "022-27391234",
        body["facts"],
        "监测报告（编号JC-2021-088）",
        body["legal_basis"],
        "按中间档裁量",
        "不予采纳",
        "罚款人民币123,456.00元",
        "十五日内",
        "申请行政复议",
        "2021年9月28日",
    ):
        assert field in text, field
    async with stack.runtime("cases").sessions() as session:
        rows = await history(session, entity_type="decision", entity_id=issued["id"])
        assert (await verify_chain(session)).ok
    assert [(r.action, json.loads(r.data)["document_sha256"]) for r in rows] == [("issued", sha256)]


async def test_an_amended_decision_gets_a_new_document(stack: Stack) -> None:
    async with stack.client("cases", "head") as head:
        issued = await head.post("/api/v1/cases/decisions", json=full_body())
        first = issued.json()
        change = {"amended_on": "2021-10-08", "reason": "文字错误", "facts": "超标排放水污染物（更正）。"}
        amended = await head.post(
            f"/api/v1/cases/decisions/{first['id']}/amendment",
            json=change,
            headers={"If-Match": issued.headers["etag"]},
        )
        assert amended.status_code == 200, amended.text
        answer = await head.get(f"/api/v1/cases/decisions/{first['id']}/document.pdf")
    assert amended.json()["document_sha256"] not in (None, first["document_sha256"])
    assert hashlib.sha256(answer.content).hexdigest() == amended.json()["document_sha256"]
    assert "超标排放水污染物（更正）。" in pdf_text(answer.content)
    async with stack.runtime("cases").sessions() as session:
        rows = await history(session, entity_type="decision", entity_id=first["id"])
    assert rows[-1].action == "amended"
    assert json.loads(rows[-1].data)["document_sha256"] == amended.json()["document_sha256"]


async def test_a_document_missing_from_the_store_is_a_404_problem(stack: Stack) -> None:
    async with stack.client("cases", "head") as head:
        issued = (await head.post("/api/v1/cases/decisions", json=full_body())).json()
        sha256 = issued["document_sha256"]
        stored = stack.config.data_dir / "documents" / sha256[:2] / sha256
        stored.unlink()
        answer = await head.get(f"/api/v1/cases/decisions/{issued['id']}/document.pdf")
        unknown = await head.get("/api/v1/cases/decisions/00000000-0000-4000-8000-000000000000/document.pdf")
    assert answer.status_code == 404
    assert answer.json()["type"] == "urn:greenlaw:problem:document-not-found"
    assert unknown.status_code == 404


async def test_the_service_receipt_is_blank_until_served_then_filled_in(stack: Stack) -> None:
    async with stack.client("cases", "head") as head:
        issued = await head.post("/api/v1/cases/decisions", json=full_body())
        decision = issued.json()
        blank = await head.get(f"/api/v1/cases/decisions/{decision['id']}/service-receipt.pdf")
        served = {"served_on": "2021-09-29", "method": "direct"}
        await head.post(
            f"/api/v1/cases/decisions/{decision['id']}/service",
            json=served,
            headers={"If-Match": issued.headers["etag"]},
        )
        filled = await head.get(f"/api/v1/cases/decisions/{decision['id']}/service-receipt.pdf")
    assert blank.status_code == 200
    assert blank.headers["content-disposition"] == 'attachment; filename="service-receipt-penalty-2021-1.pdf"'
    assert f"行政处罚决定书（{decision['document_number']}）" in pdf_text(blank.content)
    assert "年月日时分" in pdf_text(blank.content)
    assert "直接送达" in pdf_text(filled.content)
    assert "2021年9月29日" in pdf_text(filled.content)
