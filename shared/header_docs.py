"""OpenAPI declarations of the headers a route exchanges: ``If-Match`` in, ``ETag`` and ``Location`` out.

The headers are set and checked in code (``shared.http.require_if_match``, a create's ``Location``); a generated
client sees only what the document says, so each route declares them here:

    @router.post("/leads", status_code=201, responses=created("get_lead", "lead_id"))
    @router.get("/leads/{lead_id}", responses=versioned())
    @router.post("/leads/{lead_id}/extension", openapi_extra=IF_MATCH, responses=versioned())

A create's Location is described by an OpenAPI Link Object to the GET operation that reads it, with the new
resource's ``id`` as that operation's path parameter.
"""

from __future__ import annotations

from typing import Any

ETAG: dict[str, Any] = {
    "description": "资源版本 The version of the resource: send it back in If-Match to change it",
    "required": True,
    "schema": {"type": "string"},
}
LOCATION: dict[str, Any] = {
    "description": "新资源的地址 Where the new resource is (read it with the linked GET)",
    "required": True,
    "schema": {"type": "string", "format": "uri-reference"},
}
IF_MATCH: dict[str, Any] = {
    "parameters": [
        {
            "in": "header",
            "name": "If-Match",
            "required": True,
            "description": "读取时的 ETag The ETag of the version you read: 428 without it, 412 if it changed since",
            "schema": {"type": "string"},
        }
    ]
}


def versioned(status: int = 200) -> dict[int | str, dict[str, Any]]:
    """``responses=`` of an answer that carries the resource's ETag."""
    return {status: {"headers": {"ETag": ETAG}}}


def created(
    read_operation: str, parameter: str, *, etag: bool = True, field: str = "id"
) -> dict[int | str, dict[str, Any]]:
    """``responses=`` of a create: its Location (and ETag, for a resource changed with If-Match later), linked to
    the GET ``read_operation`` whose path ``parameter`` is the new resource's ``field`` (its ``id``, or the key
    its path uses, such as a station's ``code``)."""
    headers = {"Location": LOCATION, **({"ETag": ETAG} if etag else {})}
    link = {"operationId": read_operation, "parameters": {parameter: f"$response.body#/{field}"}}
    return {201: {"headers": headers, "links": {"read": link}}}
