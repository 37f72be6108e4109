"""Formal documents as PDF: every kind rendered, read back with pypdf, every required field found; safe PDFs."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFName, PDFString
from reportlab.pdfgen.canvas import Canvas

from services.disclosure.handlers.documents import public_text
from services.disclosure.schemas import PublicDecision, PublicPenalty
from shared.contracts.common import DecisionKind
from shared.documents import render_pdf
from shared.documents.decisions import (
    OPERATIVE_HEADINGS,
    DecisionText,
    decision_document,
    penalty_lines,
    statements_line,
    title_of,
)
from shared.documents.forms import ServiceReceiptText, TransferLetterText, service_receipt, transfer_letter
from tests.support.documents import pdf_text, unsafe_features

AUTHORITY = "天津市西青区生态环境局"
TERMS: dict[DecisionKind, dict[str, object]] = {
    DecisionKind.SEIZURE: {
        "seizure": {
            "action": "seize",
            "items": ["污水处理设备一套", "排污泵两台"],
            "term_days": 30,
            "starts_on": "2026-03-02",
        }
    },
    DecisionKind.PRODUCTION_RESTRICTION: {"restriction": {"mode": "halt", "months": 3}},
    DecisionKind.DAILY_PENALTY: {
        "daily_penalty": {"recheck_on": "2026-03-20", "daily_amount_fen": 5_000_000, "days": 12}
    },
}
TITLES = {
    DecisionKind.PENALTY: "行政处罚决定书",
    DecisionKind.SEIZURE: "查封（扣押）决定书",
    DecisionKind.YELLOW_CARD: "环保“黄牌”警示通知书",
    DecisionKind.ORDER_TO_CORRECT: "责令改正违法行为决定书",
    DecisionKind.DAILY_PENALTY: "按日连续处罚决定书",
    DecisionKind.PRODUCTION_RESTRICTION: "责令停产整治决定书",
}


def full_text(kind: DecisionKind, **changes: object) -> DecisionText:
    terms = TERMS.get(kind, {})
    money = {"fine_fen": 12_345_678, "confiscation_fen": 50_000} if kind == DecisionKind.PENALTY else {}
    penalty = {**money, "warning": kind == DecisionKind.PENALTY, "other_measures": ["责令立即改正违法行为"]}
    values: dict[str, object] = {
        "kind": kind,
        "title": title_of(kind, terms),
        "document_number": "津西青环罚〔2026〕17号",
        "authority": AUTHORITY,
        "decided_on": date(2026, 3, 9),
        "party": (
            ("当事人", "天津某化工有限公司"),
            ("统一社会信用代码", "91120111MA05K3L7X1"),
            ("法定代表人", "王建国"),
        ),
        "facts": "2026年1月5日，本局执法人员对当事人进行现场检查，发现其废水总排口化学需氧量超标2.1倍。",
        "evidence": "现场检查（勘察）笔录、调查询问笔录、监测报告（编号JC-2026-011）。",
        "legal_basis": "《中华人民共和国水污染防治法》第十条、第八十三条第（二）项",
        "discretion": "依据《天津市生态环境行政处罚自由裁量基准》，超标倍数2倍以上不足3倍，按中间档裁量。",
        "statements": statements_line(False),
        "measures": tuple(penalty_lines(penalty, kind, terms)),
        "payment": "当事人应当自收到本决定书之日起十五日内缴纳罚没款。",
        "remedies": "当事人如不服本决定，可以自收到本决定书之日起六十日内申请行政复议。",
    }
    return DecisionText(**{**values, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", list(DecisionKind))
def test_each_kind_carries_every_required_field(kind: DecisionKind) -> None:
    content = full_text(kind)
    text = pdf_text(render_pdf(decision_document(content)))
    required = [
        AUTHORITY,
        TITLES[kind],
        "津西青环罚〔2026〕17号",
        "天津某化工有限公司",
        "91120111MA05K3L7X1",
        "王建国",
        "化学需氧量超标2.1倍",
        "监测报告（编号JC-2026-011）",
        "《中华人民共和国水污染防治法》第十条、第八十三条第（二）项",
        "按中间档裁量",
        "不予采纳",
        "责令立即改正违法行为",
        "十五日内缴纳罚没款",
        "六十日内申请行政复议",
        "2026年3月9日",
    ]
    assert [field for field in required if field not in text] == []
    assert unsafe_features(render_pdf(decision_document(content))) == []


def test_kind_terms_and_money_are_written_out() -> None:
    penalty = pdf_text(render_pdf(decision_document(full_text(DecisionKind.PENALTY))))
    assert "警告" in penalty
    assert "罚款人民币123,456.78元" in penalty
    assert "没收违法所得人民币500.00元" in penalty
    seizure = pdf_text(render_pdf(decision_document(full_text(DecisionKind.SEIZURE))))
    assert "污水处理设备一套；排污泵两台" in seizure
    assert "自2026年3月2日起30日" in seizure
    daily = pdf_text(render_pdf(decision_document(full_text(DecisionKind.DAILY_PENALTY))))
    assert "按日连续处罚12日，每日罚款人民币50,000.00元，共计人民币600,000.00元" in daily
    halt = pdf_text(render_pdf(decision_document(full_text(DecisionKind.PRODUCTION_RESTRICTION))))
    assert "责令停产整治，期限3个月" in halt
    release = {"seizure": {"action": "release"}}
    assert title_of(DecisionKind.SEIZURE, release) == "解除查封（扣押）决定书"
    assert title_of(DecisionKind.PRODUCTION_RESTRICTION, {"restriction": {"mode": "restrict"}}) == "责令限制生产决定书"


def test_statements_adopted_or_not_or_none_are_said() -> None:
    assert "予以采纳" in statements_line(True)
    assert "不予采纳" in statements_line(False)
    assert "未提出" in statements_line(None)


def test_the_public_version_leaves_out_what_is_not_published_and_says_so() -> None:
    content = full_text(DecisionKind.PENALTY, evidence="", statements="", payment="", remedies="", public=True)
    text = pdf_text(render_pdf(decision_document(content)))
    assert "行政处罚决定书（公开版）" in text
    assert "已隐去个人信息" in text
    assert "以上事实，有以下证据为证" not in text
    assert "十五日内缴纳" not in text


def test_markup_in_a_record_stays_text_and_adds_no_link_or_image() -> None:
    hostile = '<a href="javascript:alert(1)">点击</a><img src="/etc/passwd"/><link href="http://x.example">x</link>'
    pdf = render_pdf(decision_document(full_text(DecisionKind.PENALTY, facts=hostile)))
    assert '<ahref="javascript:alert(1)">点击</a><imgsrc="/etc/passwd"/>' in pdf_text(pdf)
    assert unsafe_features(pdf) == []


def test_characters_outside_the_basic_plane_render_and_a_lone_surrogate_does_not_break_rendering() -> None:
    facts = "当事人张\U00020000明排放废水😀。\ud800"
    text = pdf_text(render_pdf(decision_document(full_text(DecisionKind.PENALTY, facts=facts))))
    assert "当事人张\U00020000明排放废水😀。\ufffd" in text


def test_a_long_decision_flows_over_pages_and_rendering_is_reproducible() -> None:
    content = full_text(DecisionKind.PENALTY, facts="当事人超标排放水污染物。" * 800)
    first, again = render_pdf(decision_document(content)), render_pdf(decision_document(content))
    assert first == again
    assert first.startswith(b"%PDF-")
    assert pdf_text(first).count("当事人超标排放水污染物。") == 800


def test_service_receipt_names_the_document_and_the_recipient() -> None:
    receipt = ServiceReceiptText(
        authority=AUTHORITY,
        document_title="行政处罚决定书",
        document_number="津西青环罚〔2026〕17号",
        recipient="天津某化工有限公司",
        address="天津市西青区中北镇某路1号",
        method="direct",
        served_on=date(2026, 3, 10),
    )
    text = pdf_text(render_pdf(service_receipt(receipt)))
    for field in (
        "送达回证",
        "行政处罚决定书（津西青环罚〔2026〕17号）",
        "天津某化工有限公司",
        "中北镇某路1号",
        "直接送达",
        "2026年3月10日",
        "受送达人签名或者盖章",
        "送达人签名",
        AUTHORITY,
    ):
        assert field in text, field
    blank = pdf_text(render_pdf(service_receipt(ServiceReceiptText(AUTHORITY, "行政处罚决定书", "X号", "某公司"))))
    assert "年月日时分" in blank


def test_transfer_letter_carries_the_case_the_offence_and_the_materials() -> None:
    letter = TransferLetterText(
        authority=AUTHORITY,
        letter_number="津西青环移〔2026〕2号",
        police_unit="天津市公安局西青分局",
        case_number="津西青环立〔2026〕31号",
        party_name="天津某电镀有限公司",
        credit_code="91120111MA05K3L7X1",
        offence="污染环境罪",
        summary="当事人通过暗管排放含铬废水，总铬超标12倍。",
        thresholds=("排放含铬污染物超过排放标准三倍以上",),
        materials=("案件调查报告", "现场检查笔录", "监测报告"),
        approved_on=date(2026, 4, 1),
        copy_to="天津市西青区人民检察院",
    )
    text = pdf_text(render_pdf(transfer_letter(letter)))
    for field in (
        "涉嫌犯罪案件移送书",
        "津西青环移〔2026〕2号",
        "天津市公安局西青分局：",
        "津西青环立〔2026〕31号",
        "天津某电镀有限公司",
        "涉嫌污染环境罪",
        "总铬超标12倍",
        "超过排放标准三倍以上",
        "1.案件调查报告",
        "3.监测报告",
        "2026年4月1日",
        "抄送：天津市西青区人民检察院",
    ):
        assert field in text, field


def test_the_safety_check_finds_a_link_and_javascript() -> None:
    """The check above can fail: a PDF with a link out and a script run on open is caught."""
    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.drawString(72, 72, "x")
    canvas.linkURL("http://example.com/", (10, 10, 100, 100))
    script = PDFDictionary({"S": PDFName("JavaScript"), "JS": PDFString("app.alert(1)")})
    canvas._doc.Catalog.OpenAction = canvas._doc.Reference(script)  # what a hostile producer would add
    canvas.save()
    assert {"/Annots", "/URI", "/OpenAction", "/JS"} <= set(unsafe_features(out.getvalue()))


# Each kind's recorded terms with a summary (处罚结果 as written) that says them again in its own words, and what the
# operative section must then state exactly once.
RESTATED: dict[DecisionKind, tuple[dict[str, object], tuple[str, ...]]] = {
    DecisionKind.PENALTY: (
        {"fine_fen": 40_800_000, "confiscation_fen": 50_000, "warning": True,
         "other_measures": ["责令立即改正违法行为"],
         "summary": "警告，罚款人民币408,000元，没收违法所得伍佰元，并责令立即改正违法行为"},
        ("警告", "罚款", "408,000", "没收", "改正"),
    ),
    DecisionKind.SEIZURE: ({"summary": "查封污水处理设备一套、排污泵两台"}, ("查封", "污水处理设备一套")),
    DecisionKind.YELLOW_CARD: (
        {"summary": "予以环保“黄牌”警示，责令限制生产三个月"}, ("黄牌", "限制生产三个月"),
    ),
    DecisionKind.ORDER_TO_CORRECT: (
        {"other_measures": ["于十五日内建立并如实填写危险废物管理台账"],
         "summary": "责令于十五日内建立并如实填写危险废物管理台账"},
        ("危险废物管理台账",),
    ),
    DecisionKind.DAILY_PENALTY: (
        {"fine_fen": 60_000_000, "summary": "按日连续处罚，共计罚款人民币陆拾万元"}, ("罚款", "600,000"),
    ),
    DecisionKind.PRODUCTION_RESTRICTION: ({"summary": "责令停产整治三个月"}, ("停产整治",)),
}  # fmt: skip


def operative(text: str, kind: DecisionKind) -> str:
    """The operative section of a document's text: from its heading to the next heading or the signature."""
    after = text.split(f"、{OPERATIVE_HEADINGS[kind]}", 1)[1]
    return re.split(r"[一二三四五六七八九十]、|" + AUTHORITY, after, maxsplit=1)[0]


def public_decision(kind: DecisionKind, penalty: dict[str, object]) -> PublicDecision:
    full = full_text(kind)
    return PublicDecision(
        id="p1", kind=kind, kind_label=TITLES[kind], document_number=full.document_number, status="published",
        party_name="天津某化工有限公司", party_type="organisation", credit_code="91120111MA05K3L7X1",
        legal_representative="王建国", town="中北镇", authority=AUTHORITY, decided_on=full.decided_on,
        published_on=full.decided_on, due_on=full.decided_on, facts=full.facts, legal_basis=full.legal_basis,
        violation_type=None, withdrawal=None,
        penalty=PublicPenalty.model_validate({
            "fine_fen": 0, "confiscation_fen": 0, "warning": False, "licence_measure": None, "other_measures": [],
            **penalty,
        }),
    )  # fmt: skip


@pytest.mark.parametrize("kind", list(DecisionKind))
def test_each_penalty_is_stated_once_in_the_full_and_the_public_document(kind: DecisionKind) -> None:
    penalty, once = RESTATED[kind]
    terms = TERMS.get(kind, {})
    full = pdf_text(render_pdf(decision_document(full_text(kind, measures=tuple(penalty_lines(penalty, kind, terms))))))
    public = pdf_text(render_pdf(decision_document(public_text(public_decision(kind, penalty)))))
    for document in (full, public):
        section = operative(document, kind)
        assert {word: section.count(word) for word in once} == dict.fromkeys(once, 1), section


def test_a_summary_keeps_what_the_recorded_terms_do_not_say() -> None:
    penalty = {"fine_fen": 40_800_000, "summary": "罚款人民币408,000元，并责令停产整治"}
    assert penalty_lines(penalty, DecisionKind.PENALTY) == ["罚款人民币408,000.00元", "责令停产整治"]
    assert penalty_lines({"summary": "罚款人民币伍万元"}) == ["罚款人民币伍万元"]
    other = {"fine_fen": 40_800_000, "summary": "罚款人民币408,000元并没收违法所得"}
    assert penalty_lines(other) == ["罚款人民币408,000.00元", "罚款人民币408,000元并没收违法所得"]
    # a measure recorded briefly and written out more fully in the summary: the fuller clause stays, once
    yellow = {"other_measures": ["责令限制生产"], "summary": "予以环保“黄牌”警示，责令限制生产三个月"}
    assert penalty_lines(yellow, DecisionKind.YELLOW_CARD) == ["予以环保“黄牌”警示，责令限制生产三个月"]
    restated = {"other_measures": ["责令停产整治"], "summary": "罚款人民币伍万元，责令停产整治"}
    assert penalty_lines(restated) == ["责令停产整治", "罚款人民币伍万元"]
    daily = {"daily_penalty": {"recheck_on": "2026-03-20", "daily_amount_fen": 5_000_000, "days": 12}}
    extra = penalty_lines({"fine_fen": 1_000_000}, DecisionKind.DAILY_PENALTY, daily)
    assert extra[0] == "罚款人民币10,000.00元"
    assert "共计人民币600,000.00元" in extra[1]


def test_a_second_penalty_of_a_stated_kind_is_kept() -> None:
    """Another penalty of a kind already stated is not a repetition: property confiscated beside illegal gains, the
    fine of the person responsible beside the company's (双罚), a sum the recorded terms do not name."""
    gains = {"confiscation_fen": 2_000_000, "summary": "没收违法所得人民币2万元，没收用于违法排污的暗管设备"}
    assert penalty_lines(gains) == ["没收违法所得人民币20,000.00元", "没收用于违法排污的暗管设备"]
    both = {"fine_fen": 2_000_000, "summary": "罚款人民币2万元，对直接负责的主管人员王某罚款人民币2万元"}
    assert penalty_lines(both) == ["罚款人民币20,000.00元", "对直接负责的主管人员王某罚款人民币2万元"]
    other_sum = {"fine_fen": 40_800_000, "summary": "罚款人民币50万元"}
    assert penalty_lines(other_sum) == ["罚款人民币408,000.00元", "罚款人民币50万元"]
    same_sum = {"fine_fen": 40_800_000, "warning": True, "summary": "警告，并处罚款人民币40.8万元"}
    assert penalty_lines(same_sum) == ["警告", "罚款人民币408,000.00元"]
