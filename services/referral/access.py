"""Who owns what in the referral service (对象级授权), declared for ``shared.ownership``.

A referral belongs to the enforcement team (执法队) of the case it came from: an officer reaches only its own
team's referrals; heads, legal reviewers, auditors and admin reach all. The police reach the referrals sent to
their unit (``police_unit``; not yet transferred ones stay hidden, see ``handlers.get_referral``). A referral
without a team (requested before cases sent the team) is closed to officers: a head can still act on it.

Documents, the change log and procuratorate copies are owned through their referral; a consultation (会商) is
reached through the referrals it links, so an officer sees those linking one of its team's referrals, and only
those referral ids. The yearly statistics are counts that name no referral: every reader gets the bureau's.
"""

from __future__ import annotations

from shared.auth import Role
from shared.ownership import By, Declaration, Rule, Scope, shared

UNSCOPED = frozenset({Role.HEAD, Role.LEGAL_REVIEWER, Role.AUDITOR, Role.ADMIN})
_SLUG = "referral-not-found"

REFERRAL = Rule(
    ("移送案件", "Referral"),
    unscoped=UNSCOPED,
    scopes=(
        Scope(By.TEAM, "team", frozenset({Role.OFFICER})),
        Scope(By.UNIT, "police_unit", frozenset({Role.POLICE})),
    ),
    slug=_SLUG,
)


def _through_referral(what: tuple[str, str], slug: str) -> Rule:
    return Rule(what, UNSCOPED, REFERRAL.scopes, through="referral", slug=slug)


OWNERSHIP = Declaration(
    "referral",
    {
        "referral": REFERRAL,
        "document": _through_referral(("文件", "Document"), "document-not-found"),
        "procuratorate_delivery": _through_referral(("抄送记录", "Delivery"), "not-found"),
        "consultation": _through_referral(("会商", "Consultation"), _SLUG),
        "statistics": shared(("统计", "Statistics"), note="counts by medium and outcome; no referral is named"),
    },
)
