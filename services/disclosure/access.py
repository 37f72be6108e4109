"""Who owns what in the disclosure service (对象级授权), declared for ``shared.ownership``.

Nothing here belongs to a team or unit: publications (行政执法公示) and the random inspection draws are made to be
public, the Credit China ledger and the annual reports are the bureau's. Every role a route admits reaches every
object of it; the routes' roles (``shared.service.requires``) are the whole rule.
"""

from __future__ import annotations

from shared.auth import Role
from shared.ownership import Declaration, shared

# Who reaches the rule-of-law register and report; officers and monitoring staff do not.
LEGAL_OFFICE_READERS = frozenset({Role.LEGAL_REVIEWER, Role.HEAD, Role.DISCLOSURE_EDITOR, Role.AUDITOR})

OWNERSHIP = Declaration(
    "disclosure",
    {
        "publication": shared(("公示", "Publication"), note="made to be public; edited by the disclosure desk"),
        "credit_china_record": shared(("信用中国记录", "Record"), note="the bureau's delivery ledger"),
        "annual_report": shared(("年度报告", "AnnualReport"), note="the bureau's annual report"),
        "statistics": shared(("统计", "Statistics"), note="counts and due dates; nothing owned"),
        "inspection_draw": shared(("双随机抽查", "InspectionDraw"), note="made to be public, as cases drew it"),
        "law_activity": shared(
            ("法治建设活动", "Activity"),
            LEGAL_OFFICE_READERS,
            note="the rule-of-law register is the legal office's (法制科): it and the head, the desk and audit",
        ),
        "rule_of_law_report": shared(
            ("法治政府建设年度报告", "RuleOfLawReport"),
            LEGAL_OFFICE_READERS,
            note="the bureau's report: drafted by the legal office or the desk, approved by the head",
        ),
    },
)
