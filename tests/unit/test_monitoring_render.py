"""Bulletin HTML: Chinese text, an SVG chart whose labels stay text, escaping, a stable rendering, styles scoped to
the bulletin, and the part the disclosure portal embeds (the chart and table, without the title and summary)."""

from __future__ import annotations

import re

import pytest

from services.disclosure.portal.bulletin import bulletin_body
from services.monitoring.handlers.bulletin_html import air_html, water_html
from tests.support.render import AIR, selectors

pytestmark = pytest.mark.unit

TITLE = "2021年6月空气质量月报"
SUMMARY = "6个镇街参与排名，空气质量最好的是中北镇。"


def test_air_bulletin_html() -> None:
    html = air_html(TITLE, "摘要", AIR)
    assert html.startswith('<!DOCTYPE html><html lang="zh-CN">')
    assert "<svg" in html
    assert ">中北镇</text>" in html.replace("\n", "")  # the label is SVG text: the reader's CJK font draws it
    assert "<b>杨柳青镇</b>" not in html.split("<svg")[0] + html.split("</svg>")[1]
    assert "&lt;b&gt;杨柳青镇&lt;/b&gt;" in html
    assert "<td>PM2.5</td>" in html
    assert html == air_html(TITLE, "摘要", AIR)


def test_water_bulletin_html() -> None:
    towns = [{"rank": 1, "town": "甲镇", "sections": 2, "share_meeting_target": 0.5, "change_from_last_month": None,
              "distribution": {"I": 0, "II": 1, "III": 0, "IV": 1, "V": 0, "劣V": 0}}]  # fmt: skip
    html = water_html("水质月报", "摘要", towns, ["I", "II", "III", "IV", "V", "劣V"])
    assert "<th>劣V类</th>" in html
    assert "<td>50.0%</td>" in html
    assert "<svg" in html


def test_the_standalone_document_styles_only_the_bulletin() -> None:
    html = air_html(TITLE, SUMMARY, AIR)
    found = selectors(html)
    assert ".greenlaw-bulletin" in found  # the standalone page is still laid out (width, font, table borders)
    assert "svg.greenlaw-chart *" in found  # matplotlib's `*` rule, kept to the chart
    unscoped = [s for s in found if not s.startswith((".greenlaw-bulletin", "svg.greenlaw-chart"))]
    assert unscoped == []
    assert html.count(f"<h1>{TITLE}</h1>") == 1
    assert re.search(r'<body><article class="greenlaw-bulletin"><h1>.*</article></body></html>$', html, re.S)


def test_the_portal_embeds_the_chart_and_table_without_title_summary_or_page_styles() -> None:
    embedded = bulletin_body(air_html(TITLE, SUMMARY, AIR))
    assert embedded.startswith('<div class="greenlaw-bulletin-body"><figure><svg')
    assert embedded.endswith("</table></div>")
    assert TITLE not in embedded
    assert SUMMARY not in embedded
    assert "<h1" not in embedded
    assert "<html" not in embedded
    assert "<body" not in embedded
    assert selectors(embedded) == ["svg.greenlaw-chart *"]
    assert ">中北镇</text>" in embedded.replace("\n", "")
    assert "<td>PM2.5</td>" in embedded


def test_the_portal_embeds_bulletins_published_before_the_body_had_its_own_element() -> None:
    """The document as it was first published: body-wide style in <head>, chart and table right in <body>."""
    legacy = (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>旧简报</title>'
        "<style>body{max-width:60em;margin:2em auto}table{border-collapse:collapse}</style></head>"
        '<body><h1>旧简报</h1><p>旧摘要。</p><figure><svg><style type="text/css">*{stroke-linejoin: round}</style>'
        "<text>中北镇</text></svg></figure><table><tr><td>1</td></tr></table></body></html>"
    )
    embedded = bulletin_body(legacy)
    assert embedded == (
        '<div class="greenlaw-bulletin-body"><figure><svg><style type="text/css">*{stroke-linejoin: round}</style>'
        "<text>中北镇</text></svg></figure><table><tr><td>1</td></tr></table></div>"
    )
    fragment = "<style>main{margin:0}</style><h2>地表水水质</h2><p>总体良好。</p>"
    assert bulletin_body(fragment) == '<div class="greenlaw-bulletin-body"><h2>地表水水质</h2><p>总体良好。</p></div>'
