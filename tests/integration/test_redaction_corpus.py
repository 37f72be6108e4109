"""Proof of redaction (domain §3): no personal span in any public byte, the rest kept.

First the leaks and over-redactions found by hand, each through the public API (JSON list and by id, CSV, Atom,
the portal page). Then a generated corpus. Design, to stay within a minute in CI: every one of the 5,000
generated decisions goes through the publication path in-process — ``apply_decision`` (what the consumer of
``cases.decision.issued.v1`` runs), then each public representation from the stored publication: the JSON model,
the CSV and Atom renderings, the portal's decision page, and the Credit China record that
``credit_china.stage_upsert`` puts on the ledger. A sample of 150 goes through the real HTTP stack instead: issued
at the cases API, published by the disclosure consumer, and read back from ``/public/v1/decisions`` (JSON pages,
each decision, ``.csv``, ``.atom``), the portal and the Credit China ledger. The Credit China record's identity
fields (证件号码) go to the platform, which does not publish them (§3 field list), so they are the only bytes not
checked.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import random
import re
import time
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import text as sql
from typer.testing import CliRunner

from services.cases.domain.identifiers import credit_code_check_char, id_number_check_char
from services.disclosure.background import recheck_redactions
from services.disclosure.domain.detectors import fold
from services.disclosure.handlers import credit_china
from services.disclosure.handlers.public import public_decision, render_atom, render_csv
from services.disclosure.handlers.publications import apply_decision, local_today
from services.disclosure.portal.pages import TEMPLATES, yuan
from services.disclosure.settings import DisclosureSettings
from services.disclosure.tables import CreditRecord, Publication
from services.ops.cli import app as cli
from shared.audit import history
from tests.factories import decision_body
from tests.redaction_corpus import TEMPLATES as TEMPLATE_COUNT
from tests.redaction_corpus import Corpus, CorpusDecision, Published, Secret, kept_words, leaks
from tests.stack import Stack, eventually

pytestmark = pytest.mark.integration

# Decisions generated; raise it locally (GREENLAW_REDACTION_CORPUS=50000) for a wider search.
CORPUS_SIZE = int(os.environ.get("GREENLAW_REDACTION_CORPUS", "5000"))
HTTP_SAMPLE = 150
PLATFORM_ONLY = ("id_type", "id_number", "legal_representative_id_type", "legal_representative_id_number")


def _id_number(rng: random.Random, born: str = "19800101") -> str:
    first17 = "120111" + born + f"{rng.randint(0, 999):03d}"
    return first17 + id_number_check_char(first17)


def _home(rng: random.Random) -> str:
    town, village = rng.choice(["中北镇", "张家窝镇"]), rng.choice("东西南北") + rng.choice("王李")
    return f"天津市西青区{town}{village}村{rng.randint(1, 99)}号"


async def _publish(stack: Stack, party: dict[str, Any], facts: str) -> str:
    body = decision_body(decided_on=local_today("Asia/Shanghai").isoformat())
    body["party"], body["facts"] = party, facts
    async with stack.client("cases", "head") as cases:
        issued = await cases.post("/api/v1/cases/decisions", json=body)
    assert issued.status_code == 201, issued.text
    async with stack.client("disclosure", "disclosure_editor") as staff:

        async def published() -> str | None:
            found = await staff.get("/api/v1/disclosure/publications", params={"decision_id": issued.json()["id"]})
            items = found.json()["items"]
            return str(items[0]["id"]) if items and items[0]["status"] == "published" else None

        publication_id: str = await eventually(published)
    return publication_id


async def test_a_doubtful_redaction_holds_the_automatic_publication_for_the_editor(local: Stack) -> None:
    """Penalties publish automatically here; a bare address without a known division (confidence 0.75) and an
    unexplained 13-digit number (0.7) make it wait for the editor, audited; the editor's view of the redactions shows
    each marker with its reason, confidence and the text it replaced."""
    rng = random.Random()
    body = decision_body(decided_on=local_today("Asia/Shanghai").isoformat())
    body["facts"] = (
        f"被询问人刘某，男，汉族，中北镇东王村{rng.randint(1, 99)}号，承认私设暗管。"
        f"样品编号{rng.randint(10**12, 10**13 - 1)}，化学需氧量超标2.1倍。"
    )
    async with local.client("cases", "head") as cases:
        issued = (await cases.post("/api/v1/cases/decisions", json=body)).json()
    async with local.client("disclosure", "disclosure_editor") as staff:

        async def created() -> dict[str, Any] | None:
            found = await staff.get("/api/v1/disclosure/publications", params={"decision_id": issued["id"]})
            return next(iter(found.json()["items"]), None)

        held = await eventually(created)
        assert held["status"] == "pending"
        lowest = {(r["category"], r["min_confidence"]) for r in held["redaction_report"]}
        assert {("address", 0.75), ("bank_account", 0.7)} <= lowest
        assert held["public_facts"].startswith("被询问人刘某，男，汉族，［住址已隐去］，承认私设暗管。")
        async with local.runtime("disclosure").sessions() as session:
            actions = [r.action for r in await history(session, entity_type="publication", entity_id=held["id"])]
        assert actions == ["created", "held_for_review"]
        marks = (await staff.get(f"/api/v1/disclosure/publications/{held['id']}/redactions")).json()
        assert marks["current"] is True
        assert marks["review_below"] == 0.8
        by_reason = {m["reason"]: m for m in marks["items"]}
        address = by_reason["address"]
        assert address["confidence"] == 0.75
        assert address["removed"] == body["facts"].split("，")[3]
        assert held["public_facts"][address["start"] : address["end"]] == "［住址已隐去］"
        assert by_reason["bank_account"]["removed"].isdigit()
        async with local.client("disclosure") as anonymous:
            url = f"/api/v1/disclosure/publications/{held['id']}/redactions"
            assert (await anonymous.get(url)).status_code == 401
        read = await staff.get(f"/api/v1/disclosure/publications/{held['id']}")
        url = f"/api/v1/disclosure/publications/{held['id']}/publish"
        approved = await staff.post(url, headers={"If-Match": read.headers["etag"]})
        assert approved.json()["status"] == "published"


async def _public_pages(stack: Stack, publication_id: str) -> dict[str, str]:
    async with stack.client("disclosure") as public:
        paths = [
            "/public/v1/decisions",
            f"/public/v1/decisions/{publication_id}",
            "/public/v1/decisions.csv",
            "/public/v1/decisions.atom",
            f"/portal/decisions/{publication_id}",
        ]
        return {path: (await public.get(path)).text for path in paths}


async def test_the_reported_leaks_are_closed_in_every_public_response(local: Stack) -> None:
    """A witness's home address, the standard party line, 家住 / 户籍地 / 现住 / 生于, phones with separators."""
    rng = random.Random()
    witness_id, party_id = _id_number(rng, "19750305"), _id_number(rng)
    witness_home, party_home, native, current = _home(rng), _home(rng), _home(rng), _home(rng)
    local_number = f"{rng.randint(2000, 8999)} {rng.randint(1000, 9999)}"
    landline = f"022-{rng.randint(2000, 8999)}-{rng.randint(1000, 9999)}"
    full_width = f"022－{rng.randint(2000, 8999)}－{rng.randint(1000, 9999)}"
    facts = (
        f"当事人王小明，男，1980年1月1日生，汉族，住{party_home}，公民身份号码{party_id}。"
        f"证人李大伟（身份证号码{witness_id}，住{witness_home}）证实当事人在院内焚烧废旧轮胎。"
        f"其妻家住{native}，户籍地：{native}，现住{current}，生于1982年3月4日。"
        f"联系电话{landline}，电话：{local_number}，座机{full_width}。"
    )
    party = {"party_type": "individual", "name": "王小明", "id_number": party_id, "address": "天津市南开区某路1号"}
    publication_id = await _publish(local, party, facts)
    pages = await _public_pages(local, publication_id)
    secrets = [witness_id, party_id, witness_home, party_home, native, current, "1980年1月1日", "1982年3月4日"]
    secrets += [landline, local_number, full_width, "李大伟"]
    for path, text in pages.items():
        digits = re.sub(r"\D", "", text)
        for secret in secrets:
            assert secret not in text, (path, secret)
        for number in (landline, local_number, full_width.translate(str.maketrans("－", "-"))):
            assert re.sub(r"\D", "", number)[3:] not in digits, (path, number)
        assert (
            "当事人王小明，男，［出生日期已隐去］，汉族，住［住址已隐去］，公民身份号码［身份证号码已隐去］。" in text
        ), path
    witness = "证人李某（身份证号码［身份证号码已隐去］，住［住址已隐去］）证实当事人在院内焚烧废旧轮胎。"
    assert witness in pages[f"/portal/decisions/{publication_id}"]


async def test_the_violation_and_public_codes_are_never_removed(local: Stack) -> None:
    """Only the span goes: 在其位于…的住所院内私设废机油收集点 keeps the violation; a credit code stays public."""
    rng = random.Random()
    first17 = f"9112011110{rng.randint(1_000_000, 9_999_999)}"
    code = first17 + credit_code_check_char(first17)
    home = f"天津市西青区中北镇幸福路{rng.randint(1, 99)}号{rng.randint(1, 9)}号楼{rng.randint(1, 6)}单元601室"
    facts = (
        f"当事人在其位于{home}的住所院内私设废机油收集点，责令立即清理。"
        f"废机油售予天津某环保科技有限公司（统一社会信用代码{code}），该公司无危险废物经营许可证。"
    )
    party = {"party_type": "individual", "name": "赵小红", "id_number": _id_number(rng), "address": home}
    publication_id = await _publish(local, party, facts)
    pages = await _public_pages(local, publication_id)
    kept = [
        "在其位于［住址已隐去］的住所院内私设废机油收集点，责令立即清理。",
        f"天津某环保科技有限公司（统一社会信用代码{code}），该公司无危险废物经营许可证。",
    ]
    for path, text in pages.items():
        assert home not in text, path
        for phrase in kept:
            assert phrase in text, (path, phrase)


async def test_the_party_phone_and_legal_representative_id_are_removed_wherever_they_recur(local: Stack) -> None:
    """The decision records the party's phone and its legal representative's ID number: the text repeats them in
    spellings no shape gives away (the local number with no area code and no 电话 cue, a number split across a line
    break, full-width digits), and every public representation loses them as the party's known values."""
    rng = random.Random()
    local_number = f"{rng.randint(2000, 8999)}{rng.randint(1000, 9999)}"
    mobile = f"1{rng.choice('3589')}{rng.randint(10**8, 10**9 - 1)}"
    representative_id = _id_number(rng, "19700615")
    wide = representative_id.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    body = decision_body(decided_on=local_today("Asia/Shanghai").isoformat())
    party = {**body["party"], "phone": f"（022）{local_number[:4]}-{local_number[4:]}"}
    party["legal_representative_id_number"] = representative_id
    facts = (
        f"法定代表人张三（身份证号码{wide[:9]}\n{wide[9:]}）到场接受询问。"
        f"整改情况可致电{local_number[:4]} {local_number[4:]}核实，夜间致电{local_number[:3]}\n{local_number[3:]}。"
    )
    publication_id = await _publish(local, party, facts)
    pages = await _public_pages(local, publication_id)
    for path, text in pages.items():
        digits = re.sub(r"\D", "", fold(text))
        assert local_number not in digits, path
        assert representative_id[:17] not in digits, path
        assert "可致电［电话号码已隐去］核实，夜间致电［电话号码已隐去］。" in text, path
        assert "法定代表人张三（身份证号码［身份证号码已隐去］）到场接受询问。" in text, path
    async with local.client("disclosure", "disclosure_editor") as staff:  # the platform's field, not published
        records = (await staff.get("/api/v1/disclosure/credit-china/records")).json()["items"]
    fields = next(r["fields"] for r in records if r["fields"]["facts"].startswith("法定代表人张三（身份证号码［"))
    assert (fields["legal_representative_id_type"], fields["legal_representative_id_number"]) == (
        "身份证",
        representative_id,
    )
    mobile_party = {**decision_body()["party"], "phone": mobile}
    publication_id = await _publish(local, mobile_party, f"复查结果已以短信发送至{mobile[:6]}\n{mobile[6:]}。")
    for path, text in (await _public_pages(local, publication_id)).items():
        assert mobile not in re.sub(r"\D", "", text), path


async def test_a_wrong_phone_or_legal_representative_id_is_a_422_problem(local: Stack) -> None:
    rng = random.Random()
    good = _id_number(rng)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    individual = {"party_type": "individual", "name": "王小明", "id_number": _id_number(rng)}
    cases = [
        {**decision_body()["party"], "legal_representative_id_number": wrong},
        {**decision_body()["party"], "phone": "电话 123"},
        {**individual, "legal_representative_id_number": good},
    ]
    async with local.client("cases", "head") as client:
        for party in cases:
            answer = await client.post("/api/v1/cases/decisions", json={**decision_body(), "party": party})
            assert answer.status_code == 422, (party, answer.text)
            assert answer.headers["content-type"].startswith("application/problem+json")
        right = {**decision_body()["party"], "phone": "022-2739 1234", "legal_representative_id_number": good}
        issued = await client.post("/api/v1/cases/decisions", json={**decision_body(), "party": right})
        assert issued.status_code == 201, issued.text
        assert issued.json()["party"]["legal_representative_id_number"] == good  # staff see what they entered


async def test_the_editor_adds_and_undoes_a_redaction_audited(local: Stack) -> None:
    """An order to correct waits for the editor: a name with no role word and no person's description is added by
    hand, a phone the party agreed to publish is put back with a reason; both are edits in the audit trail. A list
    of names counted after it (张三、李四二人) is found without the editor."""
    phone = f"139{random.randint(10**7, 10**8 - 1)}"
    body = decision_body(kind="order_to_correct", decided_on=local_today("Asia/Shanghai").isoformat())
    body["facts"] = f"证人王小明（电话{phone}）称：看见张三夜间排污，赵六、钱七二人在场。"
    async with local.client("cases", "head") as cases:
        issued = (await cases.post("/api/v1/cases/decisions", json=body)).json()
    async with local.client("disclosure", "disclosure_editor") as staff:

        async def created() -> dict[str, Any] | None:
            found = await staff.get("/api/v1/disclosure/publications", params={"decision_id": issued["id"]})
            return next(iter(found.json()["items"]), None)

        publication = await eventually(created)
        url = f"/api/v1/disclosure/publications/{publication['id']}"
        marks = (await staff.get(f"{url}/redactions")).json()["items"]
        assert [(m["reason"], m["removed"]) for m in marks] == [
            ("name", "王小明"),
            ("phone", phone),
            ("name", "赵六"),
            ("name", "钱七"),
        ]
        facts = publication["public_facts"]
        assert facts == "证人王某（电话［电话号码已隐去］）称：看见张三夜间排污，赵某、钱某二人在场。"
        add = {"field": "facts", "start": facts.index("张三"), "end": facts.index("张三") + 2, "reason": "name"}
        assert (await staff.post(f"{url}/redactions", json=add)).status_code == 428
        etag = (await staff.get(url)).headers["etag"]
        added = await staff.post(f"{url}/redactions", json=add, headers={"If-Match": etag})
        assert (
            added.json()["public_facts"]
            == "证人王某（电话［电话号码已隐去］）称：看见张某夜间排污，赵某、钱某二人在场。"
        )
        undo = {"field": "facts", "start": marks[1]["start"], "unredact_reason": "当事人书面同意公开联系电话"}
        wrong = await staff.post(
            f"{url}/redactions:undo", json={**undo, "start": 0}, headers={"If-Match": added.headers["etag"]}
        )
        assert wrong.status_code == 409
        undone = await staff.post(f"{url}/redactions:undo", json=undo, headers={"If-Match": added.headers["etag"]})
        assert undone.json()["public_facts"] == f"证人王某（电话{phone}）称：看见张某夜间排污，赵某、钱某二人在场。"
    async with local.runtime("disclosure").sessions() as session:
        rows = await history(session, entity_type="publication", entity_id=publication["id"])
    edits = [json.loads(r.data) for r in rows if r.action == "edited"]
    assert [(e["unredacted"], e["reason"]) for e in edits] == [
        ({}, None),
        ({"facts": ["phone"]}, undo["unredact_reason"]),
    ]


async def test_the_recheck_corrects_what_older_detectors_published(local: Stack, tmp_path: Path) -> None:
    """``greenlaw disclosure recheck`` (and the scheduled job): a published text in which the current detectors find
    personal data is withdrawn and republished as ``redaction corrected``, audited; a second pass finds nothing."""
    publication_id = await _publish(local, decision_body()["party"], "当事人超标排放水污染物。")
    mobile = f"139{random.randint(10**7, 10**8 - 1)}"
    leaked_text = f"当事人超标排放水污染物，联系电话{mobile}，证人王小明称属实。"
    async with local.runtime("disclosure").uow() as uow:  # as an older release had published it
        await uow.session.execute(
            sql("UPDATE publication SET public_facts = :facts WHERE id = :id"),
            {"facts": leaked_text, "id": publication_id},
        )
        await uow.commit()
    env = {"GREENLAW_DATA_DIR": str(tmp_path), "GREENLAW_ENVIRONMENT": "test"}
    ran = await asyncio.to_thread(CliRunner().invoke, cli, ["disclosure", "recheck"], env=env)
    assert ran.exit_code == 0, ran.output
    assert ran.output.splitlines()[-2:] == ["1 publications corrected", publication_id]
    async with local.client("disclosure") as public:
        shown = (await public.get(f"/public/v1/decisions/{publication_id}")).json()
        notices = (await public.get("/public/v1/withdrawals")).json()["items"]
    assert shown["status"] == "published"
    assert shown["facts"] == "当事人超标排放水污染物，联系电话［电话号码已隐去］，证人王某称属实。"
    assert shown["published_on"] == local_today("Asia/Shanghai").isoformat()
    assert [(n["publication_id"], n["reason"]) for n in notices] == [(publication_id, "redaction corrected")]
    async with local.runtime("disclosure").sessions() as session:
        actions = [r.action for r in await history(session, entity_type="publication", entity_id=publication_id)]
    assert actions[-3:] == ["withdrawn:amended", "redaction_corrected", "published"]
    runtime = local.runtime("disclosure")
    settings, calendar = runtime.settings, local.apps["disclosure"].state.calendar
    assert isinstance(settings, DisclosureSettings)
    assert await recheck_redactions(runtime.uow, settings, calendar) == []


async def public_bytes(item: CorpusDecision, settings: DisclosureSettings) -> dict[str, str]:
    """Every public representation of one decision, built the way the service builds it."""
    publication = Publication(
        id="pub",
        decision_id=item.decision.decision_id,
        kind="penalty",
        document_number="",
        party_name="",
        decided_on=item.decision.decided_on,
        due_on=date(2021, 10, 19),
        status="published",
        published_on=date(2021, 10, 12),
        # given rather than defaulted: pydantic inspects a default factory's signature on every construction
        created_at=datetime(2021, 10, 12, tzinfo=UTC),
        public_penalty={},
        redaction_report=[],
        decision={},
    )
    apply_decision(publication, item.decision, settings)
    ledger: list[CreditRecord] = []
    await credit_china.stage_upsert(SimpleNamespace(session=SimpleNamespace(add=ledger.append)), publication, settings)  # type: ignore[arg-type]
    fields = {k: v for k, v in ledger[0].fields.items() if k not in PLATFORM_ONLY}
    public = public_decision(publication)
    return {
        "json": public.model_dump_json(),
        "csv": render_csv([public]),
        "atom": render_atom([public], feed_url="http://x/feed", portal_url="http://x/portal", authority="局"),
        "portal": TEMPLATES.get_template("decision.html").render(authority="局", yuan=yuan, item=public),
        "credit_china": " ".join(fields.values()),
        "facts": publication.public_facts,
        "summary": str(publication.public_penalty["summary"]),
    }


def leaked(secrets: list[Secret], outputs: dict[str, str]) -> list[tuple[str, str, str]]:
    """(representation, category, secret) for every secret found in a representation: all representations are
    searched at once, and only a secret found there is looked up in each one to name where it leaked."""
    everywhere = Published.of(*outputs.values())
    found = [s for s in secrets if leaks(s, everywhere)]
    return [(name, s.category, s.text) for s in found for name, out in outputs.items() if leaks(s, out)]


async def test_no_personal_span_leaks_and_the_rest_is_kept_on_5000_generated_decisions() -> None:
    started, cpu = time.perf_counter(), time.process_time()
    corpus, settings = Corpus(seed=20211008), DisclosureSettings()
    assert TEMPLATE_COUNT >= 30
    found: list[tuple[str, str, str]] = []
    secrets = words = kept = 0
    for _ in range(CORPUS_SIZE):
        item = corpus.decision()
        outputs = await public_bytes(item, settings)
        found += leaked(item.secrets, outputs)
        secrets += len(item.secrets)
        for field, text in ((item.facts, outputs["facts"]), (item.summary, outputs["summary"])):
            public_words = field.public_words()
            words, kept = words + len(public_words), kept + kept_words(public_words, text)
    leaked_spans = len({(c, t) for _, c, t in found})
    print(
        f"\nredaction corpus: {CORPUS_SIZE} decisions, {TEMPLATE_COUNT} templates, {secrets} personal spans, "
        f"recall {1 - leaked_spans / secrets:.4%}, {leaked_spans} leaked; "
        f"non-personal words kept {kept}/{words} = {kept / words:.4%}; "
        f"{time.perf_counter() - started:.1f} s ({time.process_time() - cpu:.1f} s CPU)"
    )
    assert found == []
    assert kept / words >= 0.99


def party_input(item: CorpusDecision) -> dict[str, Any]:
    party = item.decision.party.model_dump(exclude={"party_id"}, exclude_none=True)
    party["party_type"] = item.decision.party.party_type.value
    return party


async def test_a_sample_through_the_http_api_publishes_no_personal_span(local: Stack) -> None:
    """Each decision's own public bytes: its list item, its page by id, its CSV row, its Atom entry (the latest
    50), its portal page and its Credit China record (checked per decision: one decision's witness may share a
    name with another decision's party, who is public)."""
    corpus = Corpus(seed=1)
    today = local_today("Asia/Shanghai").isoformat()
    by_number: dict[str, CorpusDecision] = {}
    async with local.client("cases", "head") as cases:
        for item in (corpus.decision() for _ in range(HTTP_SAMPLE)):
            answer = await cases.post("/api/v1/cases/decisions", json=_body(item, today))
            assert answer.status_code == 201, answer.text
            by_number[answer.json()["document_number"]] = item
    outputs = await _outputs_per_decision(local)
    assert set(outputs) == set(by_number)
    found = [leak for number, item in by_number.items() for leak in leaked(item.secrets, outputs[number])]
    assert found == []
    assert all(item.facts.public_words()[-1] in outputs[n]["json"] for n, item in by_number.items())


def _body(item: CorpusDecision, today: str) -> dict[str, Any]:
    d = item.decision
    party = d.party.model_dump(mode="json", exclude={"party_id"}, exclude_none=True)
    return {
        "kind": "penalty",
        "decided_on": today,
        "party": party,
        "facts": d.facts,
        "legal_basis": d.legal_basis,
        "violation_type": d.violation_type,
        "penalty": d.penalty.model_dump(),
    }


async def _outputs_per_decision(stack: Stack) -> dict[str, dict[str, str]]:
    """document number → name of the public representation → its bytes."""
    async with stack.client("disclosure") as public, stack.client("disclosure", "disclosure_editor") as staff:
        await _approve_held(staff)
        items = await _all_pages(public)
        assert len(items) == HTTP_SAMPLE
        outputs: dict[str, dict[str, str]] = {
            i["document_number"]: {"json": json.dumps(i, ensure_ascii=False)} for i in items
        }
        for item in items:
            out = outputs[item["document_number"]]
            out["by_id"] = (await public.get(f"/public/v1/decisions/{item['id']}")).text
            out["portal"] = (await public.get(f"/portal/decisions/{item['id']}")).text
        rows = csv.reader(io.StringIO((await public.get("/public/v1/decisions.csv")).text.lstrip("\ufeff")))
        for row in rows:
            if row[2] in outputs:
                outputs[row[2]]["csv"] = ",".join(row)
        feed = ET.fromstring((await public.get("/public/v1/decisions.atom")).content)
        for entry in feed.iter("{http://www.w3.org/2005/Atom}entry"):
            text = ET.tostring(entry, encoding="unicode")
            number = next(n for n in outputs if n in text)
            outputs[number]["atom"] = text
        for record in (await staff.get("/api/v1/disclosure/credit-china/records")).json()["items"]:
            fields = {k: v for k, v in record["fields"].items() if k not in PLATFORM_ONLY}
            outputs[record["fields"]["decision_number"]]["credit_china"] = " ".join(fields.values())
    assert all({"csv", "credit_china"} <= set(out) for out in outputs.values())
    return outputs


async def _approve_held(staff: Any) -> None:
    """Wait for every publication; the editor approves those held for a doubtful redaction."""

    async def all_created() -> list[dict[str, Any]] | None:
        found = await staff.get("/api/v1/disclosure/publications", params={"limit": 100})
        items: list[dict[str, Any]] = found.json()["items"]
        while found.json()["next_cursor"]:
            params = {"limit": 100, "cursor": found.json()["next_cursor"]}
            found = await staff.get("/api/v1/disclosure/publications", params=params)
            items += found.json()["items"]
        return items if len(items) == HTTP_SAMPLE else None

    for item in await eventually(all_created, timeout=120):
        if item["status"] == "pending":
            url = f"/api/v1/disclosure/publications/{item['id']}"
            etag = (await staff.get(url)).headers["etag"]
            assert (await staff.post(f"{url}/publish", headers={"If-Match": etag})).status_code == 200


async def _all_pages(public: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = (await public.get("/public/v1/decisions", params=params)).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def test_the_corpus_really_carries_personal_data() -> None:
    """The generator is not vacuous: raw texts leak every secret before redaction."""
    for item in (Corpus(seed=5).decision() for _ in range(20)):
        raw = item.decision.facts + item.decision.penalty.summary
        party = item.decision.party
        recorded = [party.id_number, party.address, party.phone, party.legal_representative_id_number]
        assert item.secrets
        assert all(leaks(s, raw + " ".join(v for v in recorded if v)) for s in item.secrets)
        assert re.search(r"[\u4e00-\u9fff]", raw)
