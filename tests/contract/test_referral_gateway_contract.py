"""The contract of the referral service's and the gateway's own routes: every 2xx answer is a named schema whose
fields are described (or a declared file), every ``Location`` is a GET route, and a referral that takes ``If-Match``
hands out its ``ETag`` wherever it is read or changed."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from services.gateway.app import create_gateway_app
from services.gateway.settings import GatewaySettings
from services.ops.openapi import build_document
from tests.stack import Stack, StackConfig
from tests.support.referral import ensure_referral, requested
from tests.support.system import System

PREFIXES = ("/api/v1/referral/", "/police/v1/", "/api/v1/admin/", "/auth/token")
METHODS = {"get", "put", "post", "delete", "patch"}
FILE_TYPES = {"application/octet-stream", "application/pdf"}


def _ours(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        if path.startswith(PREFIXES)
        for method, operation in item.items()
        if method in METHODS
    ]


def _undescribed(schemas: dict[str, Any], name: str, seen: set[str]) -> list[str]:
    """Fields of ``name`` and of every schema it refers to that carry no description."""
    if name in seen:
        return []
    seen.add(name)
    schema = schemas[name]
    missing = [f"{name}.{field}" for field, spec in schema.get("properties", {}).items() if not spec.get("description")]
    text = repr(schema)
    for ref in {part.split("'", 1)[0] for part in text.split("#/components/schemas/")[1:]}:
        missing += _undescribed(schemas, ref, seen)
    return missing


@pytest.mark.unit
def test_every_success_answer_is_a_named_schema_with_described_fields() -> None:
    document = build_document()
    schemas = document["components"]["schemas"]
    operations = _ours(document)
    assert len(operations) > 30  # the walk found the routes (referral staff and police, admin, token)
    for method, path, operation in operations:
        successes = {status: answer for status, answer in operation["responses"].items() if status.startswith("2")}
        assert successes, (method, path)
        for status, answer in successes.items():
            content = answer.get("content")
            if status == "204":
                assert not content, (method, path)
                continue
            assert content, f"{method} {path} {status} declares no content"
            if set(content) <= FILE_TYPES:
                continue
            ref = content["application/json"]["schema"].get("$ref", "")
            assert ref.startswith("#/components/schemas/"), f"{method} {path} {status} answers an unnamed schema"
            name = ref.removeprefix("#/components/schemas/")
            assert schemas[name].get("description"), f"{name} has no description"
            assert _undescribed(schemas, name, set()) == [], f"{method} {path}"


@pytest.fixture
async def system(tmp_path: Path) -> AsyncIterator[System]:
    async with Stack(StackConfig(database="sqlite", transport="inprocess", data_dir=tmp_path)) as stack:
        await ensure_referral(stack)
        settings = GatewaySettings(common=stack.common)
        gateway = create_gateway_app(settings, asgi_apps=dict(stack.apps))
        async with gateway.router.lifespan_context(gateway):
            yield System(stack, gateway)


@pytest.mark.integration
async def test_locations_resolve_and_a_referral_gives_its_etag_where_it_is_read_and_changed(system: System) -> None:
    referral = await requested(system.stack)
    path = f"/api/v1/referral/referrals/{referral.id}"
    async with system.client(system.staff_token("head")) as head:
        read = await head.get(path)
        assert read.status_code == 200
        changed = await head.post(f"{path}/transfer", json={}, headers={"If-Match": read.headers["etag"]})
        assert changed.status_code == 200, changed.text
        assert changed.headers["etag"] not in (None, read.headers["etag"])
        assert (await head.get(path)).headers["etag"] == changed.headers["etag"]

        content = b"%PDF-1.4 transfer letter"
        files = {"file": ("移送函.pdf", content, "application/pdf")}
        uploaded = await head.post(f"{path}/documents", files=files)
        assert uploaded.status_code == 201, uploaded.text
        file = await head.get(uploaded.headers["location"])
        assert file.status_code == 200
        assert file.content == content
        assert file.headers["etag"] == f'"{hashlib.sha256(content).hexdigest()}"'

        body = {"held_on": "2024-03-01", "participants": ["西青公安分局 李警官"], "topic": "移送衔接",
                "outcome": "按期移送", "referral_ids": [referral.id]}  # fmt: skip
        recorded = await head.post("/api/v1/referral/consultations", json=body)
        assert recorded.status_code == 201, recorded.text
        located = await head.get(recorded.headers["location"])
        assert located.status_code == 200
        assert located.json() == recorded.json()
