"""HTTP entry points of the disclosure service: the staff API (``/api/v1/disclosure``) and the public API
(``/public/v1``); the portal's pages are ``portal.pages``."""

from __future__ import annotations

from services.disclosure.api.activities import router as activities
from services.disclosure.api.annual_reports import router as annual_reports
from services.disclosure.api.credit_china import router as credit_china
from services.disclosure.api.deadlines import router as deadlines
from services.disclosure.api.enforcement_lists import router as enforcement_lists
from services.disclosure.api.public import router as public
from services.disclosure.api.public_draws import router as public_draws
from services.disclosure.api.public_lists import router as public_lists
from services.disclosure.api.publications import router as publications
from services.disclosure.api.redactions import router as redactions
from services.disclosure.api.rule_of_law_reports import public_router as rule_of_law_public
from services.disclosure.api.rule_of_law_reports import router as rule_of_law_reports
from services.disclosure.api.statistics_releases import router as statistics_releases

ROUTERS = (
    deadlines,
    publications,
    redactions,
    credit_china,
    annual_reports,
    public,
    public_draws,
    enforcement_lists,
    statistics_releases,
    public_lists,
    activities,
    rule_of_law_reports,
    rule_of_law_public,
)
