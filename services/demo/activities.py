"""The demo's rule-of-law activities (法治建设活动) of 2020 and 2021 as the seed report gives them, and the 2021
rule-of-law annual report (法治政府建设年度报告) drafted from them, approved by the head and published.

The seed (domain.md §6 and the issue text): in 2021, 2 study sessions on the constitution and 3 on Xi Jinping
Thought on the Rule of Law, 1 legal lecture, 5 trainings reaching about 500 enterprises, 2 expert consultations
solving 4 problems, 130-odd enterprises visited with 130-odd leaflets, 2 full-time and 1 part-time legal advisers,
the legal committee meeting of 2021-02-07; in 2020, 11 trainings reaching about 1,000 enterprises. Where the seed
gives a round or "about" figure the demo records that figure; dates and towns are the demo's.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

import httpx

TRAINING_TOWNS = ("杨柳青镇", "辛口镇", "张家窝镇", "精武镇", "中北镇", "大寺镇", "王稳庄镇", "李七庄街", "西营门街")
FIRM = "天津某律师事务所"


def _training(day: date, town: str, enterprises: int) -> dict[str, Any]:
    return {"kind": "training", "occurred_on": day.isoformat(), "town": town, "enterprises": enterprises,
            "subject": "生态环境法律法规培训"}  # fmt: skip


def activities_2020() -> list[dict[str, Any]]:
    """11 trainings, 1,000 enterprises in all (10 × 91 and one of 90)."""
    days = [date(2020, month, 15) for month in range(2, 13)]
    return [
        _training(day, TRAINING_TOWNS[n % len(TRAINING_TOWNS)], 90 if n == 10 else 91) for n, day in enumerate(days)
    ]


def activities_2021(review_meetings: int) -> list[dict[str, Any]]:
    """The seed's 2021 register; the full-time advisers sat in on every review meeting (法律顾问列席)."""
    study = [
        ("constitution", "学习《中华人民共和国宪法》", date(2021, 3, 10)),
        ("constitution", "国家宪法日集中学习宪法", date(2021, 12, 3)),
        ("law_thought", "学习习近平法治思想", date(2021, 2, 24)),
        ("law_thought", "学习习近平法治思想“十一个坚持”", date(2021, 6, 16)),
        ("law_thought", "学习习近平生态文明思想和法治思想", date(2021, 9, 22)),
    ]
    entries: list[dict[str, Any]] = [
        {"kind": "study_session", "topic": topic, "subject": subject, "occurred_on": day.isoformat()}
        for topic, subject, day in study
    ]
    entries.append({"kind": "lecture", "subject": "新修订《行政处罚法》专题讲座", "occurred_on": "2021-07-08"})
    entries += [_training(date(2021, 4 + n, 20), TRAINING_TOWNS[n], 100) for n in range(5)]
    entries += [
        {"kind": "consultation", "subject": "挥发性有机物治理", "problems_solved": 2, "occurred_on": "2021-08-18"},
        {"kind": "consultation", "subject": "危险废物规范化管理", "problems_solved": 2, "occurred_on": "2021-10-20"},
        {"kind": "outreach", "subject": "送法入企", "enterprises": 130, "materials": 130, "occurred_on": "2021-11-10"},
    ]
    entries += [
        {"kind": "adviser", "year": 2021, "adviser_type": kind, "firm": FIRM, "meetings_attended": attended}
        for kind, attended in (("full_time", review_meetings), ("full_time", review_meetings), ("part_time", 0))
    ]
    entries.append(
        {
            "kind": "committee_meeting",
            "occurred_on": "2021-02-07",
            "subjects": ["2021年度法治政府建设工作要点", "重大行政执法决定法制审核目录"],
        }
    )
    return entries


class Caller(Protocol):
    async def call(
        self, who: str, method: str, path: str, *, json: Any = None, etag: str | None = None
    ) -> httpx.Response: ...


ACTIVITIES = "/api/v1/disclosure/law-activities"
REPORTS = "/api/v1/disclosure/rule-of-law-reports"


async def load_activities(api: Caller, *, review_meetings_2021: int) -> int:
    """Record both years' activities as the legal office; returns how many."""
    entries = activities_2020() + activities_2021(review_meetings_2021)
    for body in entries:
        await api.call("legal", "POST", ACTIVITIES, json=body)
    return len(entries)


async def publish_rule_of_law_report(api: Caller, year: int, *, published_on: date) -> None:
    """Drafted by the legal office, approved by the head, published by the desk on ``published_on``."""
    draft = await api.call("legal", "POST", f"{REPORTS}/{year}")
    approved = await api.call("head", "POST", f"{REPORTS}/{year}/approval", etag=draft.headers["etag"])
    body = {"published_on": published_on.isoformat()}
    await api.call("editor", "POST", f"{REPORTS}/{year}/publication", json=body, etag=approved.headers["etag"])
