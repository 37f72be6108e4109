"""What every service does the same way: problems for every error, its own token check, health and metrics."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.stack import Stack, StackConfig

pytestmark = pytest.mark.integration


@pytest.fixture
async def local(tmp_path: Path):
    async with Stack(StackConfig(database="sqlite", transport="inprocess", data_dir=tmp_path)) as running:
        yield running


async def test_unknown_route_and_method_are_problems(local: Stack) -> None:
    async with local.client("cases", "head") as client:
        missing = await client.get("/api/v1/cases/nothing-here")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")
        assert missing.json()["type"] == "urn:greenlaw:problem:not-found"
        assert missing.json()["request_id"] == missing.headers["x-request-id"]
        wrong = await client.delete("/api/v1/cases/decisions")
        assert wrong.status_code == 405


async def test_service_verifies_the_token_itself(local: Stack) -> None:
    async with local.client("cases") as anonymous:
        answer = await anonymous.post("/api/v1/cases/decisions", json={})
        assert answer.status_code == 401
        assert answer.headers["content-type"].startswith("application/problem+json")
    async with local.client("cases", "officer") as officer:
        assert (await officer.post("/api/v1/cases/decisions", json={})).status_code in (403, 422)
    police = local.common
    from shared.auth import issue_token

    token = issue_token(police, subject="p", roles=["police"], zone="police", unit="西青公安分局")
    async with local.client("cases") as client:
        answer = await client.get("/api/v1/cases/decisions/x", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 403


async def test_bad_input_is_422_with_the_reason_and_writes_nothing(local: Stack) -> None:
    from tests.factories import decision_body

    body = decision_body()
    body["party"]["credit_code"] = body["party"]["credit_code"][:-1] + (
        "0" if body["party"]["credit_code"][-1] != "0" else "1"
    )
    async with local.client("cases", "head") as client:
        answer = await client.post("/api/v1/cases/decisions", json=body)
        assert answer.status_code == 422
        assert "信用代码" in answer.text
        good = await client.post("/api/v1/cases/decisions", json=decision_body())
        assert good.json()["document_number"].endswith("〕1号")  # the refused request used no number
        body = decision_body()
        body["status"] = "closed"  # unknown fields are refused, not silently assigned
        assert (await client.post("/api/v1/cases/decisions", json=body)).status_code == 422


async def test_health_readiness_and_metrics(local: Stack) -> None:
    async with local.client("disclosure") as client:
        assert (await client.get("/healthz")).json()["status"] == "ok"
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"database": "ok", "bus": "ok"}
        metrics = await client.get("/metrics")
        assert "http_requests_total" in metrics.text
        assert metrics.headers["x-content-type-options"] == "nosniff"
        assert metrics.headers["x-frame-options"] == "DENY"


async def test_idempotency_key_replays_the_first_answer_and_refuses_a_different_body(local: Stack) -> None:
    import asyncio

    from tests.factories import decision_body

    body = decision_body(decided_on="2023-05-05")
    async with local.client("cases", "head") as client:
        headers = {"Idempotency-Key": "issue-2023-0001"}
        first, second = await asyncio.gather(
            client.post("/api/v1/cases/decisions", json=body, headers=headers),
            client.post("/api/v1/cases/decisions", json=body, headers=headers),
        )
        assert first.status_code == second.status_code == 201
        assert first.json()["id"] == second.json()["id"]
        third = await client.post("/api/v1/cases/decisions", json=body, headers=headers)
        assert third.json() == first.json()
        assert third.headers["idempotent-replayed"] == "true"
        other = await client.post(
            "/api/v1/cases/decisions", json=decision_body(decided_on="2023-05-05"), headers=headers
        )
        assert other.status_code == 422
        assert other.json()["type"] == "urn:greenlaw:problem:idempotency-key-reused"
        fresh = await client.post("/api/v1/cases/decisions", json=decision_body(decided_on="2023-05-05"))
        assert fresh.json()["document_number"].endswith("〕2号")  # the replays allocated no number


async def test_every_operation_documents_its_problems(local: Stack) -> None:
    """Errors come from shared code, so every operation names problem+json for its client errors."""
    for name, app in local.apps.items():
        document = app.openapi()
        assert "HTTPValidationError" not in document["components"]["schemas"], name
        for path, item in document["paths"].items():
            for method, operation in item.items():
                responses = operation["responses"]
                assert responses["4XX"]["content"] == {
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                }, (name, method, path)
                for status, response in responses.items():
                    if status[0] in "45":
                        assert list(response["content"]) == ["application/problem+json"], (name, method, path)
