"""JSON request bodies parsed once, with bounds, before any route sees them.

The standard library parses by recursion: a body nested a thousand deep raises ``RecursionError`` wherever it is
parsed or walked again (validation, storage, logging). Python refuses integers of more than 4,300 digits, and
``1e999``, ``NaN`` and ``Infinity`` parse as floats no response can carry, and an integer beyond a float's range
raises ``OverflowError`` wherever it meets one. ``parse_json`` refuses all of these with
a 400 problem; ``JsonBodyGuard`` applies it to every JSON body a service receives (and to bodies without a media
type, which FastAPI reads as JSON) and leaves the parsed document in ``request.state.json_body``.
"""

from __future__ import annotations

import json
import math
from typing import Any, NoReturn

from pydantic_core import from_json
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.problems import Problem, problem_response

# pydantic-core's parser stops at this depth (its recursion limit); nothing this project accepts nests beyond ten.
MAX_JSON_DEPTH = 200
# A literal that may overflow a float, or an integer that may pass 2**1023, has an exponent of three digits or
# more, or a long run of digits: 210 before a two-digit exponent (1, 209 zeros, e99), 308 without one; a run of 200
# (digits and dots) is taken as long. To find one at C speed, digits and dots become "0", e and E "e", "+" goes
# (1e+308 reads 1e308), everything else a space; then two searches.
_NUMBER_SHAPE = bytes(
    ord("0") if chr(c) in "0123456789." else ord("e") if chr(c) in "eE" else ord(" ") for c in range(256)
)
_OVERFLOW_SHAPES = (b"0e000", b"0" * 200)
_FLOAT_MAX_BITS = 1023  # from 2**1023 on, integers come near the largest float and some round beyond it
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def too_deep() -> Problem:
    return Problem(400, f"JSON 嵌套过深 JSON nested deeper than {MAX_JSON_DEPTH} levels", slug="json-too-deep")


def _not_finite() -> Problem:
    return Problem(
        400,
        "JSON 数值超出范围 JSON number out of range (NaN, Infinity, beyond a float or too many digits)",
        slug="json-number-range",
    )


def _refuse_constant(name: str) -> NoReturn:
    raise _not_finite()


def parse_json(body: bytes) -> Any:
    """The document, or a 400 problem for one too deep or with a number out of range; a malformed body raises
    ``ValueError`` (the caller words it, as before)."""
    try:
        value = from_json(body, allow_inf_nan=False)
    except ValueError as exc:
        if "recursion limit" in str(exc):
            raise too_deep() from exc
        if "number out of range" in str(exc):
            raise _not_finite() from exc
        # Other encodings than UTF-8, lone surrogates. The byte scan below reads UTF-8 (in UTF-16 or UTF-32 the
        # digits are apart), so such a document is always walked.
        value = _standard_library(body)
        if not _within_float_range(value):
            raise _not_finite() from exc
        return value
    if _may_overflow(body) and not _within_float_range(value):
        raise _not_finite()
    return value


def _may_overflow(body: bytes) -> bool:
    shape = body.translate(_NUMBER_SHAPE, b"+")
    return any(pattern in shape for pattern in _OVERFLOW_SHAPES)


def _standard_library(body: bytes) -> Any:
    try:
        return json.loads(body, parse_constant=_refuse_constant)
    except RecursionError as exc:
        raise too_deep() from exc


def _within_float_range(value: Any) -> bool:
    """True when every number of the document is a finite float or an integer a float can hold (walked without
    recursion: the depth is bounded anyway)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return False
        if isinstance(item, int) and abs(item).bit_length() > _FLOAT_MAX_BITS:
            return False
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return True


def _json_media(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            media: bytes = value.split(b";", 1)[0].strip().lower()
            return media == b"application/json" or media.endswith(b"+json")
    return True  # no media type: FastAPI (and the batch ingest) read the body as JSON


class JsonBodyGuard:
    """Reads a JSON request body, checks it with ``parse_json`` and hands it on, or answers the 400 problem.
    ``own_paths``: routes that read their body themselves, and parse it with ``parse_json`` when they parse it as
    any JSON (the batch ingest decodes its usual body straight into columns)."""

    def __init__(self, app: ASGIApp, own_paths: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.own_paths = own_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in _BODY_METHODS
            or scope["path"] in self.own_paths
            or not _json_media(scope)
        ):
            await self.app(scope, receive, send)
            return
        body, last = await _read_body(receive)
        if body:
            try:
                scope.setdefault("state", {})["json_body"] = parse_json(body)
            except Problem as problem:
                response = problem_response(Request(scope), problem.status, problem.detail, slug=problem.slug)
                await response(scope, receive, send)
                return
            except ValueError:
                pass  # malformed: the route answers as it always has
        await self.app(scope, _replay(body, last, receive), send)


async def _read_body(receive: Receive) -> tuple[bytes, Message | None]:
    """The whole body, and a disconnect message if the client went away while sending it."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), message
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), None


def _replay(body: bytes, last: Message | None, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return last if last is not None else await receive()

    return replay
