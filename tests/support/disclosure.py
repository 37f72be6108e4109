"""Helpers of the disclosure tests: a decision issued through cases, its publication (published), and events
emitted through cases' outbox as cases would emit them."""

from __future__ import annotations

from typing import Any

import httpx

from services.disclosure.handlers import local_today
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
