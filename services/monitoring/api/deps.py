"""What the monitoring entry points share: role sets, the standards, the station (HTTP Basic) caller."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from services.monitoring.handlers.stations import stations_by_code
from services.monitoring.passwords import PasswordCache
from services.monitoring.standards import Standards
from services.monitoring.tables import Station
from shared.auth import Principal, Role
from shared.problems import Problem
from shared.service import current_principal, requires, runtime_of

READERS = (Role.MONITORING_REVIEWER, Role.HEAD, Role.OFFICER, Role.AUDITOR, Role.DISCLOSURE_EDITOR)
Reader = Annotated[Principal, Depends(requires(*READERS))]
Reviewer = Annotated[Principal, Depends(requires(Role.MONITORING_REVIEWER))]
Manager = Annotated[Principal, Depends(requires(Role.MONITORING_REVIEWER, Role.HEAD))]


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


async def sender(request: Request) -> Sender:
    credentials = _basic(request.headers.get("authorization", ""))
    if credentials is None:
        principal = await _staff_sender(await current_principal(request))
        return Sender(principal.subject, None)
    code, password = credentials
    async with runtime_of(request).uow() as uow:
        station = (await stations_by_code(uow, [code])).get(code)
    passwords: PasswordCache = request.app.state.passwords
    if station is None or not station.active or not await passwords.verify(code, password, station.password_hash):
        raise Problem(
            401, "站点凭据无效 Invalid station credentials", headers={"WWW-Authenticate": 'Basic realm="hj212"'}
        )
    return Sender(f"station:{code}", station)
