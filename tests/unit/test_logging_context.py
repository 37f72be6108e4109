"""Request IDs in the log context: a request's own stay bound to the end of its task, a nested one is undone."""

from __future__ import annotations

import contextvars

import pytest
import structlog

from shared.logging import bind_request, unbind_request

pytestmark = pytest.mark.unit


def ids() -> dict[str, object]:
    return dict(structlog.contextvars.get_contextvars())


def test_a_requests_ids_outlive_its_middleware_and_a_nested_service_gives_the_gateways_back() -> None:
    def request() -> None:
        gateway = bind_request(request_id="r1", correlation_id="c1", service="gateway")
        service = bind_request(request_id="r1", correlation_id="c1", service="disclosure")
        assert ids()["service"] == "disclosure"
        unbind_request(service)  # the in-process service answered
        assert ids() == {"request_id": "r1", "correlation_id": "c1", "service": "gateway"}
        unbind_request(gateway)  # the gateway's middleware ends; an error logged after still carries the IDs
        assert ids() == {"request_id": "r1", "correlation_id": "c1", "service": "gateway"}

    contextvars.Context().run(request)  # a fresh task's context
    assert contextvars.Context().run(ids) == {}  # the next request's task starts with none
