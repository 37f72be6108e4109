"""Fuzzing every documented operation with schemathesis: no 5xx, and answers as the OpenAPI document says.

Cases are generated from each service's own ``/openapi.json`` (and, for the gateway's own operations, from its merged
document, loaded with ``schemathesis.openapi.from_dict``), a fixed number per operation with a derandomized seed,
and sent through httpx's ASGI transport in the test's event loop: the services' engines and buses live in that loop,
and schemathesis' own ASGI client (``from_asgi``) runs the app in a blocking portal on another thread and loop. Each
case goes to its service or, in turn, through the gateway (its merged document repeats the services' operations, so
generating the cases once serves both; generation is most of the fuzzing's time).
Schema-valid cases are sent as admin (past every role check, so they reach the handlers) and, in turn, as each
other caller (no token, each role that uses the service, a police unit), a share of every operation's cases each;
schema-invalid ones (negative mode) as admin and as police, so they reach the handlers. Every answer must pass
the checks below: not a 5xx, a documented status, the documented media type (``content_type_conformance``), a body
that matches its schema (``response_schema_conformance``) and every header its response documents as required,
valid against the header's schema (``response_headers_conformance``: an ``ETag`` or ``Location`` a route declares).
The volume is ``GREENLAW_FUZZ_EXAMPLES`` cases per operation (10 in CI); ``GREENLAW_FUZZ_EVERY_CALLER=1`` sends
each case as every caller, to the service and through the gateway (up to seven times the requests).

Targeted cases follow (``test_extreme_values_are_refused_not_500``): from one schema-valid case per operation,
each path and query parameter and each leaf of a JSON body in turn is replaced by extremes of its kind (integers
beyond 64 bits, the largest floats, dates 0001-01-01 and 9999-12-31 and times at both ends with the widest UTC
offsets, a 5,000-character string), and every operation that takes a body also gets JSON nested 1,500 deep, a
400-digit integer and ``NaN``. Only "never a 5xx" is checked there: such answers are outside the documented schema.

Two checks are left out on purpose. ``positive_data_acceptance``: a schema-valid request may still be refused
with a 4xx for reasons a JSON schema cannot say (a unified social credit code checksum, an unknown pagination
cursor, a missing If-Match, an unknown station). ``negative_data_rejection``: some invalid inputs are harmlessly
accepted (an unknown query parameter is ignored). Both kinds of answer are still checked: never a 5xx, a
documented status and media type, and a body (problem+json for errors) that matches its schema.
"""

from __future__ import annotations

import contextlib
import copy
import os
import re
import zlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.catalogue import SERVICES, UPSTREAMS
from services.gateway.app import create_gateway_app
from services.gateway.settings import GatewaySettings
from shared.http import encode_cursor
from tests.stack import Stack, StackConfig

pytestmark = pytest.mark.integration

# Cases per operation, small in CI; raise it locally (GREENLAW_FUZZ_EXAMPLES=200) for a deeper search.
EXAMPLES = int(os.environ.get("GREENLAW_FUZZ_EXAMPLES", "10"))
# Each schema-valid case from admin and one other caller in turn, each case to the service or through the gateway in
# turn (see ``callers_of`` and ``targets_of``); 1: every case from every caller, to both.
EVERY_CALLER = os.environ.get("GREENLAW_FUZZ_EVERY_CALLER", "0") == "1"
# Not only the status: the media type, the body against its schema, and the headers each response documents.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
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
        # Limits high enough that the cases sent through the gateway reach the services (the limits are tested
        # on their own in tests/security), and a minute before a 504: an annual report renders its PDF and charts,
        # which on a loaded machine has taken over the default 10 s (the timeout is tested in test_gateway.py).
        settings = GatewaySettings(
            common=stack.common,
            rate_limit_public="1000000/minute",
            rate_limit_authenticated="1000000/minute",
            upstream_timeout=60.0,
        )
        gateway = create_gateway_app(settings, asgi_apps=dict(stack.apps))
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


def negatable(operation: Any) -> bool:
    """Whether negative mode can make a schema-invalid case: not for an operation whose only inputs are path
    parameters of plain ``type: string`` (every string is one) and which takes no body. Hypothesis would search
    about a second per such operation to report ``Unsatisfiable`` (22 of cases' 63 operations, most of the fuzzing's
    generation time). Judged on the inputs as schemathesis resolved them: the path item's own parameters and an API
    key's query, header or cookie parameter included."""
    if any(list(group) for group in (operation.query, operation.headers, operation.cookies, operation.body)):
        return True
    plain = {"type": "string"}
    for parameter in operation.path_parameters:
        schema = parameter.definition.get("schema", {})
        if {k: v for k, v in schema.items() if k not in ("title", "description")} != plain:
            return True
    return False


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


def callers_of(tokens: dict[str, str | None], number: int, label: str) -> dict[str, str | None]:
    """Who sends the ``number``-th schema-valid case of an operation: admin (past every role check, so the case
    reaches the handler), and one other caller in turn, starting at a different caller for each operation, so every
    caller gets a share of every operation's cases. ``GREENLAW_FUZZ_EVERY_CALLER=1``: every case from every caller."""
    if EVERY_CALLER:
        return tokens
    others = [caller for caller in tokens if caller != "admin"]
    turn = others[(number + zlib.crc32(label.encode())) % len(others)]
    return {"admin": tokens["admin"], turn: tokens[turn]}


def targets_of(targets: int, cases: int, number: int, label: str, *, turn: int = 1) -> range:
    """Where the ``number``-th of an operation's ``cases`` goes: the service and the gateway in turn, a run of
    ``turn`` cases each (the number of callers taking turns, so each caller's cases go both ways), both when the
    operation has a single case. ``GREENLAW_FUZZ_EVERY_CALLER=1``: every case to both."""
    if EVERY_CALLER or cases < 2:
        return range(targets)
    first = (number // turn + zlib.crc32(label.encode())) % targets
    return range(first, first + 1)


def tokens_for(stack: Stack, service: str) -> dict[str, str | None]:
    tokens: dict[str, str | None] = {"anonymous": None, "police": stack.police_token()}
    tokens.update({role: stack.token(role) for role in CALLERS[service]})
    return tokens


async def send_and_check(
    client: httpx.AsyncClient, case: Any, caller: str, token: str | None, failures: dict[tuple[str, int, str], str]
) -> int:
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
    return response.status_code


def client_of(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url=BASE, timeout=30
    )


async def fuzz(
    stack: Stack, service: str, examples: int, *, through_gateway: bool = False, skip: frozenset[str] = frozenset()
) -> list[str]:
    """Schema-valid cases from admin and the other callers in turn; schema-invalid ones (negative mode) from callers
    that get past auth. With ``through_gateway`` the cases go to the service and through the gateway in turn (whose
    merged document repeats the service's operations), so a case is generated once for both. ``skip``: operation labels
    left out (``GET /healthz``)."""
    failures: dict[tuple[str, int, str], str] = {}
    async with contextlib.AsyncExitStack() as clients:
        client = await clients.enter_async_context(client_of(stack.apps[service]))
        targets = [client]
        if through_gateway:
            targets.append(await clients.enter_async_context(client_of(stack.apps["gateway"])))
        schema = schemathesis.openapi.from_dict((await client.get("/openapi.json")).json())
        tokens = tokens_for(stack, service)
        inside = {caller: tokens[caller] for caller in ("admin", "police")}
        accepted = [0] * len(targets)  # schema-valid cases answered below 400, directly and through the gateway
        for result in schema.get_all_operations():
            operation = result.ok()
            if operation.label in skip:
                continue
            cases = generated_cases(operation, examples)
            for number, case in enumerate(cases):
                for caller, token in callers_of(tokens, number, operation.label).items():
                    for n in targets_of(len(targets), len(cases), number, operation.label, turn=len(tokens) - 1):
                        accepted[n] += await send_and_check(targets[n], case, caller, token, failures) < 400
            if not negatable(operation):
                continue
            cases = generated_cases(operation, max(1, examples // 2), GenerationMode.NEGATIVE)
            for number, case in enumerate(cases):
                for caller, token in inside.items():
                    for n in targets_of(len(targets), len(cases), number, operation.label):
                        await send_and_check(targets[n], case, caller, token, failures)
    # Schema-valid cases reached the handlers and were accepted, directly and through the gateway (not, say, a 404
    # or 403 of the gateway's own for everything).
    assert all(accepted), accepted
    return list(failures.values())


async def upstream_operations(stack: Stack) -> frozenset[str]:
    """The labels (``GET /api/v1/cases``) of every operation a service documents."""
    labels: set[str] = set()
    for service in UPSTREAMS:
        async with client_of(stack.apps[service]) as client:
            document = (await client.get("/openapi.json")).json()
        labels.update(result.ok().label for result in schemathesis.openapi.from_dict(document).get_all_operations())
    return frozenset(labels)


@pytest.mark.parametrize("service", UPSTREAMS)
async def test_service_api_holds_under_fuzzing(running: Stack, service: str) -> None:
    """Each case to the service and, the same case, through the gateway."""
    failures = await fuzz(running, service, EXAMPLES, through_gateway=True)
    assert not failures, "\n\n".join(failures)


async def test_gateway_own_api_holds_under_fuzzing(running: Stack) -> None:
    """The operations of the gateway's merged document that no service has (sign-in, accounts, health); the
    services' operations go through the gateway in the test above."""
    failures = await fuzz(running, "gateway", EXAMPLES, skip=await upstream_operations(running))
    assert not failures, "\n\n".join(failures)


def test_negative_mode_is_skipped_only_where_it_finds_nothing() -> None:
    """The fuzzing leaves out negative mode where ``negatable`` says no case exists: checked against schemathesis
    itself on operations of each shape, so a schemathesis that learns to negate them shows up here."""
    paths = {
        "/things/{thing_id}": {
            "get": {"parameters": [{"in": "path", "name": "thing_id", "required": True, "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "ok"}}},
            "delete": {"parameters": [{"in": "path", "name": "thing_id", "required": True,
                                       "schema": {"type": "string", "maxLength": 5}}],
                       "responses": {"204": {"description": "gone"}}},
        },
        "/pairs/{a}/{b}": {
            "get": {"parameters": [{"$ref": "#/components/parameters/A"},
                                   {"in": "path", "name": "b", "required": True, "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "ok"}}},
            "post": {"parameters": [{"$ref": "#/components/parameters/A"},
                                    {"in": "path", "name": "b", "required": True, "schema": {"type": "string"}}],
                     "responses": {"200": {"description": "ok"}}},
        },
        "/shared/{thing_id}": {
            "parameters": [{"in": "query", "name": "limit", "required": True,
                            "schema": {"type": "integer", "maximum": 5}}],
            "get": {"parameters": [{"in": "path", "name": "thing_id", "required": True, "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "ok"}}},
        },
        "/keyed/{thing_id}": {
            "get": {"parameters": [{"in": "path", "name": "thing_id", "required": True, "schema": {"type": "string"}}],
                    "security": [{"key": []}], "responses": {"200": {"description": "ok"}}},
        },
        "/things": {
            "get": {"parameters": [{"in": "query", "name": "limit", "schema": {"type": "integer", "maximum": 5}}],
                    "responses": {"200": {"description": "ok"}}},
            "post": {"requestBody": {"required": True, "content": {"application/json": {"schema": {
                         "type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}}}},
                     "responses": {"201": {"description": "made"}}},
        },
    }  # fmt: skip
    components = {
        "parameters": {"A": {"in": "path", "name": "a", "required": True, "schema": {"type": "string"}}},
        "securitySchemes": {"key": {"type": "apiKey", "in": "query", "name": "k"}},
    }
    document = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths, "components": components}
    schema = schemathesis.openapi.from_dict(document)
    seen = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        found = bool(generated_cases(operation, 5, GenerationMode.NEGATIVE))
        seen[operation.label] = (negatable(operation), found)
    assert seen == {
        "GET /things/{thing_id}": (False, False),
        "GET /pairs/{a}/{b}": (False, False),
        "POST /pairs/{a}/{b}": (False, False),
        "GET /shared/{thing_id}": (True, True),
        "GET /keyed/{thing_id}": (True, True),
        "DELETE /things/{thing_id}": (True, True),
        "GET /things": (True, True),
        "POST /things": (True, True),
    }


DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T")
MONTH = re.compile(r"^\d{4}-\d{2}$")
DEEP_BODIES = {
    "deep array": b"[" * 1500 + b"]" * 1500,
    "deep object": b'{"a":' * 1500 + b"1" + b"}" * 1500,
    "400-digit integer": b'{"value": ' + b"9" * 400 + b"}",
    "NaN": b'{"value": NaN}',
    "1e999": b'{"value": 1e999}',
}


# Cursors of every list's shape, with each value out of range or of the wrong type.
CURSORS = [
    encode_cursor(position)
    for position in (
        {"seq": 2**64},
        {"seq": -1},
        {"t": "9999-12-31T23:59:59", "id": 2**64},
        {"t": "0001-01-01T00:00:00-14:00", "id": "x"},
        {"d": "9999-12-31", "id": 10**30},
        {"period_start": "9999-12-31T23:59:59+14:00", "id": 2**70},
        {"period_start": 10**30, "id": "x"},
        {"day": "0001-01-01", "station": 10**30},
    )
]
CURSOR_PARAMETERS = ("cursor", "since")


def extremes(value: Any) -> list[Any]:
    """Values at and beyond the edges of what ``value``'s kind can hold."""
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        return []
    if isinstance(value, int):
        return [2**63, -(2**63) - 1, 10**30]
    if isinstance(value, float):
        return [1.7e308, -1.7e308, 10.0**300]
    if DATE.match(str(value)):
        return ["9999-12-31", "0001-01-01"]
    if MONTH.match(str(value)):
        return ["9999-12", "1000-01"]
    if DATE_TIME.match(str(value)):
        return ["9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00-14:00", "9999-12-31T23:59:59"]
    return ["x" * 5000]


def leaves(document: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(document, dict):
        for key, value in document.items():
            yield from leaves(value, (*path, key))
    elif isinstance(document, list):
        for index, value in enumerate(document[:3]):
            yield from leaves(value, (*path, index))
    else:
        yield path, document


def replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    changed = copy.deepcopy(document)
    target = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return changed


def targeted_requests(case: Any, token: str | None) -> Iterator[tuple[str, dict[str, Any]]]:
    """The case's request with one value at a time replaced by an extreme, then deep and out-of-range bodies."""
    base = request_kwargs(case, token)
    for name, value in (case.path_parameters or {}).items():
        for extreme in extremes(value):
            values = {**case.path_parameters, name: extreme}
            url = BASE + case.path.format(**{k: quote(str(v), safe="") for k, v in values.items()})
            yield f"path {name}={str(extreme)[:30]}", {**base, "url": url}
    query = dict(base["params"] or {})
    for name, value in query.items():
        for extreme in extremes(value):
            yield f"query {name}={str(extreme)[:30]}", {**base, "params": {**query, name: extreme}}
    for name in {p.name for p in case.operation.query} & set(CURSOR_PARAMETERS):
        for cursor in CURSORS:
            yield f"query {name}={cursor[:30]}", {**base, "params": {**query, name: cursor}}
    if "json" in base:
        for path, value in list(leaves(base["json"]))[:40]:
            for extreme in extremes(value):
                body = replaced(base["json"], path, extreme) if path else extreme
                yield f"body {'.'.join(map(str, path))}={str(extreme)[:30]}", {**base, "json": body}
    if case.method.upper() in ("POST", "PUT", "PATCH"):
        headers = {**base["headers"], "Content-Type": "application/json"}
        for label, content in DEEP_BODIES.items():
            plain = {k: v for k, v in base.items() if k not in ("json", "data", "files", "content")}
            yield f"body {label}", {**plain, "headers": headers, "content": content}


async def send_extremes(stack: Stack, service: str) -> list[str]:
    transport = httpx.ASGITransport(app=stack.apps[service], raise_app_exceptions=False)
    tokens = {"staff": stack.token("admin"), "police": stack.police_token()}
    failures: list[str] = []
    async with httpx.AsyncClient(transport=transport, base_url=BASE, timeout=30) as client:
        schema = schemathesis.openapi.from_dict((await client.get("/openapi.json")).json())
        for result in schema.get_all_operations():
            for case in generated_cases(result.ok(), 1):
                token = tokens["police" if case.path.startswith("/police/") else "staff"]
                for label, kwargs in targeted_requests(case, token):
                    response = await client.request(**kwargs)
                    if response.status_code >= 500:
                        failures.append(
                            f"{case.operation.label} {label} → {response.status_code}: {response.text[:300]}"
                        )
    return failures


@pytest.mark.parametrize("service", SERVICES)
async def test_extreme_values_are_refused_not_500(running: Stack, service: str) -> None:
    failures = await send_extremes(running, service)
    assert not failures, "\n".join(failures)
