"""The annual enforcement report (年度执法工作报告): figures, Chinese text and the charts' data, from pure inputs.

Due 31 January of the following year (domain §3) and tracked like a publication.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from services.disclosure.domain.deadlines import on_time_share
from shared.errors import Conflict, Invalid

KIND_NAMES = {
    "penalty": "行政处罚决定",
    "seizure": "查封扣押决定",
    "yellow_card": "“黄牌”警示",
    "order_to_correct": "责令改正决定",
    "daily_penalty": "按日连续处罚决定",
    "production_restriction": "限产、停产整治决定",
}
CATEGORY_NAMES = {
    "key_polluter": "重点排污单位",
    "ordinary": "一般排污单位",
    "special": "特殊监管对象",
    "unregistered": "名录外单位",
}
RESULT_NAMES = {"compliant": "未发现问题", "violation_found": "发现违法问题", "not_operating": "停产、关闭或查无此单位"}
MEDIUM_NAMES = {
    "water": "水",
    "air": "大气",
    "soil": "土壤",
    "solid_waste": "固体废物",
    "noise": "噪声",
    "radiation": "辐射",
    "other": "其他",
}


@dataclass(frozen=True)
class PublicationFigures:
    """What disclosure itself knows about the year: publications due in it and how they went."""

    due: int
    on_time: int
    late: int
    withdrawn: int

    @property
    def rate(self) -> float | None:
        return on_time_share(self.on_time, self.late)


def report_due_on(year: int, month_day: tuple[int, int]) -> date:
    """Due on the configured day (31 January) of the following year."""
    return date(year + 1, *month_day)


def _yuan(fen: int) -> str:
    return f"{fen / 1_000_000:.2f}万元" if fen >= 1_000_000 else f"{fen // 100}元"


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


# Draws a bar chart from its title, labels and values (``shared.charts`` in the service).
DrawChart = Callable[[str, Sequence[str], Sequence[int]], str]


def check_report_publication(year: int, published_on: date, *, today: date) -> None:
    """A year's report goes out once the year is over, dated (补录 too) from 1 January of the next year to today."""
    if year >= today.year:
        raise Conflict(f"{year}年尚未结束 The year {year} is not over yet", slug="year-not-over")
    if not date(year + 1, 1, 1) <= published_on <= today:
        raise Invalid(
            "发布日期须在次年1月1日至今天之间 published_on must lie between 1 January of the next year and today"
        )


def build_report(
    year: int,
    statistics: Mapping[str, object],
    figures: PublicationFigures,
    *,
    authority: str,
    due_on: date,
    draw: DrawChart,
) -> dict[str, object]:
    """The report's content: the cases statistics as given, the publication figures, text and charts."""
    by_kind = dict(statistics["decisions_by_kind"])  # type: ignore[call-overload]
    by_medium = dict(statistics["referrals_by_medium"])  # type: ignore[call-overload]
    decisions = sum(int(v) for v in by_kind.values())
    referrals = sum(int(v) for v in by_medium.values())
    kinds_text = "、".join(f"{KIND_NAMES.get(k, k)}{v}件" for k, v in by_kind.items() if v) or "无"
    text = [
        f"{year}年，{authority}共开展执法检查{statistics['inspections']}次，受理案件线索{statistics['leads']}条，"
        f"立案{statistics['cases_filed']}件，结案{statistics['cases_closed']}件。",
        f"全年作出各类执法决定{decisions}件，其中{kinds_text}；罚款合计{_yuan(int(str(statistics['fines_total_fen'])))}，"
        f"没收违法所得合计{_yuan(int(str(statistics['confiscation_total_fen'])))}。",
        f"召开案件审议会{statistics['review_meetings']}次，审议案件{statistics['cases_reviewed']}件。"
        f"向公安机关移送涉嫌环境犯罪案件{referrals}件。",
        f"应公示执法决定{figures.due}件，按时公示{figures.on_time}件，逾期{figures.late}件，"
        f"公示及时率{_percent(figures.rate)}；依法撤回公示{figures.withdrawn}件。",
    ]
    random_inspections = registry_text(year, statistics)
    if random_inspections:
        text.append(random_inspections)
    charts = {
        "decisions_by_kind": draw(
            f"{year}年执法决定（按种类）", [KIND_NAMES.get(k, k) for k in by_kind], [int(v) for v in by_kind.values()]
        ),
        "referrals_by_medium": draw(
            f"{year}年移送涉嫌犯罪案件（按环境要素）",
            [MEDIUM_NAMES.get(k, k) for k in by_medium],
            [int(v) for v in by_medium.values()],
        ),
    }
    by_category = _inspected_by_category(statistics)
    if by_category:
        charts["inspections_by_category"] = draw(
            f"{year}年执法检查（按监管对象类别）",
            [CATEGORY_NAMES.get(k, k) for k in by_category],
            list(by_category.values()),
        )
    return {
        "year": year,
        "title": f"{authority}{year}年度行政执法工作报告",
        "due_on": due_on.isoformat(),
        "statistics": dict(statistics),
        "publication": {
            "due": figures.due,
            "on_time": figures.on_time,
            "late": figures.late,
            "withdrawn": figures.withdrawn,
            "on_time_rate": figures.rate,
        },
        "text": text,
        "charts": charts,
    }


def _inspected_by_category(statistics: Mapping[str, object]) -> dict[str, int]:
    """Inspections per category of the registry (名录外 last), leaving out categories with none."""
    by_category: Mapping[str, Mapping[str, int]] = statistics.get("inspections_by_category") or {}  # type: ignore[assignment]
    totals = {category: sum(int(v) for v in results.values()) for category, results in by_category.items()}
    return {k: v for k, v in totals.items() if v}


def _share(coverage: Mapping[str, int]) -> str:
    return _percent(coverage["inspected"] / coverage["entities"])


def registry_text(year: int, statistics: Mapping[str, object]) -> str | None:
    """双随机抽查 paragraph: the registry's coverage over the year and the inspections' results by category; None
    when the statistics carry neither (a cases service from before the registry)."""
    coverage: Mapping[str, Mapping[str, int]] = statistics.get("registry_coverage") or {}  # type: ignore[assignment]
    by_category: Mapping[str, Mapping[str, int]] = statistics.get("inspections_by_category") or {}  # type: ignore[assignment]
    covered = [
        f"{CATEGORY_NAMES.get(k, k)}{c['entities']}家、检查{c['inspected']}家（覆盖率{_share(c)}）"
        for k, c in coverage.items()
        if c.get("entities")
    ]
    results: dict[str, int] = {}
    for counts in by_category.values():
        for result, n in counts.items():
            if result in RESULT_NAMES:
                results[result] = results.get(result, 0) + int(n)
    if not covered and not any(results.values()):
        return None
    parts = [f"{year}年，按“双随机、一公开”要求对监管对象名录开展随机抽查"]
    if covered:
        parts.append("，名录内" + "，".join(covered))
    found = "，".join(f"{RESULT_NAMES[r]}{n}次" for r, n in results.items() if n)
    if found:
        parts.append(f"；执法检查结果：{found}")
    return "".join(parts) + "。"


def tracked_years(today: date, data_years: Iterable[int], *, required_from: int | None) -> list[int]:
    """The years a report's tracking lists: the last three, every earlier year the bureau has data of, and every
    year since it was told to report (``required_from``)."""
    years = set(range(today.year - 3, today.year)) | {y for y in data_years if y < today.year}
    if required_from is not None:
        years |= set(range(required_from, today.year))
    return sorted(years)


def tracking_status(
    year: int, *, due_on: date, today: date, published: bool, has_data: bool, required_from: int | None
) -> str:
    """published; else pending until the due date, then overdue (逾期) — but only for a year the bureau has data
    of or was told to report for (``required_from``): a year with neither owes no report (no_data)."""
    if published:
        return "published"
    owed = has_data or (required_from is not None and year >= required_from)
    if not owed:
        return "no_data"
    return "overdue" if today > due_on else "pending"
