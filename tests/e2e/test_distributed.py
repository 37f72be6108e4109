"""The distributed mode for real: the gateway and the four services as separate ``greenlaw serve`` processes.

Each process gets the environment docker-compose.yml gives its container, with the compose host names pointed at
loopback: a fresh PostgreSQL database per service, the test broker for ``kafka:9092`` (with the idempotent producer
off where the broker lacks it), ``127.0.0.1:<port>`` for ``http://cases:8000`` and the others, and a topic namespace
of its own so runs sharing a broker do not meet. ``greenlaw topics`` runs first, as the compose job does; the user
is added with ``greenlaw users add``, as an operator would; then everything goes over real sockets through the
gateway, and the decision reaches disclosure through Kafka.
"""

from __future__ import annotations

import asyncio
import secrets
import signal
import time
import uuid
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
import pytest

from services.ops.migrate import all_topics
from shared.outbound import tls_context
from tests.factories import decision_body
from tests.infra import KafkaBroker, PostgresServer, free_port
from tests.processes import (
    APP_SERVICES,
    TOPICS_JOB,
    ServiceProcess,
    environment_on_loopback,
    load_compose,
    run_greenlaw,
    service_environment,
)
from tests.stack import eventually

pytestmark = pytest.mark.e2e

READY_TIMEOUT = 60.0
USERNAME = "head-e2e"
PASSWORD = "e2e-" + secrets.token_urlsafe(12)


class Deployment:
    """The application services of docker-compose.yml as processes on this machine."""

    def __init__(self, workdir: Path, *, postgres: PostgresServer, kafka: KafkaBroker) -> None:
        self.workdir = workdir
        self.postgres = postgres
        self.kafka = kafka
        self.namespace = f"e2e{uuid.uuid4().hex[:8]}."
        # What an operator exports before `docker compose up`: a real secret, so production mode accepts it.
        self.compose = load_compose(
            {"GREENLAW_JWT_SECRET": secrets.token_hex(32), "GREENLAW_POSTGRES_PASSWORD": "unused-on-loopback"}
        )
        self.ports = {service: free_port() for service in APP_SERVICES}
        self.env: dict[str, dict[str, str]] = {}
        self.processes: dict[str, ServiceProcess] = {}

    @property
    def gateway_url(self) -> str:
        return self.processes["gateway"].base_url

    async def configure(self) -> None:
        """Each service's compose environment, on loopback; a fresh database for each."""
        databases = {service: await self.postgres.create_database(service) for service in APP_SERVICES}
        urls = {service: f"http://127.0.0.1:{port}" for service, port in self.ports.items()}
        for service in (*APP_SERVICES, TOPICS_JOB):
            env = environment_on_loopback(
                service_environment(self.compose, service),
                compose_services=self.compose["services"],
                database_urls=databases,
                kafka_bootstrap=self.kafka.bootstrap,
                service_urls=urls,
            )
            # The two differences from compose that the test broker and a shared broker require.
            env["GREENLAW_KAFKA_IDEMPOTENT_PRODUCER"] = "true" if self.kafka.idempotent else "false"
            env["GREENLAW_KAFKA_NAMESPACE"] = self.namespace
            env["GREENLAW_DATA_DIR"] = str(self.workdir / service)  # the image's GREENLAW_DATA_DIR, per container
            if "GREENLAW_MONITORING_HJ212_PORT" in env:  # a container's fixed port; on a shared host, any free one
                env["GREENLAW_MONITORING_HJ212_HOST"], env["GREENLAW_MONITORING_HJ212_PORT"] = "127.0.0.1", "0"
            self.env[service] = env

    def start(self) -> None:
        for service in APP_SERVICES:
            process = ServiceProcess(
                service, port=self.ports[service], env=self.env[service], workdir=self.workdir / service
            )
            self.processes[service] = process
            process.start()

    async def wait_ready(self) -> dict[str, dict[str, Any]]:
        ready = await asyncio.gather(
            *(process.wait_ready(timeout=READY_TIMEOUT) for process in self.processes.values())
        )
        return dict(zip(self.processes, ready, strict=True))

    def stop(self) -> dict[str, int | None]:
        """SIGTERM to all at once, then wait for each (SIGKILL after a grace period)."""
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            process.stop()
        return {name: process.exit_code for name, process in self.processes.items()}

    def print_logs(self) -> None:
        for name, process in self.processes.items():
            print(f"\n===== {name} (exit {process.exit_code}) {process.log_path} =====\n{process.logs()}")

    async def __aenter__(self) -> Deployment:
        await self.configure()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
        if exc_type is not None:
            self.print_logs()


async def test_decision_flows_through_the_gateway_to_disclosure_across_processes(
    postgres: PostgresServer, kafka: KafkaBroker, tmp_path: Path
) -> None:
    began = time.monotonic()
    async with Deployment(tmp_path, postgres=postgres, kafka=kafka) as deployment:
        # The compose job (kafka-topics) and the operator's first account, before the services start.
        topics, added = await asyncio.gather(
            run_greenlaw("topics", env=deployment.env[TOPICS_JOB], cwd=tmp_path),
            run_greenlaw(
                *("users", "add", "--username", USERNAME, "--password", PASSWORD, "--roles", "head"),
                env=deployment.env["gateway"],
                cwd=tmp_path,
            ),
        )
        assert {deployment.namespace + topic for topic in all_topics()} <= set(topics.split())
        assert USERNAME in added

        deployment.start()
        ready = await deployment.wait_ready()
        for service in APP_SERVICES[1:]:
            assert ready[service]["checks"] == {"database": "ok", "bus": "ok"}, service

        async with httpx.AsyncClient(base_url=deployment.gateway_url, timeout=10.0, verify=tls_context()) as gateway:
            answer = await gateway.post(
                "/auth/token", data={"grant_type": "password", "username": USERNAME, "password": PASSWORD}
            )
            assert answer.status_code == 200, answer.text
            staff = {"Authorization": f"Bearer {answer.json()['access_token']}"}

            issued = await gateway.post(
                "/api/v1/cases/decisions", json=decision_body(kind="penalty", decided_on="2021-09-28"), headers=staff
            )
            assert issued.status_code == 201, issued.text
            decision_id = issued.json()["id"]

            async def publication() -> dict[str, Any] | None:
                listed = await gateway.get(
                    "/api/v1/disclosure/publications", params={"decision_id": decision_id}, headers=staff
                )
                assert listed.status_code == 200, listed.text
                items: list[dict[str, Any]] = listed.json()["items"]
                return items[0] if items else None

            # cases' outbox → relay → Kafka → disclosure's consumer and inbox, all in other processes.
            published = await eventually(publication, timeout=30.0, interval=0.2)
            assert published["due_on"] == "2021-10-13"  # 7 working days over the National Day holiday
            assert published["decision_id"] == decision_id

            due = await gateway.get(
                "/api/v1/disclosure/due-date",
                params={"kind": "penalty", "decided_on": "2021-09-28"},
                headers=staff,
            )
            assert due.status_code == 200, due.text
            assert due.json() == {"due_on": "2021-10-13", "working_days": 7, "provisional": False}

            readyz = await gateway.get("/readyz")
            assert readyz.status_code == 200, readyz.text
            assert readyz.json()["checks"] == dict.fromkeys(("database", *APP_SERVICES[1:]), "ok")

        # The services verify the token themselves, with the same secret: the gateway is not the only lock.
        async with httpx.AsyncClient(
            base_url=deployment.processes["cases"].base_url, timeout=10.0, verify=tls_context()
        ) as cases:
            path = f"/api/v1/cases/decisions/{decision_id}"
            assert (await cases.get(path)).status_code == 401
            assert (await cases.get(path, headers=staff)).status_code == 200

        # Graceful on SIGTERM (docker stop): the lifespan's shutdown ran, and no SIGKILL was needed. uvicorn
        # re-raises the signal once it is done, so the exit status is "terminated by SIGTERM" (or 0).
        exit_codes = deployment.stop()
        assert set(exit_codes.values()) <= {0, -signal.SIGTERM}, exit_codes
        for service, process in deployment.processes.items():
            assert "Application shutdown complete" in process.logs(), service
    print(f"distributed flow: {time.monotonic() - began:.1f}s")
