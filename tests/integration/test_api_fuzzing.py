"""Fuzzing every documented operation with schemathesis: no 5xx, and answers as the OpenAPI document says.

Cases are generated from each service's own ``/openapi.json`` (and from the gateway's merged document, loaded with
``schemathesis.openapi.from_dict``), a fixed number per operation with a derandomized seed, and sent through
httpx's ASGI transport in the test's event loop: the services' engines and buses live in that loop, and
schemathesis' own ASGI client (``from_asgi``) runs the app in a blocking portal on another thread and loop.
Schema-valid cases are sent once per caller (no token, each role that uses the service, a police unit);
schema-invalid ones (negative mode) as admin and as police, so they reach the handlers. Every answer must pass
the checks below.

Two checks are left out on purpose. ``positive_data_acceptance``: a schema-valid request may still be refused
with a 4xx for reasons a JSON schema cannot say (a unified social credit code checksum, an unknown pagination
cursor, a missing If-Match, an unknown station). ``negative_data_rejection``: some invalid inputs are harmlessly
accepted (an unknown query parameter is ignored). Both kinds of answer are still checked: never a 5xx, a
documented status and media type, and a body (problem+json for errors) that matches its schema.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.gateway.app import create_gateway_app
from services.gateway.settings import GatewaySettings
from tests.stack import Stack, StackConfig

pytestmark = pytest.mark.integration

# Cases per operation; raise it locally (GREENLAW_FUZZ_EXAMPLES=200) for a deeper search.
EXAMPLES = int(os.environ.get("GREENLAW_FUZZ_EXAMPLES", "15"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
BASE = "http://test"
# Who calls each service: anonymous, the roles its routes name, an auditor (read-only), admin (passes every role
# check, so the handlers are reached), and a police unit (the police zone, refused in the staff zone).
CALLERS: dict[str, tuple[str, ...]] = {
    "cases": ("officer", "legal_reviewer", "head", "auditor", "admin"),
    "disclosure": ("disclosure_editor", "auditor", "admin"),
    "referral": ("officer", "head", "admin"),
    "monitoring": ("monitoring_reviewer", "auditor", "admin"),
    "gateway": ("head", "admin"),
}


@pytest.fixture(scope="module")
async def running(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    data_dir: Path = tmp_path_factory.mktemp("fuzz")
    async with Stack(StackConfig(database="sqlite", transport="inprocess", data_dir=data_dir)) as stack:
        gateway = create_gateway_app(GatewaySettings(common=stack.common), asgi_apps=dict(stack.apps))
        async with gateway.router.lifespan_context(gateway):
            stack.apps["gateway"] = gateway
            yield stack
            del stack.apps["gateway"]


def generated_cases(operation: Any, examples: int, mode: GenerationMode = GenerationMode.POSITIVE) -> list[Any]:
    """A fixed list of cases for one operation (derandomized: the same cases on every run)."""
    cases: list[Any] = []

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(operation.as_strategy(generation_mode=mode))
    def collect(case: Any) -> None:
        cases.append(case)

    try:
        collect()
    except Unsatisfiable:
        return []  # nothing to break (negative mode on an operation without inputs)
    return cases


def request_kwargs(case: Any, token: str | None) -> dict[str, Any]:
    """Schemathesis serializes a case for ``requests``; the same request for httpx."""
    kwargs = dict(case.as_transport_kwargs(base_url=BASE))
    kwargs.pop("auth", None)
    headers = dict(kwargs.pop("headers", None) or {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    out: dict[str, Any] = {
        "method": kwargs.pop("method"),
        "url": kwargs.pop("url"),
        "headers": headers,
        "params": kwargs.pop("params", None),
        "cookies": kwargs.pop("cookies", None) or None,
    }
    if "json" in kwargs:
        out["json"] = kwargs.pop("json")
    data = kwargs.pop("data", None)
    if isinstance(data, bytes | str):
        out["content"] = data
    elif data is not None:
        out["data"] = data
    files = kwargs.pop("files", None)
    if files:
        # Extra form fields may be generated as numbers; on the wire every multipart part is text.
        out["files"] = [
            (name, (f, v if isinstance(v, bytes | str) else str(v), *rest)) for name, (f, v, *rest) in files
        ]
    assert not kwargs, f"unexpected request arguments {sorted(kwargs)}"
    return out


def tokens_for(stack: Stack, service: str) -> dict[str, str | None]:
    tokens: dict[str, str | None] = {"anonymous": None, "police": stack.police_token()}
    tokens.update({role: stack.token(role) for role in CALLERS[service]})
    return tokens


async def send_and_check(
    client: httpx.AsyncClient, case: Any, caller: str, token: str | None, failures: dict[tuple[str, int, str], str]
) -> None:
    request = client.build_request(**request_kwargs(case, token))
    request.read()  # so the checks can read a multipart body again
    response = await client.send(request)
    try:
        case.validate_response(response, checks=CHECKS)
    except BaseException as group:  # schemathesis raises an exception group of failures
        for failure in getattr(group, "exceptions", [group]):
            key = (case.operation.label, response.status_code, str(failure).splitlines()[0])
            where = f"{case.operation.label} ({case.meta.generation.mode.value if case.meta else '?'}) as {caller}"
            failures.setdefault(key, f"{where} → {response.status_code}: {failure}\n{response.text[:300]}")


async def fuzz(stack: Stack, service: str, examples: int) -> list[str]:
    """Schema-valid cases from every caller; schema-invalid ones (negative mode) from callers that get past auth."""
    app = stack.apps[service]
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    failures: dict[tuple[str, int, str], str] = {}
    async with httpx.AsyncClient(transport=transport, base_url=BASE, timeout=30) as client:
        schema = schemathesis.openapi.from_dict((await client.get("/openapi.json")).json())
        tokens = tokens_for(stack, service)
        inside = {caller: tokens[caller] for caller in ("admin", "police")}
        for result in schema.get_all_operations():
            operation = result.ok()
            for case in generated_cases(operation, examples):
                for caller, token in tokens.items():
                    await send_and_check(client, case, caller, token, failures)
            for case in generated_cases(operation, max(1, examples // 2), GenerationMode.NEGATIVE):
                for caller, token in inside.items():
                    await send_and_check(client, case, caller, token, failures)
    return list(failures.values())


@pytest.mark.parametrize("service", ["cases", "disclosure", "referral", "monitoring"])
async def test_service_api_holds_under_fuzzing(running: Stack, service: str) -> None:
    failures = await fuzz(running, service, EXAMPLES)
    assert not failures, "\n\n".join(failures)


async def test_gateway_merged_api_holds_under_fuzzing(running: Stack) -> None:
    # The merged document repeats the services' operations; fewer cases each keep the run short.
    failures = await fuzz(running, "gateway", max(1, EXAMPLES // 3))
    assert not failures, "\n\n".join(failures)
