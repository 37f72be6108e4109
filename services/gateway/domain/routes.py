"""The routing table: which service serves a path prefix, and in which access zone (公开 / 工作人员 / 公安).

Paths are forwarded unchanged: every service mounts its routes at the full public path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from services.catalogue import Upstream
from shared.errors import NotFound

# Who may call a prefix: anyone, bureau staff, or a police client (see the zone table of the design).
AccessZone = Literal["public", "staff", "police"]


@dataclass(frozen=True)
class Route:
    prefix: str
    upstream: Upstream
    zone: AccessZone


ROUTES: tuple[Route, ...] = (
    Route("/api/v1/cases", "cases", "staff"),
    Route("/api/v1/disclosure", "disclosure", "staff"),
    Route("/api/v1/referral", "referral", "staff"),
    Route("/api/v1/monitoring", "monitoring", "staff"),
    # Before ``/public/v1``: the first matching prefix wins.
    Route("/public/v1/monitoring", "monitoring", "public"),
    Route("/public/v1", "disclosure", "public"),
    # Before ``/portal``: the enterprises' pages of the portal (企业自行监测信息公开) are monitoring's.
    Route("/portal/monitoring", "monitoring", "public"),
    Route("/portal", "disclosure", "public"),
    Route("/police/v1", "referral", "police"),
)


def match_route(path: str) -> Route | None:
    """The route whose prefix is ``path`` or a parent of it (``/portal`` matches ``/portal/a``, not ``/portals``)."""
    for route in ROUTES:
        if path == route.prefix or path.startswith(route.prefix + "/"):
            return route
    return None


def route_for(path: str) -> Route:
    route = match_route(path)
    if route is None:
        raise NotFound(f"没有此路径 No service serves {path}")
    return route
