"""Bulletins as Chinese HTML with SVG bar charts (``shared.charts``: matplotlib, SVG text kept as text)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from shared.charts import bar_chart_svg

# The bulletin is one <article class="greenlaw-bulletin">: its title and summary, then the chart and the table in
# <div class="greenlaw-bulletin-body">. Every rule is scoped to the article, so a page that embeds the document (or
# just the body, as the disclosure portal does) keeps its own layout.
ARTICLE_CLASS = "greenlaw-bulletin"
BODY_CLASS = "greenlaw-bulletin-body"
STYLE = (
    f".{ARTICLE_CLASS}{{font-family:'Noto Sans CJK SC','Microsoft YaHei','PingFang SC',sans-serif;"
    "max-width:60em;margin:2em auto}"
    f".{ARTICLE_CLASS} table{{border-collapse:collapse}}"
    f".{ARTICLE_CLASS} td,.{ARTICLE_CLASS} th{{border:1px solid #999;padding:.3em .6em;text-align:center}}"
)
POLLUTANTS = {"pm25": "PM2.5", "pm10": "PM10", "so2": "SO₂", "no2": "NO₂", "co": "CO", "o3_8h": "O₃-8h", "o3_1h": "O₃"}


def html_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape('—' if c is None else str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _page(title: str, summary: str, chart: str, table: str) -> str:
    """The standalone document (``GET /api/v1/monitoring/bulletins/{id}/html``, and the event's ``html``)."""
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
        f'<style>{STYLE}</style></head><body><article class="{ARTICLE_CLASS}"><h1>{escape(title)}</h1>'
        f'<p>{escape(summary)}</p><div class="{BODY_CLASS}"><figure>{chart}</figure>{table}</div></article>'
        "</body></html>"
    )


def _percent(share: float | None) -> str | None:
    return None if share is None else f"{share * 100:.1f}%"


def _signed(change: int | None) -> str | None:
    return None if change is None else f"{change:+d}"


def water_html(title: str, summary: str, towns: Sequence[dict[str, Any]], classes: Sequence[str]) -> str:
    chart = bar_chart_svg([t["town"] for t in towns], [t["share_meeting_target"] * 100 for t in towns], ylabel="%")
    rows = [
        [t["rank"], t["town"], t["sections"], *(t["distribution"][c] for c in classes),
         _percent(t["share_meeting_target"]), _percent(t["change_from_last_month"])]
        for t in towns
    ]  # fmt: skip
    headers = ["排名", "镇街", "断面数", *(f"{c}类" for c in classes)]
    headers += ["达标率", "较上月变化"]
    return _page(title, summary, chart, html_table(headers, rows))


def air_html(title: str, summary: str, towns: Sequence[dict[str, Any]]) -> str:
    chart = bar_chart_svg([t["town"] for t in towns], [t["aqi"] for t in towns], ylabel="AQI")
    rows = [
        [t["rank"], t["town"], t["aqi"], t["category"], POLLUTANTS.get(t["primary_pollutant"] or "", "—"),
         _percent(t["good_days_share"]), t["pm25_mean"], t.get("pm10_mean"),
         _signed(t.get("aqi_change_from_last_year")), _percent(t.get("pm25_change_from_last_year"))]
        for t in towns
    ]  # fmt: skip
    headers = ["排名", "镇街", "AQI", "类别", "首要污染物", "优良天数比例", "PM2.5 均值 (µg/m³)", "PM10 均值 (µg/m³)"]
    headers += ["AQI 同比", "PM2.5 同比"]
    return _page(title, summary, chart, html_table(headers, rows))


PERIODS = {"day": "昼间", "night": "夜间"}


def _graded_row(label: str, count: object, graded: dict[str, Any], night: dict[str, Any]) -> list[object]:
    return [label, count, graded["mean"], graded["grade_name"], night["mean"], night["grade_name"]]


def noise_html(title: str, summary: str, figures: dict[str, Any]) -> str:
    """声环境质量年报: the regional and traffic means with their grades, functional-zone compliance by class."""
    zones = figures["functional_zones"]
    labels = [f"{z['zone_class']}类{PERIODS[z['period']]}" for z in zones]
    chart = bar_chart_svg(labels, [(z["rate"] or 0) * 100 for z in zones], ylabel="达标率 %")
    regional, traffic = figures["regional"], figures["traffic"]
    means = html_table(
        ["类型", "点位/路段数", "昼间 dB(A)", "昼间等级", "夜间 dB(A)", "夜间等级"],
        [
            _graded_row("区域声环境（网格均值）", regional["points"], regional["day"], regional["night"]),
            _graded_row(
                f"道路交通（{traffic['length_km']} km）", traffic["sections"], traffic["day"], traffic["night"]
            ),
        ],
    )
    compliance = html_table(
        ["功能区类别", "时段", "限值 dB(A)", "监测点次", "达标点次", "达标率"],
        [
            [
                f"{z['zone_class']}类",
                PERIODS[z["period"]],
                z["limit"],
                z["measured"],
                z["compliant"],
                _percent(z["rate"]),
            ]
            for z in zones
        ],
    )
    standards = f"<p>评价依据：{escape(figures['standard'])}、{escape(figures['zone_standard'])}。</p>"
    return _page(title, summary, chart, f"<h2>区域与道路交通</h2>{means}<h2>功能区达标情况</h2>{compliance}{standards}")
