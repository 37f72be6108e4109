"""The contract held by the running system: flows through the gateway record every answer, then each ``Location``
received is followed with a GET (200 expected, with the ``ETag`` where the resource takes If-Match), every create
answers with a ``Location``, and every header sent is one the document declares."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.gateway.app import create_gateway_app
from services.gateway.settings import GatewaySettings
from tests.stack import Stack, StackConfig
from tests.support.cases import API, decision_for, file_case, make_team, meeting_for, ok, step
from tests.support.contract import Operation, document, matching, operations, resource_get
from tests.support.monitoring import create_station

pytestmark = pytest.mark.integration

IDENTIFIER = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str
    status: int
    headers: httpx.Headers
    sent_if_match: bool


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, list[Exchange]]]:
    """An admin's client of the gateway (every role check passes) recording every answer it gets."""
    exchanges: list[Exchange] = []

    async def record(response: httpx.Response) -> None:
        request = response.request
        exchanges.append(
            Exchange(
                request.method, request.url.path, response.status_code, response.headers, "if-match" in request.headers
            )
        )

    async with Stack(StackConfig(database="sqlite", transport="inprocess", data_dir=tmp_path)) as stack:
        app = create_gateway_app(GatewaySettings(common=stack.common), asgi_apps=dict(stack.apps))
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url="http://gateway",
                headers={"Authorization": f"Bearer {stack.token('admin', subject='admin1')}"},
                event_hooks={"response": [record]},
                timeout=60,
            ) as client,
        ):
            yield client, exchanges


async def flows(client: httpx.AsyncClient) -> None:
    """A case from lead to served decision, with a lead extended, evidence, a preservation and a referral request;
    a monitoring station; a dated row of the random inspection rates, corrected."""
    team = await make_team(client)
    case = await file_case(client, team)
    case = await step(client, case, to="investigating", on="2021-06-04")
    evidence = {"kind": "photo", "filename": "outfall.jpg", "captured_by": "王伟"}
    evidence["captured_at"] = "2021-06-04T10:00:00+08:00"
    await ok(await client.post(f"{API}/{case['id']}/evidence", params=evidence, content=b"\xff\xd8jpeg"), 201)
    preservation = {"items": ["废水样品两瓶"], "place": "厂区仓库", "preserved_on": "2021-06-04", "head_approval": True}
    await ok(await client.post(f"{API}/{case['id']}/preservations", json=preservation), 201)
    case = await step(client, case, to="review", on="2021-07-01", reviewer_id=team.reviewer)
    notice = {"proposed": {"fine_fen": 10_000_000}, "notice_received_on": "2021-07-02"}
    case = await step(client, case, to="notice", on="2021-07-02", **notice)
    review = {"legal_reviewer_id": team.legal, "legal_opinion": "agree"}
    case = await step(client, case, to="legal_review", on="2021-07-12", **review)
    meeting = await ok(await client.post(f"{API}/review-meetings", json=meeting_for(case, "2021-07-14")), 201)
    case = await step(client, case, to="collective_discussion", on="2021-07-14", meeting_id=meeting["id"])
    body = decision_for(case, fine_fen=10_000_000, decided_on="2021-07-15")
    decision = await ok(await client.post(f"{API}/decisions", json=body), 201)
    etag = (await client.get(f"{API}/decisions/{decision['id']}")).headers["etag"]
    service = {"served_on": "2021-07-16", "method": "direct"}
    await ok(await client.post(f"{API}/decisions/{decision['id']}/service", json=service, headers={"If-Match": etag}))
    lead = {"source": "complaint", "received_on": "2021-06-01", "summary": "12369 举报：夜间偷排"}
    lead = await ok(await client.post(f"{API}/leads", json=lead), 201)
    etag = (await client.get(f"{API}/leads/{lead['id']}")).headers.get("etag", "*")
    await ok(await client.post(f"{API}/leads/{lead['id']}/extension", headers={"If-Match": etag}))
    other = await file_case(client, team)
    referral = {
        "offence": "污染环境罪",
        "medium": "soil",
        "summary": "非法处置危险废物约4.2吨",
        "police_unit": "西青公安分局",
        "package_items": ["移送书", "调查报告"],
        "facts": {"hazardous_waste_tonnes": 4.2},
        "approved_on": "2021-06-10",
    }
    await ok(await client.post(f"{API}/{other['id']}/referrals", json=referral), 201)
    await create_station(client, "air_station")
    rates = {"effective_from": "2030-01-01", "rates": {"ordinary": {"per": "year", "count": 2}}, "basis": "工作方案"}
    made = await client.post(f"{API}/inspection-rates", json=rates)
    rate = await ok(made, 201)
    patch = {"json": {"confirmed": True}, "headers": {"If-Match": made.headers["etag"]}}
    await ok(await client.patch(f"{API}/inspection-rates/{rate['id']}", **patch))


async def offences(client: httpx.AsyncClient, exchanges: list[Exchange], doc: dict[str, Any]) -> list[str]:
    found: list[str] = []
    changed_with_if_match = {
        read.path for op in operations(doc) if op.takes_if_match() and (read := resource_get(doc, op.path)) is not None
    }
    for exchange in list(exchanges):
        op = matching(doc, exchange.method, exchange.path)
        if op is None:
            found.append(f"{exchange.method} {exchange.path}: answered {exchange.status} but is not documented")
            continue
        declared = {h.lower() for h in (op.response(exchange.status) or {}).get("headers", {})}
        if exchange.status == 201 and "location" not in exchange.headers:
            found.append(f"{op.label} 201: creates but sends no Location")
        if "location" in exchange.headers:
            if "location" not in declared:
                found.append(f"{op.label} {exchange.status}: sends Location but does not document it")
            found += await follow(client, op, exchange, doc, changed_with_if_match)
        if "etag" in exchange.headers and "etag" not in declared:
            found.append(f"{op.label} {exchange.status}: sends ETag but does not document it")
        if exchange.sent_if_match:
            found += await etag_offered(client, op, exchange.path, doc)
    return found


async def follow(
    client: httpx.AsyncClient, op: Operation, exchange: Exchange, doc: dict[str, Any], versioned: set[str]
) -> list[str]:
    """GET what a Location names: 200, and where the resource takes If-Match, an ETag there and on the create."""
    location, where = exchange.headers["location"], op.label
    answer = await client.get(location)
    if answer.status_code != 200:
        shown = IDENTIFIER.sub("{id}", location)  # one line per route, whatever the ids
        return [f"{where}: its Location {shown} answers GET with {answer.status_code}"]
    read = matching(doc, "GET", httpx.URL(location).path)
    if read is None or read.path not in versioned:
        return []
    found = []
    if "etag" not in answer.headers:
        found.append(f"{read.label}: the resource (read at {where}'s Location) takes If-Match but sends no ETag")
    if exchange.status == 201 and "etag" not in exchange.headers:
        found.append(f"{where} 201: creates a resource that takes If-Match but sends no ETag")
    return found


async def etag_offered(client: httpx.AsyncClient, op: Operation, path: str, doc: dict[str, Any]) -> list[str]:
    """The GET of what an If-Match route changed sends the ETag to send back."""
    read = resource_get(doc, op.path)
    if read is None:
        return [f"{op.label}: takes If-Match but its resource has no documented GET"]
    concrete = "/".join(path.split("/")[: read.path.count("/") + 1])
    answer = await client.get(concrete)
    if answer.status_code != 200 or "etag" not in answer.headers:
        return [f"{read.label}: {op.label} takes If-Match but GET {concrete} → {answer.status_code} without ETag"]
    return []


async def test_every_location_resolves_and_every_version_is_offered(
    gateway: tuple[httpx.AsyncClient, list[Exchange]],
) -> None:
    client, exchanges = gateway
    await flows(client)
    found = await offences(client, exchanges, document())
    assert not found, f"{len(set(found))} answers break the contract:\n" + "\n".join(sorted(set(found)))
