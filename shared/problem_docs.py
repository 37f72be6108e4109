"""Problem responses in the OpenAPI document: every client error a service returns is RFC 9457 problem+json.

The routes declare their success responses (and some name their conflicts); the errors come from shared code
(token checks, validation, not found, If-Match, pagination cursors), so they are documented once here: a ``4XX``
response with the problem schema on every operation, and problem+json as the media type of every error response
an operation names itself.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from shared.problems import PROBLEM_MEDIA_TYPE

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 问题详情 problem details",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "request_id": {"type": "string"},
    },
    "required": ["type", "title", "status"],
    "additionalProperties": True,
}
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def _problem_content() -> dict[str, Any]:
    return {PROBLEM_MEDIA_TYPE: {"schema": dict(PROBLEM_REF)}}


def add_problem_responses(document: dict[str, Any]) -> dict[str, Any]:
    """Document problem+json for every operation's error responses (in place; returns the document)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    # FastAPI's own validation error shape is never sent: validation errors are problems too.
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    for item in document.get("paths", {}).values():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for status, response in responses.items():
                if status[0] in "45":
                    response["content"] = _problem_content()
            responses.setdefault("4XX", {"description": "问题详情 Problem details", "content": _problem_content()})
    return document


# The documents made so far in this process, by what they are made from: apps built alike (every start of a service
# in a process that starts it again, and the tests' hundreds of apps) share one, as their routes are shared
# (shared.web.add_routes); FastAPI takes ≈ 0.1–0.3 s of CPU to make one. Kept as JSON text, each app reading its own
# copy, as the document is the app's to change (a caller may edit the dict it is given). A few entries: one per
# service and configuration.
_DOCUMENTS: dict[tuple[Any, ...], tuple[tuple[Any, ...], str]] = {}
_DOCUMENTS_KEPT = 16
_DOCUMENTS_LOCK = threading.Lock()


def _made_from(app: FastAPI) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The key (the documented routes by identity, and the app's document settings) and the routes themselves, which
    the entry holds so that no identity in its key can be taken by a new route. FastAPI documents the API routes in
    the schema only (not, for one, the ``/openapi.json`` route each app makes for itself)."""
    routes = tuple(
        route
        for route in (*app.routes, *app.webhooks.routes)
        if isinstance(route, APIRoute) and route.include_in_schema
    )
    settings = (app.title, app.version, app.openapi_version, app.summary, app.description, app.terms_of_service)
    described = json.dumps(
        [app.contact, app.license_info, app.openapi_tags, app.servers, app.openapi_external_docs], default=repr
    )
    key = (tuple(map(id, routes)), len(app.webhooks.routes), settings, described, app.separate_input_output_schemas)
    return key, routes


def document_problems(app: FastAPI) -> None:
    """Wrap ``app.openapi`` so the generated document names the problem responses."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            key, routes = _made_from(app)
            with _DOCUMENTS_LOCK:
                kept = _DOCUMENTS.get(key)
            if kept is None:
                kept = (routes, json.dumps(add_problem_responses(generate())))
                with _DOCUMENTS_LOCK:
                    while len(_DOCUMENTS) >= _DOCUMENTS_KEPT:
                        del _DOCUMENTS[next(iter(_DOCUMENTS))]
                    _DOCUMENTS[key] = kept
            app.openapi_schema = json.loads(kept[1])
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
