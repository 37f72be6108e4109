"""What the disclosure entry points share: role sets, settings and calendar, the current publication, and the one
helper that changes a publication (load, check If-Match, run the handler, commit, set the ETag)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated

from fastapi import Depends, Path, Request, Response

from services.disclosure.handlers import publications
from services.disclosure.schemas import PublicationStaff
from services.disclosure.settings import DisclosureSettings
from services.disclosure.tables import Publication
from shared.auth import Principal, Role
from shared.http import etag_of, require_if_match
from shared.messaging import UnitOfWork
from shared.service import requires, runtime_of
from shared.workdays import Calendar

# Publications, due dates and statistics: every staff role that works with decisions.
Staff = Annotated[
    Principal,
    Depends(requires(Role.DISCLOSURE_EDITOR, Role.HEAD, Role.OFFICER, Role.LEGAL_REVIEWER, Role.AUDITOR)),
]
# Changes to what is public: the disclosure desk and the head.
Editor = Annotated[Principal, Depends(requires(Role.DISCLOSURE_EDITOR, Role.HEAD))]
# The Credit China ledger: the desk, the head and audit.
LedgerReader = Annotated[Principal, Depends(requires(Role.DISCLOSURE_EDITOR, Role.HEAD, Role.AUDITOR))]
# The annual reports' tracking: the desk, the head, audit and officers.
ReportReader = Annotated[Principal, Depends(requires(Role.DISCLOSURE_EDITOR, Role.HEAD, Role.AUDITOR, Role.OFFICER))]


def settings_of(request: Request) -> DisclosureSettings:
    settings: DisclosureSettings = request.app.state.settings
    return settings


def calendar_of(request: Request) -> Calendar:
    calendar: Calendar = request.app.state.calendar
    return calendar


def today_of(request: Request) -> date:
    """Today where the bureau is (Asia/Shanghai by default): legal deadlines are dates there."""
    return publications.local_today(settings_of(request).timezone)


Settings = Annotated[DisclosureSettings, Depends(settings_of)]
# An annual report's year in a path.
Year = Annotated[int, Path(ge=2000, le=2100, description="the year reported on")]
Workdays = Annotated[Calendar, Depends(calendar_of)]
Today = Annotated[date, Depends(today_of)]


def staff_view(publication: Publication, response: Response | None = None) -> PublicationStaff:
    """The staff answer; with ``response``, its ETag (the version an ``If-Match`` names)."""
    if response is not None:
        response.headers["ETag"] = etag_of(publication.id, publication.version)
    return PublicationStaff.model_validate(publication, from_attributes=True)


async def current_publication(publication_id: str, request: Request) -> Publication:
    """The publication of the path (404 if none); publications belong to no team (``access``)."""
    async with runtime_of(request).uow() as uow:
        return await publications.get_publication(uow, publication_id)


# Declared after the caller's role in a route's parameters: a caller without the role learns nothing of the id.
CurrentPublication = Annotated[Publication, Depends(current_publication)]

Change = Callable[[UnitOfWork, Publication], Awaitable[object]]


async def change_publication(
    request: Request, response: Response, publication_id: str, change: Change
) -> PublicationStaff:
    """Load the publication, check the caller's ``If-Match``, run ``change``, commit, answer with the new ETag."""
    async with runtime_of(request).uow() as uow:
        publication = await publications.get_publication(uow, publication_id)
        require_if_match(request, etag_of(publication.id, publication.version))
        await change(uow, publication)
        await uow.commit()
    return staff_view(publication, response)


# The rule-of-law register (法治建设活动台账): the legal office (法制科, legal reviewers) and the head record it; the
# desk and audit read it too.
LegalOffice = Annotated[Principal, Depends(requires(Role.LEGAL_REVIEWER, Role.HEAD))]
LegalOfficeReader = Annotated[
    Principal, Depends(requires(Role.LEGAL_REVIEWER, Role.HEAD, Role.DISCLOSURE_EDITOR, Role.AUDITOR))
]
# The rule-of-law report: drafted and edited by the legal office or the desk, approved by the head alone.
ReportDrafter = Annotated[Principal, Depends(requires(Role.LEGAL_REVIEWER, Role.DISCLOSURE_EDITOR, Role.HEAD))]
Head = Annotated[Principal, Depends(requires(Role.HEAD))]
