"""Reading the OpenAPI document for the contract tests: operations, their resources, and what they document."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from services.ops.openapi import DEFAULT_PATH

METHODS = ("get", "put", "post", "delete", "patch")
PARAMETER = re.compile(r"\{[^}/]+\}")
JSON_MEDIA = re.compile(r"^application/([\w.-]+\+)?json$")


def document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    return loaded


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: dict[str, Any]

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    def response(self, status: int | str) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self.spec.get("responses", {}).get(str(status))
        return found

    def success(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for status, response in self.spec.get("responses", {}).items():
            if status.startswith("2"):
                yield status, response

    def documents_header(self, status: int | str, name: str) -> bool:
        response = self.response(status) or {}
        return name.lower() in {header.lower() for header in response.get("headers", {})}

    def header_parameter(self, name: str) -> dict[str, Any] | None:
        for parameter in self.spec.get("parameters", []):
            if parameter.get("in") == "header" and parameter.get("name", "").lower() == name.lower():
                found: dict[str, Any] = parameter
                return found
        return None

    def takes_if_match(self) -> bool:
        """Documented as a header parameter, or said in the description ("Needs If-Match"). A GET or HEAD never
        takes it: where its words name If-Match, they tell what to send with a change of what it reads."""
        if self.method in ("get", "head"):
            return False
        said = "If-Match" in (self.spec.get("description") or "") + (self.spec.get("summary") or "")
        return said or self.header_parameter("If-Match") is not None


def operations(doc: dict[str, Any]) -> list[Operation]:
    return [
        Operation(method, path, item[method])
        for path, item in sorted(doc["paths"].items())
        for method in METHODS
        if method in item
    ]


def path_pattern(template: str) -> re.Pattern[str]:
    """A path template as a regular expression over concrete paths (a parameter is one segment)."""
    parts = PARAMETER.split(template)
    return re.compile("^" + "[^/]+".join(re.escape(part) for part in parts) + "$")


def matching(doc: dict[str, Any], method: str, path: str) -> Operation | None:
    """The documented operation a concrete request went to; a fixed segment wins over a parameter."""
    found = [op for op in operations(doc) if op.method == method.lower() and path_pattern(op.path).match(path)]
    found.sort(key=lambda op: len(PARAMETER.findall(op.path)))
    return found[0] if found else None


def resource_get(doc: dict[str, Any], path: str) -> Operation | None:
    """The GET of the resource an operation on ``path`` acts on: the path itself, else the nearest ancestor path
    that ends in a parameter (``/cases/{case_id}/transitions`` → ``/cases/{case_id}``); with no such ancestor, a
    singleton resource's own GET (``PUT /enforcement-lists/remedies`` → ``GET /enforcement-lists/remedies``)."""
    candidate = re.sub(r"(\}):[\w-]+$", r"\1", path)  # a custom method: /bulletins/{id}:publish
    while candidate.count("/") > 1:
        item = doc["paths"].get(candidate, {})
        if "get" in item and candidate.endswith("}"):
            return Operation("get", candidate, item["get"])
        candidate = candidate.rsplit("/", 1)[0]
    itself = doc["paths"].get(path, {})
    return Operation("get", path, itself["get"]) if "get" in itself else None


def create_of(doc: dict[str, Any], item_path: str) -> Operation | None:
    """The POST that creates the resource at ``item_path`` (``/leads/{lead_id}`` → ``POST /leads``)."""
    collection = item_path.rsplit("/", 1)[0]
    post = doc["paths"].get(collection, {}).get("post")
    return Operation("post", collection, post) if post is not None else None


def resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        schema = doc["components"]["schemas"][name]
    return schema


def openness(doc: dict[str, Any], schema: dict[str, Any] | None) -> str | None:
    """Why an answer's schema says nothing a client can type, or None when it is typed."""
    if schema is None:
        return "no schema"
    schema = resolve(doc, schema)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            reasons = [openness(doc, branch) for branch in schema[key] if branch.get("type") != "null"]
            return next((r for r in reasons if r), None)
    if "allOf" in schema or "enum" in schema or "const" in schema:
        return None
    kind = schema.get("type")
    if kind is None:
        return "untyped (no type)"
    if kind == "array":
        return openness(doc, schema.get("items"))
    if kind == "object" and not schema.get("properties"):
        extra = schema.get("additionalProperties", True)
        if extra is True or extra == {}:
            return "an open object (no properties)"
        return openness(doc, extra) if isinstance(extra, dict) else "an object with nothing in it"
    return None
