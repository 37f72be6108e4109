"""The portal's pages as the public reads them: a bulletin as monitoring renders it (the title and summary shown
once, none of its styles reaching the portal's page, headed as monitoring), a decision's fine shown once, and a
page of a list not called its total."""

from __future__ import annotations

import random
import re

import pytest

from services.disclosure.handlers.publications import local_today
from services.disclosure.portal import pages
from services.monitoring.handlers.bulletin_html import air_html
from shared.contracts.events import BulletinPublishedV1
from tests.factories import decision_body
from tests.stack import Stack, eventually
from tests.support.disclosure import emit_from_cases, issue, published
from tests.support.documents import pdf_text
from tests.support.render import AIR, selectors

pytestmark = pytest.mark.integration


async def test_the_bulletin_page_shows_the_title_once_and_keeps_the_portal_layout(local: Stack) -> None:
    today = local_today("Asia/Shanghai")
    title = "2021年6月7日至13日空气质量周报"
    summary = "2021年6月7日至13日，2个镇街参与排名，空气质量最好的是中北镇。"
    bulletin = BulletinPublishedV1(
        bulletin_id="b-" + str(random.randrange(10**9)),
        kind="air_weekly",
        period_start=today,
        period_end=today,
        title=title,
        summary=summary,
        html=air_html(title, summary, AIR),
    )
    await emit_from_cases(local, bulletin, bulletin.bulletin_id)
    async with local.client("disclosure") as public:

        async def served() -> str | None:
            answer = await public.get(f"/portal/bulletins/{bulletin.bulletin_id}")
            return answer.text if answer.status_code == 200 else None

        page = await eventually(served)
    head, main = page.split("</head>")[0], re.findall(r"<main\b.*?</main>", page, re.S)
    assert len(main) == 1
    assert main[0].count(title) == 1
    assert main[0].count(summary) == 1
    assert re.findall(r"<h1>(.*?)</h1>", page) == [title]
    assert page.count("<html") == page.count("<head>") == page.count("<body>") == 1  # one document, not two
    assert head.count("<style") == 1  # the portal's own
    assert selectors(main[0]) == ["svg.greenlaw-chart *"]  # the chart's rule, kept to the chart
    assert ">中北镇</text>" in main[0].replace("\n", "")
    assert "<td>PM2.5</td>" in main[0]


async def test_bulletin_pages_are_headed_as_monitoring_not_enforcement(local: Stack) -> None:
    today = local_today("Asia/Shanghai")
    bulletin = BulletinPublishedV1(
        bulletin_id="b-" + str(random.randrange(10**9)),
        kind="water_monthly",
        period_start=today,
        period_end=today,
        title="2021年12月地表水水质月报",
        summary="96个断面参与评价。",
        html="<p>96个断面参与评价。</p>",
    )
    await emit_from_cases(local, bulletin, bulletin.bulletin_id)
    async with local.client("disclosure") as public:

        async def served() -> str | None:
            answer = await public.get(f"/portal/bulletins/{bulletin.bulletin_id}")
            return answer.text if answer.status_code == 200 else None

        page = await eventually(served)
        listing = (await public.get("/portal/bulletins")).text
        water = (await public.get("/portal/bulletins", params={"kind": "water_monthly"})).text
        daily = (await public.get("/portal/bulletins", params={"kind": "air_daily"})).text
        unknown = await public.get("/portal/bulletins", params={"kind": "air_hourly"})
    assert bulletin.title in water
    assert bulletin.title not in daily
    assert "<h1>空气质量日报</h1>" in daily
    assert unknown.status_code == 422
    for html in (page, listing):
        header = re.findall(r"<header>.*?</header>", html, re.S)[0]
        assert "环境监测信息公开" in header
        assert "行政执法公示" not in header.split("<nav")[0]


async def test_decision_pages_show_the_fine_once_and_a_page_is_not_called_the_total(
    local: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = "portaltext" + str(random.randrange(10**9))
    bodies = [decision_body(fine_fen=51_200_000) for _ in range(2)]
    for body in bodies:
        body["facts"] = f"{marker}：超标排放水污染物。"
        body["penalty"]["summary"] = "罚款人民币伍拾壹万贰仟元"
        decision = await issue(local, body)
        await published(local, decision["id"])
    async with local.client("disclosure") as public:
        everything = (await public.get("/portal/", params={"q": marker})).text
        assert "共 2 条" in everything
        monkeypatch.setattr(pages, "PAGE_SIZE", 1)
        first = (await public.get("/portal/", params={"q": marker})).text
        assert "本页 1 条，更多见下一页" in first
        assert "共 " not in first
        following = re.findall(r'href="([^"]+)" rel="next"', first)[0].replace("&amp;", "&")
        last = (await public.get(following)).text
        assert "本页 1 条" in last
        assert "共 " not in last
        link = re.findall(r'href="(/portal/decisions/[^"]+)"', everything)[0]
        page = (await public.get(link)).text
        document = re.findall(r'href="(/public/v1/decisions/[^"]+\.pdf)"', page)[0]
        pdf = pdf_text((await public.get(document)).content)
    main = re.findall(r"<main\b.*?</main>", page, re.S)[0]
    # the fine is stated once, the summary that says it again in words left out (the public PDF the same)
    assert main.count("512,000") == 1
    assert "<dt>处罚结果</dt><dd>罚款人民币512,000.00元</dd>" in main
    assert "伍拾壹万贰仟" not in main
    assert pdf.count("512,000") == 1
    assert "伍拾壹万贰仟" not in pdf
