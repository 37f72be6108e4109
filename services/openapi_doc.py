"""The gateway's aggregated OpenAPI document, written to ``docs/openapi.json`` (``greenlaw openapi``).

The running gateway serves the same merge at ``/openapi.json`` by fetching each service's document over HTTP; here
the apps are built in-process with their default settings (nothing connects: the lifespans do not run), so the
file is reproducible and a test can tell when it is out of date.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "docs" / "openapi.json"


def build_document() -> dict[str, Any]:
    """The gateway's own routes merged with each service's routes that the gateway forwards."""
    from services.cases.app import create_app as cases
    from services.cases.settings import CasesSettings
    from services.disclosure.app import create_app as disclosure
    from services.disclosure.settings import DisclosureSettings
    from services.gateway.app import create_gateway_app
    from services.gateway.openapi import merge_documents
    from services.gateway.settings import GatewaySettings
    from services.monitoring.app import create_app as monitoring
    from services.monitoring.settings import MonitoringSettings
    from services.referral.app import create_app as referral
    from services.referral.settings import ReferralSettings
    from shared.settings import CommonSettings

    # Defaults only: an operator's environment (a holiday file, an authority's name) must not change the reference.
    common = CommonSettings.model_construct(**_defaults(CommonSettings))
    upstream = {
        "cases": cases(CasesSettings.model_construct(**_defaults(CasesSettings), common=common)),
        "disclosure": disclosure(DisclosureSettings.model_construct(**_defaults(DisclosureSettings), common=common)),
        "referral": referral(ReferralSettings.model_construct(**_defaults(ReferralSettings), common=common)),
        "monitoring": monitoring(MonitoringSettings.model_construct(**_defaults(MonitoringSettings), common=common)),
    }
    gateway = create_gateway_app(GatewaySettings.model_construct(**_defaults(GatewaySettings), common=common))
    return merge_documents(gateway.openapi(), {name: app.openapi() for name, app in upstream.items()})


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
