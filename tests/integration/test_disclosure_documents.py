"""The public version of the decision document (公开版决定书, PDF): rendered from the redacted public text only,
linked from the public JSON, the Atom feed and the portal; served as a safe download, cached like the JSON; gone
once withdrawn. Then the generated redaction corpus: no personal span in any public PDF."""

from __future__ import annotations

import json
import random
import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from services.cases.domain.identifiers import id_number_check_char
from services.disclosure.handlers.documents import public_document
from services.disclosure.handlers.public import public_decision
from services.disclosure.handlers.publications import apply_decision, local_today
from services.disclosure.settings import DisclosureSettings
from services.disclosure.tables import Publication
from tests.factories import decision_body
from tests.redaction_corpus import Corpus, Published, leaks
from tests.stack import Stack, StackConfig, eventually
from tests.support.disclosure import issue, published, revoke_through_cases_outbox
from tests.support.documents import pdf_text, unsafe_features

pytestmark = pytest.mark.integration

CORPUS_SAMPLE = 60
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
async def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Stack]:
    monkeypatch.setenv("GREENLAW_DISCLOSURE_PUBLISH_MODES", json.dumps({"penalty": "auto"}))
    async with Stack(StackConfig(database="sqlite", transport="inprocess", data_dir=tmp_path)) as running:
        yield running


def planted_body(rng: random.Random) -> tuple[dict[str, object], dict[str, str]]:
    first17 = "120111" + "19800101" + f"{rng.randint(0, 999):03d}"
    secrets = {
        "id_number": first17 + id_number_check_char(first17),
        "phone": f"1{rng.choice('3456789')}{rng.randint(0, 10**9 - 1):09d}",
        "bank": "6222" + "".join(rng.choice("0123456789") for _ in range(15)),
        "address": f"天津市西青区中北镇幸福路{rng.randint(1, 999)}号",
    }
    body = decision_body(decided_on=local_today("Asia/Shanghai").isoformat())
    body["party"] = {
        "party_type": "individual",
        "name": "李" + rng.choice("明华强军"),
        "id_number": secrets["id_number"],
        "address": secrets["address"],
        "phone": secrets["phone"],
        "town": "中北镇",
    }
    body["facts"] = (
        f"当事人（身份证号{secrets['id_number']}，住{secrets['address']}，手机{secrets['phone']}）"
        f"私设暗管排放废水，违法所得存入其银行账户{secrets['bank']}。"
    )
    return body, secrets


async def test_the_public_document_is_redacted_linked_cached_and_withdrawn(local: Stack) -> None:
    body, secrets = planted_body(random.Random())
    decision = await issue(local, body)
    publication = await published(local, decision["id"])
    path = f"/public/v1/decisions/{publication['id']}.pdf"
    async with local.client("cases", "head") as head:
        full = await head.get(f"/api/v1/cases/decisions/{decision['id']}/document.pdf")
    async with local.client("disclosure") as public:
        answer = await public.get(path)
        again = await public.get(path)  # answered from the page cache, before routing
        unchanged = await public.get(path, headers={"If-None-Match": answer.headers["etag"]})
        as_json = (await public.get(f"/public/v1/decisions/{publication['id']}")).json()
        feed = ET.fromstring((await public.get("/public/v1/decisions.atom")).text)
        portal = (await public.get(f"/portal/decisions/{publication['id']}")).text
    assert answer.status_code == 200, answer.text
    for response in (answer, again):
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["content-disposition"] == f'attachment; filename="decision-{publication["id"]}.pdf"'
        assert response.headers["x-content-type-options"] == "nosniff"
    assert again.content == answer.content
    assert unchanged.status_code == 304
    assert unsafe_features(answer.content) == []

    text = pdf_text(answer.content)
    for field in (
        "行政处罚决定书（公开版）",
        decision["document_number"],
        f"当事人：{as_json['party_name']}",
        re.sub(r"\s+", "", as_json["facts"]),
        as_json["legal_basis"],
        "罚款人民币100,000.00元",
        "天津市西青区生态环境局",
        "已隐去个人信息",
    ):
        assert field in text, field
    digits = re.sub(r"\D", "", text)
    for value in secrets.values():
        assert value not in text
        assert value in pdf_text(full.content)  # the document served to the party carries them
    assert secrets["id_number"][:17] not in digits
    assert secrets["bank"] not in digits

    assert as_json["document_url"] == path
    entry = next(e for e in feed.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}id", "").endswith(publication["id"]))
    enclosure = entry.find(f"{ATOM}link[@rel='enclosure']")
    assert enclosure is not None
    assert enclosure.get("href", "").endswith(path)
    assert enclosure.get("type") == "application/pdf"
    assert f'href="{path}"' in portal

    await revoke_through_cases_outbox(local, decision, "事实认定错误")
    async with local.client("disclosure") as public:

        async def gone() -> bool | None:
            return (await public.get(path)).status_code == 404 or None

        await eventually(gone)
        withdrawn = (await public.get(f"/public/v1/decisions/{publication['id']}")).json()
    assert withdrawn["document_url"] is None


async def test_no_personal_span_of_the_generated_corpus_is_in_a_public_document() -> None:
    settings = DisclosureSettings()
    corpus = Corpus(seed=20261206)
    for _ in range(CORPUS_SAMPLE):
        item = corpus.decision()
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
            created_at=datetime(2021, 10, 12, tzinfo=UTC),
            public_penalty={},
            redaction_report=[],
            decision={},
        )
        apply_decision(publication, item.decision, settings)
        text = pdf_text(public_document(public_decision(publication)))
        output = Published.of(text)
        assert [(s.category, s.text) for s in item.secrets if leaks(s, output)] == []
        assert re.sub(r"\s+", "", publication.public_facts) in text
