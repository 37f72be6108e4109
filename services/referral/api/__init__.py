"""HTTP entry points of the referral service: staff (``/api/v1/referral``) and police liaison (``/police/v1``)."""

from __future__ import annotations

from services.referral.api.consultations import router as consultations
from services.referral.api.deadlines import router as deadlines
from services.referral.api.deliveries import router as deliveries
from services.referral.api.documents import router as documents
from services.referral.api.police import router as police
from services.referral.api.referrals import router as referrals
from services.referral.api.statistics import router as statistics
from services.referral.api.steps import router as steps

ROUTERS = (referrals, steps, documents, consultations, deadlines, statistics, deliveries, police)
