"""HTTP entry points of the cases service (``/api/v1/cases``), one router per resource."""

from __future__ import annotations

from services.cases.api.cases import router as cases
from services.cases.api.deadlines import router as deadlines
from services.cases.api.decisions import router as decisions
from services.cases.api.draws import router as draws
from services.cases.api.evidence import router as evidence
from services.cases.api.history import router as history
from services.cases.api.inspection_rates import router as inspection_rates
from services.cases.api.inspections import router as inspections
from services.cases.api.inspector_pool import router as inspector_pool
from services.cases.api.leads import router as leads
from services.cases.api.officers import router as officers
from services.cases.api.parties import router as parties
from services.cases.api.preservations import router as preservations
from services.cases.api.referrals import router as referrals
from services.cases.api.review_meetings import router as review_meetings
from services.cases.api.statistics import router as statistics
from services.cases.api.supervised_entities import router as supervised_entities
from services.cases.api.teams import router as teams

# Fixed paths first: the case router's ``/{case_id}`` would otherwise shadow ``/statistics`` and the like.
ROUTERS = (
    decisions,
    parties,
    teams,
    officers,
    inspections,
    supervised_entities,
    inspector_pool,
    draws,
    inspection_rates,
    leads,
    statistics,
    deadlines,
    review_meetings,
    cases,
    referrals,
    evidence,
    history,
    preservations,
)
