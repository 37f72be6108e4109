"""Bulletin HTML: Chinese text, an SVG chart whose labels stay text, escaping, and a stable rendering."""

from __future__ import annotations

import pytest

from services.monitoring.render import air_html, water_html

pytestmark = pytest.mark.unit

AIR = [
    {"rank": 1, "town": "中北镇", "aqi": 45, "category": "优", "primary_pollutant": None, "good_days_share": 1.0,
     "pm25_mean": 20.0},
    {"rank": 2, "town": "<b>杨柳青镇</b>", "aqi": 107, "category": "轻度污染", "primary_pollutant": "pm25",
     "good_days_share": 0.5, "pm25_mean": 80.0},
]  # fmt: skip


def test_air_bulletin_html() -> None:
    html = air_html("2021年6月空气质量月报", "摘要", AIR)
    assert html.startswith('<!DOCTYPE html><html lang="zh-CN">')
    assert "<svg" in html
    assert ">中北镇</text>" in html.replace("\n", "")  # the label is SVG text: the reader's CJK font draws it
    assert "<b>杨柳青镇</b>" not in html.split("<svg")[0] + html.split("</svg>")[1]
    assert "&lt;b&gt;杨柳青镇&lt;/b&gt;" in html
    assert "<td>PM2.5</td>" in html
    assert html == air_html("2021年6月空气质量月报", "摘要", AIR)


def test_water_bulletin_html() -> None:
    towns = [{"rank": 1, "town": "甲镇", "sections": 2, "share_meeting_target": 0.5, "change_from_last_month": None,
              "distribution": {"I": 0, "II": 1, "III": 0, "IV": 1, "V": 0, "劣V": 0}}]  # fmt: skip
    html = water_html("水质月报", "摘要", towns, ["I", "II", "III", "IV", "V", "劣V"])
    assert "<th>劣V类</th>" in html
    assert "<td>50.0%</td>" in html
    assert "<svg" in html
