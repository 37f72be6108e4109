"""服务目录: the one list of greenlaw's services — names, path prefixes, settings, apps, migrations, file stores.

Everything that walks the services reads this list: the ``greenlaw`` command (serve, migrate, topics, backup,
audit verify, openapi), the embedded composition, the gateway's routing type and the tests. Entries name their
modules as text and import them only when asked, so the gateway can read the catalogue without importing the
services behind it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

if TYPE_CHECKING:
    from fastapi import FastAPI

    from shared.settings import ServiceSettings

Upstream = Literal["cases", "disclosure", "referral", "monitoring"]
"""A service behind the gateway (业务服务), as a type; :data:`UPSTREAMS` holds the same names in catalogue order."""

GATEWAY = "gateway"
HERE = Path(__file__).parent


@dataclass(frozen=True)
class Service:
    """One service: its package ``services/<name>/``, its own database and the modules the operator tools use."""

    name: str
    settings_path: str  # "module:Class"
    app_path: str  # "module:factory"; the factory takes the settings first
    # Backup label → the settings method that returns the store's root directory (content-addressed files).
    stores: dict[str, str] = field(default_factory=dict)

    @property
    def prefix(self) -> str | None:
        """The staff API's path prefix at the gateway (``/api/v1/<name>``); the gateway itself has none."""
        return None if self.name == GATEWAY else f"/api/v1/{self.name}"

    @property
    def migrations_dir(self) -> Path:
        return HERE / self.name / "migrations"

    def settings_class(self) -> type[ServiceSettings]:
        settings: type[ServiceSettings] = _load(self.settings_path)
        return settings

    def app_factory(self) -> Callable[..., FastAPI]:
        factory: Callable[..., FastAPI] = _load(self.app_path)
        return factory

    def consumers(self) -> tuple[str, ...]:
        """The service's consumer groups (each has a dead-letter topic); the gateway consumes no events."""
        if self.name == GATEWAY:
            return ()
        groups: tuple[str, ...] = importlib.import_module(f"services.{self.name}.consumers").CONSUMERS
        return groups


def _load(path: str) -> Any:
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)


CATALOGUE: tuple[Service, ...] = (
    Service(GATEWAY, "services.gateway.settings:GatewaySettings", "services.gateway.app:create_gateway_app"),
    Service(
        "cases",
        "services.cases.settings:CasesSettings",
        "services.cases.app:create_app",
        stores={"cases-evidence": "resolved_evidence_dir", "cases-documents": "resolved_documents_dir"},
    ),
    Service("disclosure", "services.disclosure.settings:DisclosureSettings", "services.disclosure.app:create_app"),
    Service(
        "referral",
        "services.referral.settings:ReferralSettings",
        "services.referral.app:create_app",
        stores={"referral-documents": "resolved_documents_dir"},
    ),
    Service("monitoring", "services.monitoring.settings:MonitoringSettings", "services.monitoring.app:create_app"),
)

SERVICES: tuple[str, ...] = tuple(service.name for service in CATALOGUE)
"""Every service with a database of its own, the gateway first."""
UPSTREAMS: tuple[Upstream, ...] = get_args(Upstream)
"""The services behind the gateway, in catalogue order."""

if SERVICES[1:] != UPSTREAMS:
    raise RuntimeError(f"the Upstream type {UPSTREAMS} does not match the catalogue {SERVICES[1:]}")


def service(name: str) -> Service:
    """The catalogue entry of ``name``; a ``KeyError`` for a name that is not a service."""
    for entry in CATALOGUE:
        if entry.name == name:
            return entry
    raise KeyError(name)


def upstream_services() -> tuple[Service, ...]:
    return tuple(entry for entry in CATALOGUE if entry.name != GATEWAY)
