"""The gateway's aggregated OpenAPI document, written to ``docs/openapi.json`` (``greenlaw openapi``).

The running gateway serves the same merge at ``/openapi.json`` by fetching each service's document over HTTP; here
the apps are built in-process with their default settings (nothing connects: the lifespans do not run), so the
file is reproducible and a test can tell when it is out of date.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from services.catalogue import GATEWAY, Service, service, upstream_services
from shared.settings import CommonSettings

if TYPE_CHECKING:
    from fastapi import FastAPI

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def build_document() -> dict[str, Any]:
    """The gateway's own routes merged with each service's routes that the gateway forwards."""
    from services.gateway.openapi import merge_documents

    documents = {entry.name: default_app(entry).openapi() for entry in upstream_services()}
    return titled_by_name(merge_documents(default_app(service(GATEWAY)).openapi(), documents))


def titled_by_name(document: dict[str, Any]) -> dict[str, Any]:
    """Give each component schema its component name as title.

    Client generators name a model after its schema's ``title``: two services' ``DeadlineList`` merged as
    ``disclosure_DeadlineList`` and ``referral_DeadlineList`` would otherwise both become ``DeadlineList``, and the
    generator drops one of them with every operation that refers to it.
    """
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        if "title" in schema and schema["title"] != name:
            schema["title"] = name
    return document


def default_app(entry: Service) -> FastAPI:
    """The service's app on its default settings: an operator's environment (a holiday file, an authority's name)
    must not change a reference document."""
    common = CommonSettings.model_construct(**_defaults(CommonSettings))
    settings_class = entry.settings_class()
    return entry.app_factory()(settings_class.model_construct(**_defaults(settings_class), common=common))


def _defaults(settings_class: type[Any]) -> dict[str, Any]:
    """Every field's default value, read from the class (not from the environment)."""
    values: dict[str, Any] = {}
    for name, field in settings_class.model_fields.items():
        if name != "common":
            values[name] = field.get_default(call_default_factory=True)
    return values


def render(document: dict[str, Any] | None = None) -> str:
    """The file's text: ``document`` (default: built now) as sorted, indented JSON."""
    return json.dumps(document or build_document(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write(path: Path = DEFAULT_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(), encoding="utf-8")
    return path


def openapi_command() -> None:
    """Write docs/openapi.json: the gateway's aggregated OpenAPI document (every service behind it)."""
    typer.echo(str(write()))
