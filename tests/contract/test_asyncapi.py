"""The event contracts: the AsyncAPI document is current, and every event type follows the naming rules."""

from __future__ import annotations

import re

import pytest
import yaml

from services.catalogue import UPSTREAMS
from shared.contracts import CATALOGUE, CloudEvent
from shared.contracts.asyncapi import DEFAULT_PATH, build_document, render

pytestmark = pytest.mark.unit

TYPE_PATTERN = re.compile(rf"^({'|'.join(UPSTREAMS)})\.[a-z_]+\.[a-z_]+\.v\d+$")


def test_asyncapi_document_is_up_to_date() -> None:
    assert DEFAULT_PATH.read_text(encoding="utf-8") == render(), "run `make asyncapi` and commit docs/asyncapi.yaml"


def test_every_event_type_is_documented_with_its_payload_schema() -> None:
    document = build_document()
    messages = document["components"]["messages"]
    for payload in CATALOGUE:
        assert TYPE_PATTERN.match(payload.event_type), payload.event_type
        name = payload.event_type.replace(".", "_")
        assert messages[name]["payload"]["$ref"].endswith(name)
        assert name in document["channels"][payload.topic()]["messages"]
    assert yaml.safe_load(render())["asyncapi"] == "3.0.0"


def test_envelope_round_trips_and_topic_follows_the_producer() -> None:
    from shared.contracts.events import CaseClosedV1

    event = CloudEvent.wrap(
        CaseClosedV1(case_id="c1", case_number="西青环罚立〔2021〕1号", closed_on="2021-12-01", outcome="executed"),
        subject="c1",
        correlation_id="req-1",
        actor="head",
    )
    again = CloudEvent.from_bytes(event.to_bytes())
    assert again == event
    assert again.topic == "cases.events"
    assert again.source == "/greenlaw/cases"
    assert again.specversion == "1.0"
