"""The rule-of-law annual report (法治政府建设年度报告): its figures, its drafted sections and its stages.

For year Y it is published on the portal before 1 April of Y+1 (法治政府建设与责任落实督察工作规定 §25: reports
made public by the end of the first quarter). It is assembled from the activity register and the system's own
figures, edited by the desk, approved by the head (负责人审定) and then published; an edit after approval needs a
new approval.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from services.disclosure.domain.activities import DISPUTE_NAMES, OUTCOME_NAMES
from services.disclosure.domain.annual_report import KIND_NAMES, MEDIUM_NAMES, PublicationFigures
from shared.errors import Conflict

SECTION_TITLES = {
    "overview": "一、总体情况",
    "study": "二、领导干部学法用法",
    "enforcement": "三、严格规范公正文明执法",
    "publicity": "四、普法宣传教育",
    "legal_support": "五、法律顾问和法制委员会",
    "disputes": "六、行政复议和行政诉讼",
    "plans": "七、存在的不足和下一年度工作安排",
}
STAGE_NAMES = {"draft": "草稿", "approved": "已审定", "published": "已发布"}


def report_due_on(year: int, month_day: tuple[int, int]) -> date:
    """Published by the configured day (31 March) of the following year: before 1 April."""
    return date(year + 1, *month_day)


def _day(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日"


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def system_figures(
    statistics: Mapping[str, Any], publication: PublicationFigures, *, referrals: Mapping[str, Any]
) -> dict[str, Any]:
    """The system's own figures of the year: decisions by kind, on-time publication, review meetings and cases
    reviewed, the share of filed cases reviewed at those meetings (审议覆盖率), and the legal review coverage
    (法制审核覆盖率: of the decisions that required the legal review, the share reviewed before the decision; null
    when none required it or the cases service does not count it) from the cases statistics; referrals sent, by
    medium and by the police's decision, from the referral statistics."""
    filed, reviewed = int(statistics["cases_filed"]), int(statistics["cases_reviewed"])
    required, legal = statistics.get("legal_reviews_required"), statistics.get("legal_reviews_before_decision")
    return {
        "decisions_by_kind": dict(statistics["decisions_by_kind"]),
        "publication": {
            "due": publication.due,
            "on_time": publication.on_time,
            "late": publication.late,
            "on_time_rate": publication.rate,
        },
        "review_meetings": int(statistics["review_meetings"]),
        "cases_reviewed": reviewed,
        "cases_filed": filed,
        "review_coverage": min(1.0, reviewed / filed) if filed else None,
        "legal_reviews_required": required,
        "legal_reviews_before_decision": legal,
        "legal_review_coverage": int(legal) / int(required) if required and legal is not None else None,
        "referrals_by_medium": dict(referrals["by_medium"]),
        "referrals_by_outcome": dict(referrals["by_outcome"]),
    }


def draft_sections(year: int, authority: str, register: Mapping[str, Any], system: Mapping[str, Any]) -> dict[str, str]:
    """The sections as drafted from the figures; the desk edits any of them before the head approves."""
    study, trainings = register["study_sessions"], register["trainings"]
    consultations, outreach = register["consultations"], register["outreach"]
    advisers, committee = register["advisers"], register["committee_meetings"]
    by_kind, by_medium = system["decisions_by_kind"], system["referrals_by_medium"]
    kinds = "、".join(f"{KIND_NAMES.get(k, k)}{v}件" for k, v in by_kind.items() if v) or "无"
    media = "、".join(f"{MEDIUM_NAMES.get(k, k)}{v}件" for k, v in by_medium.items() if v)
    referrals = sum(int(v) for v in by_medium.values())
    publication = system["publication"]
    meetings = "、".join(_day(d) for d in committee["dates"])
    subjects = "、".join(committee["subjects"])
    firms = "、".join(advisers["firms"])
    return {
        "overview": f"{year}年，{authority}深入学习贯彻习近平法治思想，全面落实法治政府建设各项任务，"
        "坚持严格规范公正文明执法，现将本年度法治政府建设情况报告如下。",
        "study": f"党组理论学习中心组开展集体学法{study['total']}次，其中学习宪法{study['constitution']}次、"
        f"学习习近平法治思想{study['law_thought']}次；举办法治讲座{register['lectures']}次。",
        "enforcement": f"全年作出各类执法决定{sum(int(v) for v in by_kind.values())}件，其中{kinds}。"
        f"应公示执法决定{publication['due']}件，按时公示{publication['on_time']}件，"
        f"公示及时率{_percent(publication['on_time_rate'])}。召开案件审议会{system['review_meetings']}次，"
        f"审议案件{system['cases_reviewed']}件，立案案件经审议的比例为{_percent(system['review_coverage'])}。"
        + _legal_review(system)
        + f"向公安机关移送涉嫌环境犯罪案件{referrals}件"
        + (f"（{media}）" if media else "")
        + _police(system)
        + "。",
        "publicity": f"开展普法培训{trainings['sessions']}次，覆盖企业{trainings['enterprises']}家；"
        f"组织专家会诊{consultations['sessions']}次，帮助企业解决问题{consultations['problems_solved']}个；"
        f"送法入企走访企业{outreach['enterprises']}家，发放宣传资料{outreach['materials']}份。",
        "legal_support": f"聘请专职法律顾问{advisers['full_time']}名、兼职法律顾问{advisers['part_time']}名"
        + (f"（{firms}）" if firms else "")
        + f"，法律顾问参加案件审议会{advisers['meetings_attended']}人次。"
        + (
            f"召开法制委员会会议{committee['count']}次（{meetings}），研究{subjects}。"
            if committee["count"]
            else "本年度未召开法制委员会会议。"
        ),
        "disputes": _disputes(register["disputes"]),
        "plans": f"{year + 1}年，本局将继续深化行政执法“三项制度”，加强执法人员法治培训，持续提升依法行政水平。",
    }


def redrafted(current: Mapping[str, str], *, before: Mapping[str, str], after: Mapping[str, str]) -> dict[str, str]:
    """The sections after the figures changed: one still as drafted (``before``) is drafted again (``after``); one
    an editor changed keeps the editor's text."""
    return {key: after[key] if current.get(key) == before.get(key) else current.get(key, after[key]) for key in after}


def _legal_review(system: Mapping[str, Any]) -> str:
    """重大执法决定法制审核: what required it, what was reviewed before the decision, the coverage; nothing when the
    cases service does not count it."""
    required, reviewed = system.get("legal_reviews_required"), system.get("legal_reviews_before_decision")
    if required is None or reviewed is None:
        return ""
    if not required:
        return "本年度无须经法制审核的重大执法决定。"
    return (
        f"须经法制审核的重大执法决定{required}件，作出决定前经法制审核{reviewed}件，"
        f"法制审核覆盖率{_percent(system['legal_review_coverage'])}。"
    )


def _police(system: Mapping[str, Any]) -> str:
    accepted = int(system.get("referrals_by_outcome", {}).get("accepted", 0))
    return f"，公安机关已立案{accepted}件" if accepted else ""


def _disputes(disputes: Mapping[str, Any]) -> str:
    counts = {kind: int(disputes[kind]) for kind in DISPUTE_NAMES}
    if not any(counts.values()):
        return "本年度无以本局为被申请人或被告的行政复议、行政诉讼案件。"
    outcomes = "、".join(f"{OUTCOME_NAMES[o]}{n}件" for o, n in disputes["by_outcome"].items())
    kinds = "、".join(f"{DISPUTE_NAMES[k]}案件{n}件" for k, n in counts.items())
    return f"本年度以本局为被申请人或被告的{kinds}，其中{outcomes}。"


def check_edit(stage: str) -> str:
    """An edit keeps a draft a draft and sends an approved report back to draft; a published one is final."""
    if stage == "published":
        raise Conflict("报告已发布，不能修改 The report is published", slug="report-published")
    return "draft"


def check_approval(stage: str) -> str:
    """负责人审定: a draft becomes approved."""
    if stage != "draft":
        raise Conflict(f"报告状态为{STAGE_NAMES[stage]}，不能审定 Only a draft is approved", slug="report-not-draft")
    return "approved"


def check_publication(stage: str) -> str:
    """Only what the head approved goes out."""
    if stage != "approved":
        raise Conflict(
            f"报告状态为{STAGE_NAMES[stage]}，须经负责人审定后发布 Only an approved report is published",
            slug="report-not-approved",
        )
    return "published"
