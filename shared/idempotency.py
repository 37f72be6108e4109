"""``Idempotency-Key`` for writes: a repeat returns the first answer; the same key with another body is a 422.

The key's record is written in the same transaction as the write it guards, so a crash leaves either both or
neither; two concurrent first requests race on the primary key and the loser gets the winner's answer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy import Column, Text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime
from shared.messaging.tables import utcnow
from shared.messaging.uow import UnitOfWork
from shared.problems import Problem

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


class IdempotencyRecord(SQLModel, table=True):
    __tablename__ = "idempotency_key"

    principal: str = Field(max_length=200, primary_key=True)
    key: str = Field(max_length=MAX_KEY_LENGTH, primary_key=True)
    operation: str = Field(max_length=300)
    request_hash: str = Field(max_length=64)
    status_code: int
    response: str = Field(sa_column=Column(Text, nullable=False))
    headers: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def request_fingerprint(operation: str, body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{operation}\n{canonical}".encode()).hexdigest()


Action = Callable[[UnitOfWork], Awaitable[tuple[int, Any, dict[str, str]]]]


async def idempotent(
    request: Request,
    new_uow: Callable[[], UnitOfWork],
    *,
    principal: str,
    body: Any,
    action: Action,
) -> JSONResponse:
    """Run ``action`` (status, JSON-able body, headers) once per key and commit; without a key, just run it."""
    key = request.headers.get(HEADER)
    operation = f"{request.method} {request.url.path}"
    if key is not None and not 0 < len(key) <= MAX_KEY_LENGTH:
        raise Problem(400, f"Idempotency-Key must be 1–{MAX_KEY_LENGTH} characters")
    fingerprint = request_fingerprint(operation, body)
    if key is not None:
        async with new_uow() as uow:
            stored = await uow.session.get(IdempotencyRecord, (principal, key))
        if stored is not None:
            return _replay(stored, fingerprint)
    async with new_uow() as uow:
        status, content, headers = await action(uow)
        if key is not None:
            uow.session.add(
                IdempotencyRecord(
                    principal=principal,
                    key=key,
                    operation=operation,
                    request_hash=fingerprint,
                    status_code=status,
                    response=json.dumps(content, ensure_ascii=False, default=str),
                    headers=json.dumps(headers),
                )
            )
        try:
            await uow.commit()
        except IntegrityError:
            if key is None:
                raise
            winner = None
        else:
            return JSONResponse(content, status_code=status, headers=headers)
    async with new_uow() as uow:  # a concurrent request with the same key committed first
        winner = await uow.session.get(IdempotencyRecord, (principal, key))
    if winner is None:
        raise Problem(409, "并发冲突，请重试 Concurrent conflict, retry")
    return _replay(winner, fingerprint)


def _replay(stored: IdempotencyRecord, fingerprint: str) -> JSONResponse:
    if stored.request_hash != fingerprint:
        raise Problem(
            422,
            "同一 Idempotency-Key 的请求内容不同 The Idempotency-Key was used with a different request",
            slug="idempotency-key-reused",
        )
    headers = {**json.loads(stored.headers), "Idempotent-Replayed": "true"}
    return JSONResponse(json.loads(stored.response), status_code=stored.status_code, headers=headers)
