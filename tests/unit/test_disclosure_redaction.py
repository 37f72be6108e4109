"""Redaction (domain §3): generated personal data inside free text never reaches any public rendering."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.disclosure.domain.redaction import Category, mask_name, redact_decision, redact_text
from services.disclosure.handlers.public import public_decision, render_atom, render_csv
from services.disclosure.handlers.publications import apply_decision
from services.disclosure.handlers.queries import PublicFilters
from services.disclosure.portal.pages import TEMPLATES, yuan
from services.disclosure.settings import DisclosureSettings
from services.disclosure.tables import Publication
from shared.contracts.common import DecisionKind, PartySnapshot, PartyType, PenaltyTerms
from shared.contracts.events import DecisionIssuedV1
from tests.factories import credit_code
from tests.support.redaction import FILLER, bank_accounts, id_numbers, phones

pytestmark = pytest.mark.unit


@st.composite
def addresses(draw: st.DrawFn) -> str:
    road = "".join(draw(st.lists(st.sampled_from("阳光和平建设幸福友谊红旗"), min_size=2, max_size=4)))
    return (
        f"天津市西青区{draw(st.sampled_from(['中北镇', '杨柳青镇', '张家窝镇']))}{road}路{draw(st.integers(1, 999))}号"
    )


@st.composite
def secrets(draw: st.DrawFn) -> dict[str, str]:
    return {
        "id_number": draw(id_numbers()),
        "phone": draw(phones()),
        "bank_account": draw(bank_accounts()),
        "address": draw(addresses()),
        "birth": f"{draw(st.integers(1940, 2005))}年{draw(st.integers(1, 12))}月{draw(st.integers(1, 28))}日出生",
    }


@st.composite
def texts_with(draw: st.DrawFn, found: dict[str, str]) -> str:
    """Free text with the secrets at random places, each introduced the way decisions write them."""
    intro = {
        "id_number": "身份证号",
        "phone": "联系电话",
        "bank_account": "账号",
        "address": draw(st.sampled_from(["住址：", "家庭住址", "现住"])),
        "birth": "",
    }
    keys = draw(st.permutations(list(found)))
    parts = [draw(FILLER)]
    for key in keys:
        parts += [
            draw(st.sampled_from(["，", "。", "；", " "])),
            intro[key],
            found[key],
            draw(st.sampled_from(["，", "。", "；"])),
            draw(FILLER),
        ]
    return "".join(parts)


def _leaks(output: str, found: dict[str, str]) -> list[str]:
    digits_only = re.sub(r"\D", "", output)
    leaked = [key for key, value in found.items() if value in output]
    for key in ("id_number", "phone", "bank_account"):
        core = re.sub(r"\D", "", found[key]).removeprefix("86") if key == "phone" else re.sub(r"\D", "", found[key])
        if core[:17] in digits_only:
            leaked.append(f"{key} digits")
    return leaked


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_redact_text_removes_generated_personal_data(data: st.DataObject) -> None:
    found = data.draw(secrets())
    text = data.draw(texts_with(found))
    redacted = redact_text(text)
    assert _leaks(redacted.text, found) == [], redacted.text
    assert _leaks(text, found)  # the generated text really did carry them
    assert redacted.findings


def _decision(found: dict[str, str], facts: str, party_type: PartyType) -> DecisionIssuedV1:
    individual = party_type == PartyType.INDIVIDUAL
    return DecisionIssuedV1(
        decision_id="d-1",
        kind=DecisionKind.PENALTY,
        document_number="津西青环罚〔2021〕7号",
        decided_on=date(2021, 9, 28),
        party=PartySnapshot(
            party_id="p-1",
            party_type=party_type,
            name="王小明" if individual else "天津某化工有限公司",
            credit_code=None if individual else credit_code(),
            id_number=found["id_number"] if individual else None,
            legal_representative=None if individual else "张三",
            address=found["address"],
            town="中北镇",
        ),
        facts=facts,
        legal_basis="《中华人民共和国水污染防治法》第八十三条；当事人电话" + found["phone"],
        penalty=PenaltyTerms(fine_fen=12_345_600, summary=f"罚款，缴至账户{found['bank_account']}"),
        violation_type="超标排放",
    )


def public_renderings(publication: Publication) -> dict[str, str]:
    item = public_decision(publication)
    return {
        "json": item.model_dump_json(),
        "csv": render_csv([item]),
        "atom": render_atom([item], feed_url="http://x/feed", portal_url="http://x/portal", authority="局"),
        "portal_decision": TEMPLATES.get_template("decision.html").render(authority="局", yuan=yuan, item=item),
        "portal_list": TEMPLATES.get_template("list.html").render(
            authority="局", yuan=yuan, items=[item], filters=PublicFilters(), kinds=[], next_url=None
        ),
    }


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.data(), st.sampled_from(list(PartyType)))
def test_no_public_rendering_contains_personal_data(data: st.DataObject, party_type: PartyType) -> None:
    """JSON, CSV, Atom and portal HTML are all built from the one redacted model; none carries the secrets."""
    found = data.draw(secrets())
    decision = _decision(found, data.draw(texts_with(found)), party_type)
    publication = Publication(
        id="pub-1",
        decision_id="d-1",
        kind="penalty",
        document_number="",
        party_name="",
        decided_on=decision.decided_on,
        due_on=date(2021, 10, 13),
        status="published",
        published_on=date(2021, 9, 30),
    )
    apply_decision(publication, decision, DisclosureSettings())
    for name, output in public_renderings(publication).items():
        assert _leaks(output, found) == [], (name, output)
    report = json.dumps(publication.redaction_report, ensure_ascii=False)
    assert found["id_number"] not in report  # the report says what kind of item went, never the item


def test_ordinary_decision_text_is_left_alone() -> None:
    facts = (
        "2021年9月28日，执法人员对该公司进行现场检查，发现其废水总排口化学需氧量浓度为156mg/L，超过《污水综合排放标准》"
        "（GB 8978-1996）规定限值2.1倍。依据津西青环罚〔2021〕12号，罚款人民币100000元，责令于2021年10月15日前改正。"
    )
    assert redact_text(facts).text == facts


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    secret=id_numbers() | bank_accounts(),
    before=st.text(alphabet="0123456789", max_size=40),
    after=st.text(alphabet="0123456789", max_size=40),
    words=FILLER,
)
def test_an_identifier_glued_to_other_digits_is_removed(secret: str, before: str, after: str, words: str) -> None:
    """However many digits surround it, an ID number or account never survives: a run too long to be any identifier
    (over 30 digits) goes whole, shorter runs are taken for an ID number or an account."""
    redacted = redact_text(f"{words}，{before}{secret}{after}。{words}")
    assert secret not in redacted.text
    assert re.sub(r"\D", "", secret)[:12] not in re.sub(r"\D", "", redacted.text)


def test_a_digit_run_longer_than_any_identifier_is_withheld_whole() -> None:
    inner = "110105200001010008"
    for run in ("0" * 13 + inner, inner + "7" * 20, "6222 0212 3456 7890 1234 5678 9012 3456"):
        redacted = redact_text(f"编号{run}。")
        assert redacted.text == "编号［长数字串已隐去］。", run
        assert [f.category for f in redacted.findings] == [Category.LONG_NUMBER]
    assert [f.category for f in redact_text("账号" + "1" * 30).findings] == [Category.BANK_ACCOUNT]


def test_known_identifiers_are_removed_even_without_a_recognisable_shape() -> None:
    decision = _decision(
        {
            "id_number": "120111198001020013",
            "address": "西青区某村后街",
            "phone": "13812345678",
            "bank_account": "6222020123456789",
        },
        "当事人王小明在西青区某村后街私设排污口。",
        PartyType.INDIVIDUAL,
    )
    content = redact_decision(decision, name_style="surname")
    assert "西青区某村后街" not in content.facts
    assert content.party_name == "王某"
    assert "王小明" not in content.facts
    assert "王某" in content.facts
    assert content.credit_code is None
    assert {("party.id_number", Category.KNOWN_IDENTIFIER), ("party.address", Category.KNOWN_IDENTIFIER)} <= {
        (f.field, f.category) for f in content.findings
    }


@pytest.mark.parametrize(
    ("name", "style", "shown"),
    [
        ("王小明", "full", "王小明"),
        ("王小明", "surname", "王某"),
        ("王小明", "surname_double", "王某某"),
        ("欧阳小明", "surname", "欧阳某"),
    ],
)
def test_individual_name_masking(name: str, style: str, shown: str) -> None:
    assert mask_name(name, style) == shown
