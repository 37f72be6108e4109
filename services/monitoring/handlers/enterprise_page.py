"""An enterprise's public page (企业自行监测信息公开), Chinese HTML: its outlets and permit limits, an effluent chart
per outlet and pollutant (in the manner of US EPA ECHO, for Chinese permits), monthly completeness and exceedances.
Reviewed data only, and the page says so. No script; charts are inline SVG (``shared.charts``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html import escape

from services.monitoring.domain.enterprises import FREQUENCY_LABELS, MonthCompleteness, MonthProfile
from services.monitoring.domain.readings import LOCAL
from services.monitoring.handlers.bulletin_html import STYLE, html_table
from services.monitoring.handlers.enterprise_data import (
    outlet_completeness,
    outlet_profile,
    parameters_of,
    reviewed_exceedances,
    reviewed_values,
)
from services.monitoring.handlers.enterprises import EnterpriseView, OutletView
from services.monitoring.tables import Exceedance
from shared.charts import effluent_chart_svg
from shared.messaging import UnitOfWork

MEDIUM_LABELS = {"water": "废水", "air": "废气"}
PARAMETER_LABELS = {
    "cod": "化学需氧量", "nh3n": "氨氮", "tp": "总磷", "tn": "总氮", "ph": "pH值", "ss": "悬浮物",
    "so2": "二氧化硫", "nox": "氮氧化物", "dust": "颗粒物", "vocs": "挥发性有机物", "nmhc": "非甲烷总烃",
}  # fmt: skip
PAGE_STYLE = (
    ".greenlaw-bulletin dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}"
    ".greenlaw-bulletin dd{margin:0}"
    ".greenlaw-bulletin nav ul{list-style:none;padding:0;display:flex;gap:1.25em}"
)
NOTICE = "本页仅公开经审核确认的有效监测数据；未审核和经审核判定无效的数据不予公开。"


def label(parameter: str) -> str:
    return PARAMETER_LABELS.get(parameter, parameter)


@dataclass(frozen=True)
class OutletYear:
    outlet: OutletView
    months: list[MonthCompleteness]
    profiles: dict[str, list[MonthProfile]]


async def enterprise_year(
    uow: UnitOfWork, found: EnterpriseView, year: int
) -> tuple[list[OutletYear], list[tuple[str, Exceedance]]]:
    """Each outlet's completeness and monthly profiles, and the reviewed exceedances, of ``year``."""
    outlets = []
    for outlet in found.outlets:
        values = await reviewed_values(uow, outlet, year)  # one read per outlet serves every table and chart
        profiles = {p: outlet_profile(outlet, p, year, values) for p in parameters_of(outlet)}
        outlets.append(OutletYear(outlet, outlet_completeness(outlet, year, values), profiles))
    return outlets, await reviewed_exceedances(uow, found, year)


def chart(outlet: OutletView, parameter: str, profile: Sequence[MonthProfile], year: int) -> str:
    unit = next((r.unit for r in outlet.limits if r.parameter == parameter), "")
    return effluent_chart_svg(
        [f"{p.month}月" for p in profile],
        [p.mean for p in profile],
        [p.maximum for p in profile],
        [p.limit for p in profile],
        ylabel=unit,
        title=f"{outlet.outlet.code} {outlet.outlet.name} {label(parameter)} {year}年",
    )


def _until(day: date | None) -> str:
    return day.isoformat() if day else "至今"


def _limits_table(outlet: OutletView) -> str:
    rows = [[label(r.parameter), r.limit, r.unit, r.valid_from.isoformat(), _until(r.valid_to)] for r in outlet.limits]
    return html_table(["污染物", "许可排放限值", "单位", "起始日期", "截止日期"], rows)


def _percent(ratio: float | None) -> str | None:
    return None if ratio is None else f"{ratio * 100:.1f}%"


def _completeness_table(outlets: Sequence[OutletYear]) -> str:
    rows = [
        [o.outlet.outlet.code, f"{m.month}月", m.reported, m.expected, _percent(m.ratio)]
        for o in outlets
        for m in o.months
        if m.expected
    ]
    return html_table(["排放口", "月份", "有效数据（条）", "应报数据（条）", "完整率"], rows)


def _exceedance_table(exceedances: Sequence[tuple[str, Exceedance]]) -> str:
    if not exceedances:
        return "<p>本年度经审核的数据中无超标记录。</p>"
    rows = [[outlet, label(e.parameter), _local(e.period_start), e.value, e.limit, e.unit] for outlet, e in exceedances]
    return html_table(["排放口", "污染物", "时段起（北京时间）", "监测值", "许可限值", "单位"], rows)


def _local(moment: datetime) -> str:
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return aware.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")


def enterprise_html(found: EnterpriseView, year: int, outlets: Sequence[OutletYear],
                    exceedances: Sequence[tuple[str, Exceedance]]) -> str:  # fmt: skip
    e = found.enterprise
    title = f"{e.name} {year}年自行监测信息公开"
    facts = [
        ("所在镇街", e.town), ("行业类别", e.industry), ("统一社会信用代码", e.credit_code or "—"),
        ("排污许可证编号", e.permit_number or "—"), ("重点排污单位", "是" if e.key_unit else "否"),
    ]  # fmt: skip
    parts = [
        # The portal's addresses (the gateway routes /portal/monitoring to this service, /portal to disclosure).
        '<nav aria-label="门户导航"><ul><li><a href="/portal/">行政执法公示</a></li>'
        '<li><a href="/portal/monitoring/enterprises">企业名录</a></li></ul></nav>',
        f"<h1>{escape(title)}</h1>",
        f'<p role="note">{escape(NOTICE)}</p>',
        "<dl>" + "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts) + "</dl>",
    ]
    for item in outlets:
        o = item.outlet.outlet
        heading = f"排放口 {o.code} {o.name}（{MEDIUM_LABELS.get(o.medium, o.medium)}，"
        heading += f"监测频次：{FREQUENCY_LABELS.get(o.frequency, o.frequency)}）"
        parts.append(f'<section aria-label="{escape(o.code, quote=True)}"><h2>{escape(heading)}</h2>')
        parts.append(_limits_table(item.outlet))
        parts += [f"<figure>{chart(item.outlet, p, profile, year)}</figure>" for p, profile in item.profiles.items()]
        parts.append("</section>")
    parts.append(f'<section aria-label="数据完整率"><h2>数据完整率</h2>{_completeness_table(outlets)}</section>')
    parts.append(f'<section aria-label="超标记录"><h2>超标记录</h2>{_exceedance_table(exceedances)}</section>')
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
        f"<style>{STYLE}{PAGE_STYLE}</style></head>"
        f'<body><main class="greenlaw-bulletin">{"".join(parts)}</main></body></html>'
    )
