"""Helpers of the disclosure tests: a decision issued through cases, its publication (published), and events
emitted through cases' outbox as cases would emit them; a Credit China receiver that fails now and then."""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.disclosure.handlers.publications import local_today
from shared.contracts import CloudEvent
from shared.contracts.events import DecisionRevokedV1
from tests.stack import Stack, eventually


async def publication_of(client: httpx.AsyncClient, decision_id: str) -> dict[str, Any] | None:
    answer = await client.get("/api/v1/disclosure/publications", params={"decision_id": decision_id})
    items = answer.json()["items"]
    return items[0] if items else None


async def revoke_through_cases_outbox(stack: Stack, decision: dict[str, Any], reason: str) -> None:
    payload = DecisionRevokedV1(
        decision_id=decision["id"],
        document_number=decision["document_number"],
        revoked_on=local_today("Asia/Shanghai"),
        reason=reason,
    )
    async with stack.runtime("cases").uow() as uow:
        uow.emit(CloudEvent.wrap(payload, subject=decision["id"], actor="head-1"))
        await uow.commit()


async def issue(stack: Stack, body: dict[str, Any]) -> dict[str, Any]:
    async with stack.client("cases", "head") as cases:
        answer = await cases.post("/api/v1/cases/decisions", json=body)
    assert answer.status_code == 201, answer.text
    decision: dict[str, Any] = answer.json()
    return decision


async def published(stack: Stack, decision_id: str) -> dict[str, Any]:
    async with stack.client("disclosure", "disclosure_editor") as editor:

        async def check() -> dict[str, Any] | None:
            found = await publication_of(editor, decision_id)
            return found if found and found["status"] == "published" else None

        result: dict[str, Any] = await eventually(check)
        return result


async def emit_from_cases(stack: Stack, payload: Any, subject: str) -> None:
    async with stack.runtime("cases").uow() as uow:
        uow.emit(CloudEvent.wrap(payload, subject=subject, actor="head-1"))
        await uow.commit()


class FlakyReceiver:
    """Every third request fails before doing anything (503); every fourth applies the record and then fails
    (500), so the sender retries something the receiver already holds. Records are applied once per key."""

    def __init__(self) -> None:
        self.requests = 0
        self.processed: Counter[str] = Counter()
        self.applied: dict[str, dict[str, Any]] = {}
        self.order: list[str] = []
        self.rejected_names: set[str] = set()
        self.app = FastAPI()
        self.app.post("/records")(self.receive)

    async def receive(self, request: Request) -> JSONResponse:
        self.requests += 1
        if self.requests % 3 == 0:
            return JSONResponse({"error": "busy"}, status_code=503)
        body = await request.json()
        if body["fields"].get("party_name") in self.rejected_names:
            return JSONResponse({"error": "当事人名称不合规"}, status_code=400)
        key = request.headers["idempotency-key"]
        self.processed[key] += 1
        if key not in self.applied:
            self.applied[key] = body
            self.order.append(key)
        if self.requests % 4 == 0:
            return JSONResponse({"error": "answer lost"}, status_code=500)
        return JSONResponse({"ok": True})
