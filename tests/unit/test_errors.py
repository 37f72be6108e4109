"""Domain errors become RFC 9457 problems in one place, whatever the service."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shared import errors
from shared.problems import PROBLEM_MEDIA_TYPE, TYPE_PREFIX, install_problem_handlers

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("error", "status", "slug"),
    [
        (errors.NotFound, 404, "not-found"),
        (errors.Forbidden, 403, "forbidden"),
        (errors.Conflict, 409, "conflict"),
        (errors.PreconditionFailed, 412, "precondition-failed"),
        (errors.PreconditionRequired, 428, "precondition-required"),
        (errors.Invalid, 422, "validation"),
        (errors.TooMany, 429, "rate-limited"),
        (errors.Unavailable, 503, "unavailable"),
    ],
)
def test_each_domain_error_has_its_status_and_default_slug(
    error: type[errors.DomainError], status: int, slug: str
) -> None:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/thing")
    def refuse() -> None:
        raise error("不行 No")

    answer = TestClient(app).get("/thing")
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    body = answer.json()
    assert body["type"] == TYPE_PREFIX + slug
    assert body["status"] == status
    assert body["detail"] == "不行 No"
    assert body["instance"] == "/thing"


def test_slug_extensions_and_headers_pass_through() -> None:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/case")
    def refuse() -> None:
        raise errors.TooMany("稍后 Later", slug="login-throttled", headers={"Retry-After": "7"}, retry_after=7)

    answer = TestClient(app).post("/case")
    assert answer.status_code == 429
    assert answer.headers["retry-after"] == "7"
    assert answer.json()["type"] == TYPE_PREFIX + "login-throttled"
    assert answer.json()["retry_after"] == 7
