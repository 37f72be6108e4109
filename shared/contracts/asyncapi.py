"""Generate the AsyncAPI 3.0 document of the event catalogue (``docs/asyncapi.yaml``) from the contracts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from shared.contracts.envelope import CONTENT_TYPE, CloudEvent
from shared.contracts.events import CATALOGUE

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.yaml"


def _message_name(event_type: str) -> str:
    return event_type.replace(".", "_")


def _schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for cls in CATALOGUE:
        schema = cls.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in schema.pop("$defs", {}).items():
            schemas.setdefault(name, definition)
        schemas[_message_name(cls.event_type)] = schema
    envelope = CloudEvent.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas["CloudEvent"] = envelope
    return schemas


def build_document() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for cls in CATALOGUE:
        name = _message_name(cls.event_type)
        messages[name] = {
            "name": cls.event_type,
            "title": cls.event_type,
            "summary": (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else cls.event_type,
            "contentType": CONTENT_TYPE,
            "headers": {"type": "object", "description": "CloudEvents attributes; see CloudEvent schema"},
            "payload": {"$ref": f"#/components/schemas/{name}"},
        }
        channel = channels.setdefault(
            cls.topic(),
            {"address": cls.topic(), "description": f"Events produced by {cls.producer()}", "messages": {}},
        )
        channel["messages"][name] = {"$ref": f"#/components/messages/{name}"}
    for topic in channels:
        op_id = "publish_" + topic.replace(".", "_")
        operations[op_id] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{topic}"},
            "summary": f"{topic.split('.')[0]} publishes through its transactional outbox; key = subject",
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "greenlaw events",
            "version": "1.0.0",
            "description": "CloudEvents 1.0 (structured JSON) on one topic per producing service. "
            "The `data` of each event is the payload below; `id` is the dedupe key.",
        },
        "defaultContentType": CONTENT_TYPE,
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": _schemas()},
    }


def render() -> str:
    return yaml.safe_dump(build_document(), allow_unicode=True, sort_keys=False, width=110)


def write(path: Path = DEFAULT_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write())
