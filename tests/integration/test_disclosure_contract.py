"""The disclosure contract as served: every 2xx answer is a named schema with described fields, downloads declare
their media types and are sent with them, answers carry the fields their schema names, and a publication's ETag
read on GET is the one an edit takes and gives back."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from services.disclosure.handlers.publications import local_today
from tests.factories import decision_body
from tests.stack import Stack, eventually
from tests.support.disclosure import issue, publication_of, published

pytestmark = pytest.mark.integration

PREFIXES = ("/api/v1/disclosure", "/public/v1")
DOWNLOADS = {
    "/api/v1/disclosure/credit-china/records.csv": "text/csv",
    "/public/v1/decisions.csv": "text/csv",
    "/public/v1/decisions.atom": "application/atom+xml",
    "/public/v1/decisions/{publication_id}.pdf": "application/pdf",
    "/public/v1/inspection-draws.csv": "text/csv",
}
# Downloads of a published report, whose answers tests/integration/test_disclosure_rule_of_law.py reads.
REPORT_DOWNLOADS = {"/public/v1/rule-of-law-reports/{year}.pdf": "application/pdf"}


def schema_names(node: Any) -> set[str]:
    """The component names a schema (or part of one) refers to, directly."""
    if isinstance(node, dict):
        found = {node["$ref"].rsplit("/", 1)[-1]} if "$ref" in node else set()
        return found.union(*(schema_names(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(schema_names(v) for v in node))
    return set()


def reachable(document: dict[str, Any], names: set[str]) -> set[str]:
    schemas, seen, todo = document["components"]["schemas"], set(), list(names)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(schema_names(schemas[name]))
    return seen


def properties(document: dict[str, Any], name: str) -> set[str]:
    return set(document["components"]["schemas"][name]["properties"])


@pytest.fixture
async def document(local: Stack) -> dict[str, Any]:
    async with local.client("disclosure") as client:
        answer = await client.get("/openapi.json")
    assert answer.status_code == 200
    served: dict[str, Any] = answer.json()
    return served


def answers(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, content) of every 2xx answer of the service's API routes (a 204 has no body to name)."""
    found = []
    for path, item in document["paths"].items():
        if path.startswith(PREFIXES):
            for method, operation in item.items():
                for status, response in operation.get("responses", {}).items():
                    if status.startswith("2") and status != "204":
                        found.append((method, path, response.get("content", {})))
    return found


async def test_every_answer_is_a_named_schema_with_described_fields(document: dict[str, Any]) -> None:
    named: set[str] = set()
    for method, path, content in answers(document):
        if path in DOWNLOADS or path in REPORT_DOWNLOADS:
            wanted = {**DOWNLOADS, **REPORT_DOWNLOADS}[path]
            assert list(content) == [wanted], f"{method} {path} declares {list(content)}"
            continue
        schema = content.get("application/json", {}).get("schema", {})
        refs = schema_names(schema)
        assert refs, f"{method} {path} answers an unnamed schema: {schema}"
        assert "$ref" in schema or "$ref" in schema.get("items", {}), f"{method} {path}: {schema}"
        named |= refs
    assert {"AnnualReportStaff", "AnnualReportPublic", "AnnualReportList", "PublicDecision"} <= named
    schemas = document["components"]["schemas"]
    for name in reachable(document, named):
        for field, spec in schemas[name].get("properties", {}).items():
            assert spec.get("description"), f"{name}.{field} has no description"


async def test_answers_carry_the_declared_fields_and_media_types(local: Stack, document: dict[str, Any]) -> None:
    decision = await issue(local, decision_body(decided_on=local_today("Asia/Shanghai").isoformat()))
    publication = await published(local, decision["id"])
    async with local.client("disclosure") as public, local.client("disclosure", "disclosure_editor") as editor:
        for path, media_type in DOWNLOADS.items():
            client = editor if path.startswith("/api/") else public
            answer = await client.get(path.replace("{publication_id}", publication["id"]))
            assert answer.status_code == 200, answer.text
            assert answer.headers["content-type"].split(";")[0] == media_type
        one = (await public.get(f"/public/v1/decisions/{publication['id']}")).json()
        assert set(one) == properties(document, "PublicDecision")
        listed = (await public.get("/public/v1/decisions")).json()
        assert set(listed) == properties(document, "PublicDecisionList")
        assert set((await public.get("/public/v1/reports")).json()) == properties(document, "AnnualReportList")
        staff = (await editor.get(f"/api/v1/disclosure/publications/{publication['id']}")).json()
        assert set(staff) == properties(document, "PublicationStaff")


async def publication_url(editor: httpx.AsyncClient, decision_id: str) -> str:
    """The staff address of the decision's publication, once the issued event has made it."""
    publication = await eventually(lambda: publication_of(editor, decision_id))
    return f"/api/v1/disclosure/publications/{publication['id']}"


async def test_the_etag_read_is_the_one_an_edit_takes_and_gives_back(local: Stack) -> None:
    today = local_today("Asia/Shanghai").isoformat()
    decision = await issue(local, decision_body(kind="order_to_correct", decided_on=today))
    async with local.client("disclosure", "disclosure_editor") as editor:
        url = await publication_url(editor, decision["id"])
        read = await editor.get(url)
        etag = read.headers["etag"]
        edited = await editor.patch(url, json={"violation_type": "超标排放"}, headers={"If-Match": etag})
        assert edited.status_code == 200, edited.text
        assert edited.headers["etag"] != etag
        assert (await editor.get(url)).headers["etag"] == edited.headers["etag"]
        stale = await editor.patch(url, json={"violation_type": "其他"}, headers={"If-Match": etag})
        assert stale.status_code == 412
        unconditional = await editor.patch(url, json={"violation_type": "其他"})
        assert unconditional.status_code == 428
        approved = await editor.post(f"{url}/publish", headers={"If-Match": edited.headers["etag"]})
        assert approved.status_code == 200, approved.text
        assert approved.headers["etag"] == (await editor.get(url)).headers["etag"]


async def test_a_publication_date_outside_its_window_is_refused(local: Stack) -> None:
    today = local_today("Asia/Shanghai")
    decision = await issue(local, decision_body(kind="order_to_correct", decided_on=today.isoformat()))
    async with local.client("disclosure", "disclosure_editor") as editor:
        url = await publication_url(editor, decision["id"])
        etag = (await editor.get(url)).headers["etag"]
        for day in (today + timedelta(days=1), today - timedelta(days=1)):  # the future; before the decision
            answer = await editor.post(
                f"{url}/publish", json={"published_on": day.isoformat()}, headers={"If-Match": etag}
            )
            assert answer.status_code == 422, answer.text
            assert answer.json()["type"].endswith("validation")
        assert (await editor.get(url)).json()["status"] == "pending"
