"""docs/operations.md describes every setting, and names no variable that does not exist."""

from __future__ import annotations

import re

import pytest

from services.cases.settings import CasesSettings
from services.disclosure.settings import DisclosureSettings
from services.gateway.settings import GatewaySettings
from services.monitoring.settings import MonitoringSettings
from services.referral.settings import ReferralSettings
from shared.settings import CommonSettings, ServiceSettings
from tests.processes import ROOT

pytestmark = pytest.mark.unit

GUIDE = ROOT / "docs" / "operations.md"
SERVICES: list[type[ServiceSettings]] = [
    GatewaySettings,
    CasesSettings,
    DisclosureSettings,
    ReferralSettings,
    MonitoringSettings,
]
# Fields of the shared base class may be described once, as GREENLAW_<SERVICE>_<NAME>.
BASE_FIELDS = set(ServiceSettings.model_fields) - {"common"}
PATTERN = "GREENLAW_<SERVICE>_"
# Read from the environment directly by the embedded mode's demo loader, not by a settings class.
DEMO_SOURCE = ROOT / "services" / "demo" / "startup.py"


def variables() -> dict[str, str]:
    """Every environment variable a setting reads → how the guide may name it."""
    found = {f"GREENLAW_{name.upper()}": f"GREENLAW_{name.upper()}" for name in CommonSettings.model_fields}
    for settings_class in SERVICES:
        prefix = str(settings_class.model_config["env_prefix"])
        for name in settings_class.model_fields:
            if name == "common":
                continue
            variable = (prefix + name).upper()
            found[variable] = PATTERN + name.upper() if name in BASE_FIELDS else variable
    return found


def documented() -> set[str]:
    return set(re.findall(r"`(GREENLAW_[A-Z0-9_<>]+)`", GUIDE.read_text(encoding="utf-8")))


def test_every_setting_is_in_the_operations_guide() -> None:
    names = documented()
    missing = sorted(variable for variable, shown in variables().items() if not {variable, shown} & names)
    assert not missing, f"describe these settings in docs/operations.md: {missing}"


def test_the_guide_names_only_real_settings() -> None:
    prefixes = {PATTERN} | {str(settings_class.model_config["env_prefix"]) for settings_class in SERVICES}
    demo = set(re.findall(r'"(GREENLAW_DEMO[A-Z_]*)"', DEMO_SOURCE.read_text(encoding="utf-8")))
    known = set(variables()) | set(variables().values()) | prefixes | demo
    unknown = sorted(name for name in documented() if name not in known)
    assert not unknown, f"docs/operations.md names variables no setting reads: {unknown}"
