"""HTTP conventions shared by the services: opaque cursors, ETags with If-Match / If-None-Match."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any, TypeVar

from fastapi import Request, Response
from pydantic import BaseModel, ValidationError

from shared.problems import Problem

MAX_LIMIT = 100
# Longer than any cursor this project issues; a longer one is refused before it is decoded.
MAX_CURSOR_LENGTH = 300

P = TypeVar("P", bound=BaseModel)


def encode_cursor(position: dict[str, Any]) -> str:
    """An opaque, URL-safe cursor for the position after the last item of a page."""
    raw = json.dumps(position, separators=(",", ":"), sort_keys=True, default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def invalid_cursor() -> Problem:
    """A cursor this service did not issue: malformed, of another list, or out of range (422, never a 500)."""
    return Problem(422, "游标无效 Invalid cursor", slug="invalid-cursor")


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise invalid_cursor()
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise invalid_cursor() from exc
    # NUL in a position would reach the database, which (PostgreSQL) cannot compare it.
    if not isinstance(position, dict) or "\x00" in json.dumps(position, ensure_ascii=False):
        raise invalid_cursor()
    return position


def decode_position(cursor: str | None, shape: type[P]) -> P | None:
    """The cursor's position checked against ``shape`` (bounded fields), so the database never sees a value out
    of its range: a huge number, a date near year 9999, a time without a zone."""
    position = decode_cursor(cursor)
    if position is None:
        return None
    try:
        return shape.model_validate(position)
    except ValidationError as exc:
        raise invalid_cursor() from exc


def etag_of(*parts: object) -> str:
    """A strong ETag from what identifies a representation (e.g. id and version, or the body bytes)."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:32]
    return f'"{digest}"'


def require_if_match(request: Request, current: str) -> None:
    """Optimistic concurrency: an update must name the version it read (428 without, 412 if stale)."""
    sent = request.headers.get("if-match")
    if sent is None:
        raise Problem(428, "更新需要 If-Match 头 Updates need an If-Match header with the ETag you read")
    candidates = {tag.strip() for tag in sent.split(",")}
    if "*" not in candidates and current not in candidates and f"W/{current}" not in candidates:
        raise Problem(412, "数据已被他人修改 The resource changed since you read it", current_etag=current)


def none_match_holds(sent: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` names the representation's ETag (RFC 9110 §13.1.2, weak comparison): the
    client already holds it, and gets a 304."""
    if not sent:
        return False
    return sent.strip() == "*" or etag in {t.strip().removeprefix("W/") for t in sent.split(",")}


def not_modified(request: Request, etag: str, *, cache_control: str) -> Response | None:
    """304 when the client already holds this representation."""
    if none_match_holds(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers={"ETag": etag, "Cache-Control": cache_control})
    return None
