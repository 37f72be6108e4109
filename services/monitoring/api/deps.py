"""What the monitoring entry points share: role sets, the standards, the station (HTTP Basic) caller, and the one
helper for a change under If-Match."""

from __future__ import annotations

import base64
import binascii
import ipaddress
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Protocol, TypeVar

from fastapi import Depends, Request, Response

from services.monitoring.domain.standards import Standards
from services.monitoring.handlers.credentials import StationCredentials, StationThrottled
from services.monitoring.settings import MonitoringSettings
from services.monitoring.tables import Station
from shared.auth import Principal, Role
from shared.errors import TooMany
from shared.guessing import Barrier
from shared.http import etag_of, require_if_match
from shared.messaging import UnitOfWork
from shared.problems import Problem
from shared.service import current_principal, requires, runtime_of

READERS = (Role.MONITORING_REVIEWER, Role.HEAD, Role.OFFICER, Role.AUDITOR, Role.DISCLOSURE_EDITOR)
Reader = Annotated[Principal, Depends(requires(*READERS))]
Reviewer = Annotated[Principal, Depends(requires(Role.MONITORING_REVIEWER))]
Manager = Annotated[Principal, Depends(requires(Role.MONITORING_REVIEWER, Role.HEAD))]


class Versioned(Protocol):
    id: str
    version: int


V = TypeVar("V", bound=Versioned)


async def change_with_if_match(
    request: Request,
    response: Response | None,
    load: Callable[[UnitOfWork], Awaitable[V]],
    act: Callable[[UnitOfWork, V], Awaitable[V]],
) -> V:
    """Load the object, check the caller's If-Match against its version (428/412), run the handler, commit, and
    set the new ETag on ``response`` (None: an answer without a body, e.g. 204)."""
    async with runtime_of(request).uow() as uow:
        found = await load(uow)
        require_if_match(request, etag_of(found.id, found.version))
        changed = await act(uow, found)
        await uow.commit()
    if response is not None:
        response.headers["ETag"] = etag_of(changed.id, changed.version)
    return changed


def standards_of(request: Request) -> Standards:
    standards: Standards = request.app.state.standards
    return standards


# Staff who may push readings with a bearer token (admin always may), checked like every staff route.
_staff_sender = requires(Role.MONITORING_REVIEWER)


@dataclass(frozen=True)
class Sender:
    """Who pushes readings: a station with its own credentials, or a member of staff."""

    actor: str
    station: Station | None


def _basic(header: str) -> tuple[str, str] | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        code, sep, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    # NUL: no station code holds it, and PostgreSQL refuses it in a lookup.
    return (code, password) if sep and "\x00" not in code + password else None


def client_address(request: Request) -> str:
    """Whom a station sign-in counts against: the peer, or, when the peer is the gateway (``trusted_proxies``), the
    address the gateway saw — the last ``X-Forwarded-For`` entry, the one it appends. Entries before it are the
    caller's own words and are never believed."""
    peer = request.client.host if request.client else "unknown"
    settings: MonitoringSettings = request.app.state.settings
    try:
        trusted = any(ipaddress.ip_address(peer) in network for network in settings.trusted_proxies)
        forwarded = request.headers.get("x-forwarded-for", "").rpartition(",")[2].strip()
        return str(ipaddress.ip_address(forwarded)) if trusted and forwarded else peer
    except ValueError:  # not an address (a test client's name, a garbled header): the peer as it is
        return peer


def station_refused(barrier: Barrier) -> TooMany:
    """A 429 like the gateway's sign-in refusal; the same for an MN that exists and one that does not."""
    wait = barrier.retry_after
    headers = {"Retry-After": str(wait)}
    if barrier.locked:
        detail = f"站点凭据错误次数过多，已临时锁定 Too many failed station sign-ins: locked for {wait} s"
        return TooMany(detail, slug="login-locked", headers=headers, retry_after=wait)
    detail = f"站点凭据错误次数过多，请稍后再试 Too many failed station sign-ins: retry after {wait} s"
    return TooMany(detail, slug="login-throttled", headers=headers, retry_after=wait)


async def sender(request: Request) -> Sender:
    credentials = _basic(request.headers.get("authorization", ""))
    if credentials is None:
        principal = await _staff_sender(await current_principal(request))
        return Sender(principal.subject, None)
    code, password = credentials
    guard: StationCredentials = request.app.state.station_credentials
    try:
        signed_in = await guard.authenticate(
            runtime_of(request).sessions, code, password, address=client_address(request)
        )
    except StationThrottled as exc:
        raise station_refused(exc.barrier) from exc
    station = signed_in.station  # an unknown MN and a wrong password are not told apart here
    if station is None:
        raise Problem(
            401, "站点凭据无效 Invalid station credentials", headers={"WWW-Authenticate": 'Basic realm="hj212"'}
        )
    return Sender(f"station:{code}", station)
