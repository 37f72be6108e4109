"""The API contract as docs/openapi.json states it, for the teams that generate clients from it.

- Every 2xx answer has a schema a client can type: no open ``object``, no answer without a schema; CSV, Atom and
  file downloads declare their media type.
- A create (201) says where the new resource is: it documents its ``Location`` header and links (an OpenAPI Link
  Object) to the GET that reads what the Location names.
- A route that takes ``If-Match`` documents the header, and its resource's GET and create document the ``ETag``
  the client sends back.

Each test lists every offending route, so one run shows all that is left.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.contract import (
    JSON_MEDIA,
    Operation,
    create_of,
    document,
    openness,
    operations,
    resource_get,
)

pytestmark = pytest.mark.unit

NO_BODY = {"204", "304"}
# What a route's words promise, and the media type that must then be declared.
MEDIA_PROMISES = {"CSV": "text/csv", "Atom": "application/atom+xml"}


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return document()


def report(offences: list[str], rule: str) -> str:
    return f"{len(offences)} routes break the rule: {rule}\n" + "\n".join(sorted(set(offences)))


def success_offences(doc: dict[str, Any], op: Operation) -> list[str]:
    found = []
    for status, response in op.success():
        content = response.get("content")
        if status in NO_BODY:
            continue
        if not content:
            found.append(f"{op.label} {status}: no content documented")
            continue
        for media, entry in content.items():
            if "*" in media:
                found.append(f"{op.label} {status}: media type {media!r} is not a media type")
            elif JSON_MEDIA.match(media):
                why = openness(doc, entry.get("schema"))
                if why:
                    found.append(f"{op.label} {status} {media}: {why}")
    said = f"{op.path} {op.spec.get('description') or ''} {op.spec.get('summary') or ''}"
    declared = {media for _, response in op.success() for media in (response.get("content") or {})}
    # A route that takes CSV (an import) speaks of its body, not of its answer.
    taken = set((op.spec.get("requestBody") or {}).get("content") or {})
    for word, media in MEDIA_PROMISES.items():
        if (word in said or op.path.endswith("." + word.lower())) and media not in declared | taken:
            found.append(f"{op.label}: answers {word} but does not declare {media}")
    return found


def test_every_success_answer_is_typed(doc: dict[str, Any]) -> None:
    offences = [line for op in operations(doc) for line in success_offences(doc, op)]
    assert not offences, report(
        offences,
        "a 2xx answer names its schema (a model, not an open object) and CSV/Atom/files declare their media type",
    )


def location_offences(doc: dict[str, Any], op: Operation) -> list[str]:
    found = []
    by_id = {o.spec.get("operationId"): o for o in operations(doc)}
    for status, response in op.success():
        if status != "201" and not op.documents_header(status, "Location"):
            continue
        if not op.documents_header(status, "Location"):
            found.append(f"{op.label} {status}: creates but documents no Location header")
        targets = [link.get("operationId") for link in response.get("links", {}).values()]
        gets = [by_id[t] for t in targets if t in by_id and by_id[t].method == "get"]
        if not gets:
            found.append(f"{op.label} {status}: no link to the GET operation its Location names")
    return found


def test_every_location_is_documented_and_names_a_get(doc: dict[str, Any]) -> None:
    offences = [line for op in operations(doc) for line in location_offences(doc, op)]
    assert not offences, report(
        offences,
        "a 201 documents its Location header and links to the GET it names (responses=created(<GET operation id>, "
        "<its path parameter>) from shared/header_docs.py)",
    )


def if_match_offences(doc: dict[str, Any], op: Operation) -> list[str]:
    """One line per missing declaration, naming the route that needs it (the GET and the create of the resource
    it changes are named once, with every route that changes it)."""
    if not op.takes_if_match():
        return []
    found = []
    parameter = op.header_parameter("If-Match")
    if parameter is None or not parameter.get("required"):
        found.append(f"{op.label}: takes If-Match but does not document it (openapi_extra=IF_MATCH)")
    read = resource_get(doc, op.path)
    if read is None:
        return [*found, f"{op.label}: takes If-Match but its resource has no GET to read the ETag from"]
    if not read.documents_header(200, "ETag"):
        found.append(f"{read.label} 200: documents no ETag (responses=versioned()); changed by {op.label}")
    create = create_of(doc, read.path)
    if create is not None and create.response(201) is not None and not create.documents_header(201, "ETag"):
        found.append(f"{create.label} 201: documents no ETag (responses=created(...)); changed by {op.label}")
    return found


def grouped(lines: list[str]) -> list[str]:
    """``X: documents no ETag …; changed by A`` and ``… by B`` → one line naming A and B."""
    by_route: dict[str, list[str]] = {}
    for line in lines:
        head, _, changer = line.partition("; changed by ")
        by_route.setdefault(head, []).extend([changer] if changer else [])
    return [f"{head}; changed by {', '.join(sorted(c))}" if c else head for head, c in by_route.items()]


def test_every_if_match_route_has_the_etag_documented(doc: dict[str, Any]) -> None:
    offences = grouped([line for op in operations(doc) for line in if_match_offences(doc, op)])
    assert not offences, report(
        offences,
        "a route taking If-Match documents it; its resource's GET (200) and create (201) document the ETag "
        "(shared/header_docs.py declares them)",
    )


def test_the_rules_see_what_they_should() -> None:
    """The checks on small documents: an open answer, a create without Location, an If-Match route unmatched."""
    doc: dict[str, Any] = {
        "components": {"schemas": {"Open": {"type": "object", "additionalProperties": True}}},
        "paths": {
            "/things": {
                "post": {"responses": {"201": {"content": {"application/json": {"schema": {"type": "object"}}}}}}
            },
            "/things/{id}": {
                "get": {
                    "description": "Its ETag is what a change sends in If-Match.",
                    "responses": {"200": {"content": {"application/json": {"$ref": "#/components/schemas/Open"}}}},
                }
            },
            "/things/{id}/close": {"post": {"description": "Needs If-Match.", "responses": {"200": {}}}},
            "/things.csv": {
                "get": {"responses": {"200": {"content": {"application/json": {"schema": {"type": "string"}}}}}}
            },
        },
    }
    ops = {op.label: op for op in operations(doc)}
    assert success_offences(doc, ops["POST /things"]) == [
        "POST /things 201 application/json: an open object (no properties)"
    ]
    assert success_offences(doc, ops["GET /things/{id}"]) == ["GET /things/{id} 200 application/json: no schema"]
    assert "does not declare text/csv" in success_offences(doc, ops["GET /things.csv"])[0]
    assert len(location_offences(doc, ops["POST /things"])) == 2
    assert if_match_offences(doc, ops["GET /things/{id}"]) == []  # a read never takes If-Match
    assert [line.split(":")[0] for line in grouped(if_match_offences(doc, ops["POST /things/{id}/close"]))] == [
        "POST /things/{id}/close",
        "GET /things/{id} 200",
        "POST /things 201",
    ]


def test_the_shared_declarations_meet_the_rules() -> None:
    """Routes declared with shared/header_docs.py pass every rule above, in a document FastAPI generates."""
    from fastapi import FastAPI
    from pydantic import BaseModel

    from shared.header_docs import IF_MATCH, created, versioned
    from shared.problem_docs import add_problem_responses

    class Thing(BaseModel):
        id: str

    app = FastAPI()

    @app.post("/things", status_code=201, response_model=Thing, responses=created("get_thing", "thing_id"))
    def create_thing() -> Thing:
        raise NotImplementedError

    @app.get("/things/{thing_id}", operation_id="get_thing", response_model=Thing, responses=versioned())
    def get_thing(thing_id: str) -> Thing:
        raise NotImplementedError

    @app.post("/things/{thing_id}/close", response_model=Thing, openapi_extra=IF_MATCH, responses=versioned())
    def close_thing(thing_id: str) -> Thing:
        """Needs If-Match."""
        raise NotImplementedError

    doc = add_problem_responses(app.openapi())
    ops = operations(doc)
    assert [line for op in ops for line in success_offences(doc, op)] == []
    assert [line for op in ops for line in location_offences(doc, op)] == []
    assert [line for op in ops for line in if_match_offences(doc, op)] == []
    created_answer = doc["paths"]["/things"]["post"]["responses"]["201"]
    assert created_answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Thing"}
