"""The portal's bulletin page (/portal/bulletins/{id}) with a bulletin as monitoring renders it: the title and
summary shown once, and none of the bulletin's styles reaching the portal's own page."""

from __future__ import annotations

import random
import re

import pytest

from services.disclosure.handlers import local_today
from services.monitoring.render import air_html
from shared.contracts.events import BulletinPublishedV1
from tests.stack import Stack, eventually
from tests.support.disclosure import emit_from_cases
from tests.support.render import AIR, selectors

pytestmark = pytest.mark.integration


async def test_the_bulletin_page_shows_the_title_once_and_keeps_the_portal_layout(local: Stack) -> None:
    today = local_today("Asia/Shanghai")
    title = "2021-06-07至2021-06-13空气质量周报"
    summary = "2021-06-07至2021-06-13，2个镇街参与排名，空气质量最好的是中北镇。"
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
