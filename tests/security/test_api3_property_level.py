"""API3:2023 Broken Object Property Level Authorization.

Reads: public and police responses carry only the fields on their allowlists below (staff-only fields such as
the party's address, the case id or internal notes never reach them). Writes: every JSON request body of the merged
OpenAPI refuses unknown fields (``additionalProperties: false``), and trying to set what the server assigns (a
decision's number, a publication's or referral's status) is a 422 that names the field. Redaction of personal data
in public responses is tested in depth by tests/integration/test_disclosure_public_api.py
(``test_no_public_response_carries_personal_data``).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import decision_body
from tests.stack import eventually
from tests.support.referral import POLICE_ITEM_FIELDS as POLICE_REFERRAL_FIELDS
from tests.support.referral import TEAM, now_iso, requested, transfer
from tests.support.system import System, assert_problem

pytestmark = pytest.mark.integration

PUBLIC_DECISION_FIELDS = {
    "id",
    "kind",
    "kind_label",
    "document_number",
    "status",
    "party_name",
    "party_type",
    "credit_code",
    "legal_representative",  # of an organisation: published with the decision by rule; a person's name is masked
    "town",
    "authority",
    "decided_on",
    "published_on",
    "due_on",
    "facts",
    "legal_basis",
    "violation_type",
    "penalty",
    "withdrawal",
    "document_url",  # the public PDF, rendered from these same fields
}
PUBLIC_PENALTY_FIELDS = {"fine_fen", "confiscation_fen", "warning", "licence_measure", "other_measures", "summary"}
# Bodies that are not JSON objects of the API's own: the OAuth2 token form (RFC 6749 §3.2: unknown parameters
# are ignored) and file uploads (multipart form fields).
NOT_JSON_MODELS = {"POST /auth/token", "POST /api/v1/referral/referrals/{referral_id}/documents"}
# Read without a pydantic model for speed (JSON or CSV rows): its unknown fields are checked by a request below.
RAW_BODIES = {"POST /api/v1/monitoring/readings:batch"}


@pytest.fixture(scope="module")
async def public_decision(system: System) -> dict[str, Any]:
    body = decision_body()
    async with system.client(system.staff_token("head")) as head:
        issued = await head.post("/api/v1/cases/decisions", json=body)
        assert issued.status_code == 201, issued.text
    async with system.client() as anonymous:

        async def listed() -> dict[str, Any] | None:
            items = (await anonymous.get("/public/v1/decisions", params={"limit": 100})).json()["items"]
            return next((i for i in items if i["party_name"] == body["party"]["name"]), None)

        found: dict[str, Any] = await eventually(listed)
    return found


async def test_public_decisions_carry_only_allowed_fields(system: System, public_decision: dict[str, Any]) -> None:
    assert set(public_decision) == PUBLIC_DECISION_FIELDS
    assert set(public_decision["penalty"]) == PUBLIC_PENALTY_FIELDS
    async with system.client() as anonymous:
        detail = (await anonymous.get(f"/public/v1/decisions/{public_decision['id']}")).json()
        page = (await anonymous.get("/public/v1/decisions")).json()
    assert set(detail) == PUBLIC_DECISION_FIELDS
    assert set(page) == {"items", "next_cursor"}
    text = str(detail)
    for staff_only in ("天津市西青区某路1号", "case_id", "decision_id", "published_by", "redaction"):
        assert staff_only not in text, staff_only


async def test_police_referrals_carry_only_allowed_fields(system: System) -> None:
    referral = await requested(system.stack, police_unit="东丽公安分局")
    async with system.client(system.staff_token("officer", team=TEAM)) as staff:
        assert (await transfer(staff, referral.id, transfer_letter_number="西青环移〔2024〕7号")).status_code == 200
    async with system.client(system.police_token("东丽公安分局", subject="dongli")) as police:
        items = (await police.get("/police/v1/referrals")).json()["items"]
        detail = (await police.get(f"/police/v1/referrals/{referral.id}")).json()
    assert [set(item) for item in items] == [POLICE_REFERRAL_FIELDS]
    assert set(detail) == POLICE_REFERRAL_FIELDS
    assert "case_id" not in str(detail)  # the bureau's internal case id stays inside


def _closed(schema: dict[str, Any], schemas: dict[str, Any], seen: set[str], where: str) -> list[str]:
    """Where an object schema (followed through refs, unions and arrays) accepts properties it does not name."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        seen.add(name)
        return _closed(schemas[name], schemas, seen, name)
    open_at = []
    if "properties" in schema and schema.get("additionalProperties") is not False:
        open_at.append(where)
    children = [*schema.get("properties", {}).items()]
    children += [("[]", schema["items"])] if isinstance(schema.get("items"), dict) else []
    children += [("|", s) for key in ("anyOf", "oneOf", "allOf") for s in schema.get(key, [])]
    for name, child in children:
        open_at += _closed(child, schemas, seen, f"{where}.{name}")
    return open_at


async def test_every_json_body_refuses_unknown_fields(system: System) -> None:
    async with system.client() as client:
        document = (await client.get("/openapi.json")).json()
    schemas = document["components"]["schemas"]
    open_bodies, checked = [], 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {})
            if f"{method.upper()} {path}" in NOT_JSON_MODELS or not content:
                continue
            if "application/json" not in content or f"{method.upper()} {path}" in RAW_BODIES:
                continue
            checked += 1
            where = _closed(content["application/json"]["schema"], schemas, set(), f"{method.upper()} {path}")
            open_bodies += where
    assert checked > 30
    assert not open_bodies, open_bodies


def extra_refused(response: Any, field: str) -> None:
    body = assert_problem(response, 422)
    assert any(e["type"] == "extra_forbidden" and e["loc"][-1] == field for e in body["errors"]), body["errors"]


async def test_server_assigned_properties_cannot_be_written(system: System, public_decision: dict[str, Any]) -> None:
    async with system.client(system.staff_token("head")) as head:
        for field, value in (("number", "津西青环罚〔2021〕999号"), ("document_number", "x"), ("status", "revoked")):
            extra_refused(await head.post("/api/v1/cases/decisions", json={**decision_body(), field: value}), field)
    async with system.client(system.staff_token("disclosure_editor")) as editor:
        publications = (await editor.get("/api/v1/disclosure/publications", params={"limit": 100})).json()["items"]
        publication = next(p for p in publications if p["document_number"] == public_decision["document_number"])
        path = f"/api/v1/disclosure/publications/{publication['id']}"
        current = await editor.get(path)
        for field, value in (("status", "withdrawn"), ("published_on", "2020-01-01")):
            patch = await editor.patch(path, json={field: value}, headers={"If-Match": current.headers["etag"]})
            extra_refused(patch, field)
    referral = await requested(system.stack, police_unit="津南公安分局")
    async with system.client(system.staff_token("officer", team=TEAM)) as staff:
        assert (await transfer(staff, referral.id, transfer_letter_number="西青环移〔2024〕8号")).status_code == 200
    async with system.client(system.police_token("津南公安分局", subject="jinnan")) as police:
        receipt = {"received_at": now_iso(), "receiver": "赵警官", "status": "accepted"}
        extra_refused(await police.post(f"/police/v1/referrals/{referral.id}/receipt", json=receipt), "status")
        still = (await police.get(f"/police/v1/referrals/{referral.id}")).json()
    assert still["status"] == "transferred"


async def test_station_readings_refuse_unknown_fields(system: System) -> None:
    """The batch of readings is parsed without a model; a reading with a field it does not know is refused whole
    (so no one can set a reading's validity or review flags by naming them)."""
    reading = {"station": "NO-SUCH-STATION", "time": "2024-05-01T00:00:00+08:00", "parameter": "w01018", "value": 1.0}
    async with system.client(system.staff_token("monitoring_reviewer")) as reviewer:
        answer = await reviewer.post("/api/v1/monitoring/readings:batch", json=[{**reading, "reviewed": True}])
    body = assert_problem(answer, 422)
    assert body["rejected"] == [{"index": 0, "reason": "unknown fields: reviewed"}]
