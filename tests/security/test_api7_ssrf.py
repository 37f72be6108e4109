"""API7:2023 Server Side Request Forgery.

The system calls out to two places only, Credit China (信用中国, penalty records) and the procuratorate (检察院,
copies of referrals), and both addresses come from settings alone: no operation takes a URL, host or callback
from its caller, and what a record carries never changes where it is sent. Their answers are checked, not
trusted: only a 2xx counts as delivered, a redirect is neither followed nor a delivery, a 4xx is not retried, a
5xx is retried a bounded number of times, and what is kept of an answer is bounded. End-to-end delivery is in
tests/integration/test_disclosure_credit_china.py and tests/integration/test_referral_flow.py.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from services.disclosure.handlers import credit_china
from services.disclosure.settings import DisclosureSettings
from services.disclosure.tables import CreditRecord
from services.referral import procuratorate
from services.referral.settings import ReferralSettings
from shared.settings import CommonSettings
from tests.support.system import System

pytestmark = pytest.mark.integration

CREDIT_URL = "https://credit.example.gov.cn/api/records"
PROCURATORATE_URL = "https://jcy.example.gov.cn/copies"
URL_WORDS = {
    "url",
    "urls",
    "uri",
    "uris",
    "href",
    "callback",
    "webhook",
    "endpoint",
    "endpoints",
    "host",
    "hostname",
    "redirect",
}


def url_like(name: str) -> bool:
    """A name with an address word in it ("callback_url", "redirectUri", "webhook"), not letters inside another
    word ("hourly_leq")."""
    words = re.split(r"[_\-.]|(?<=[a-z0-9])(?=[A-Z])", name)
    return any(word.lower() in URL_WORDS for word in words)


HOSTILE = "http://169.254.169.254/latest/meta-data/"


def _properties(schema: dict[str, Any], schemas: dict[str, Any], seen: set[str]) -> list[tuple[str, dict[str, Any]]]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        seen.add(name)
        return _properties(schemas[name], schemas, seen)
    found = list(schema.get("properties", {}).items())
    items = [schema["items"]] if isinstance(schema.get("items"), dict) else []
    for child in [*schema.get("properties", {}).values(), *items]:
        found += _properties(child, schemas, seen)
    for key in ("anyOf", "oneOf", "allOf"):
        for child in schema.get(key, []):
            found += _properties(child, schemas, seen)
    return found


async def test_no_operation_takes_an_address_from_its_caller(system: System) -> None:
    async with system.client() as client:
        document = (await client.get("/openapi.json")).json()
    schemas = document["components"]["schemas"]
    suspicious = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            names = [(p["name"], p.get("schema", {})) for p in operation.get("parameters", [])]
            for content in operation.get("requestBody", {}).get("content", {}).values():
                names += _properties(content.get("schema", {}), schemas, set())
            for name, schema in names:
                if url_like(name) or schema.get("format") in {"uri", "url", "hostname", "ipv4", "ipv6"}:
                    suspicious.append(f"{method.upper()} {path}: {name}")
    assert suspicious == []


class Endpoint:
    """A stand-in for the remote end: records every request and answers as told."""

    def __init__(self, answer: Callable[[httpx.Request], httpx.Response]) -> None:
        self.requests: list[httpx.Request] = []
        self._answer = answer

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self._answer(request)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self))


def credit_settings() -> DisclosureSettings:
    return DisclosureSettings(
        common=CommonSettings(environment="test"),
        credit_china_url=CREDIT_URL,
        credit_china_max_attempts=3,
        credit_china_backoff_seconds=0,
    )


def record() -> CreditRecord:
    # Fields a hostile party name or note could carry: they are data, never an address.
    fields = {"party_name": HOSTILE, "note": "@evil.example", "url": HOSTILE}
    return CreditRecord(id=str(uuid.uuid4()), publication_id="p", decision_id="d", operation="upsert", fields=fields)


ANSWERS: dict[str, tuple[Callable[[httpx.Request], httpx.Response], bool, int]] = {
    # answer → (delivered?, attempts)
    "accepted": (lambda r: httpx.Response(200, text="not even json"), True, 1),
    "redirect": (lambda r: httpx.Response(302, headers={"Location": HOSTILE}), False, 1),
    "rejected": (lambda r: httpx.Response(400, text="x" * 100_000), False, 1),
    "failing": (lambda r: httpx.Response(503), False, 3),
}


@pytest.mark.parametrize("case", sorted(ANSWERS))
async def test_credit_china_is_sent_only_to_its_configured_address(case: str) -> None:
    answer, delivered, attempts = ANSWERS[case]
    endpoint = Endpoint(answer)
    async with endpoint.client() as client:
        sent = record()
        outcome = await credit_china.sender(client, credit_settings()).send(sent.id, credit_china.body_of(sent))
    assert (outcome.delivered, outcome.attempts) == (delivered, attempts)
    assert {str(request.url) for request in endpoint.requests} == {CREDIT_URL}  # never the redirect's target
    assert len(endpoint.requests) == attempts
    assert outcome.error is None or len(outcome.error) <= 1000  # what is kept of an answer is bounded


def test_credit_china_is_off_without_a_configured_address() -> None:
    assert DisclosureSettings(common=CommonSettings(environment="test")).credit_china_url is None


@pytest.mark.parametrize("case", sorted(ANSWERS))
async def test_procuratorate_copies_go_only_to_the_configured_address(case: str) -> None:
    answer, delivered, attempts = ANSWERS[case]
    endpoint = Endpoint(answer)
    settings = ReferralSettings(
        common=CommonSettings(environment="test"),
        procuratorate_url=PROCURATORATE_URL,
        procuratorate_attempts=3,
        procuratorate_backoff_seconds=0,
    )
    async with endpoint.client() as client:
        outcome = await procuratorate.sender(client, settings).send("d1", {"delivery_id": "d1", "callback": HOSTILE})
    error = outcome.error
    assert (outcome.delivered, outcome.attempts) == (delivered, attempts), outcome
    assert outcome.delivered == (error is None)
    assert {str(request.url) for request in endpoint.requests} == {PROCURATORATE_URL}
    assert json.loads(endpoint.requests[0].content)["callback"] == HOSTILE  # sent as data, not followed
    assert error is None or len(error) <= 400
