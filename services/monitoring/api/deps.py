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
    return (code, password) if sep else None


async def sender(request: Request) -> Sender:
    credentials = _basic(request.headers.get("authorization", ""))
    if credentials is None:
        principal = await current_principal(request)
        if principal.zone != "staff" or not principal.has_any({Role.MONITORING_REVIEWER, Role.ADMIN}):
            raise Problem(403, "需要监测审核员或站点凭据 Requires monitoring_reviewer or station credentials")
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
