"""Problem responses in the OpenAPI document: every client error a service returns is RFC 9457 problem+json.

The routes declare their success responses (and some name their conflicts); the errors come from shared code
(token checks, validation, not found, If-Match, pagination cursors), so they are documented once here: a ``4XX``
response with the problem schema on every operation, and problem+json as the media type of every error response
an operation names itself.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

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


def document_problems(app: FastAPI) -> None:
    """Wrap ``app.openapi`` so the generated document names the problem responses."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_problem_responses(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
