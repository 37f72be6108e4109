"""The public portal in a real headless browser (Debian chromium driven by Playwright): search, open a decision,
see a withdrawal notice, print without the navigation; follow a random inspection draw from its commitment to its
results. No JavaScript is needed or present.

The screenshots of docs/images (the decision list, a decision, an air-quality bulletin with its chart, the annual
noise bulletin, the daily, weekly and monthly town air bulletins and a water bulletin, a random inspection draw, the
enterprises' index, an enterprise's self-monitoring page with its effluent charts) come from this file, on fixed
data:
``GREENLAW_SCREENSHOTS=docs/images pytest tests/e2e/test_disclosure_portal_browser.py`` (with a CJK font
installed, e.g. Debian's fonts-noto-cjk). Without the variable they go to a temporary directory.
"""

from __future__ import annotations

import json
import os
import random
import struct
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from services.disclosure.handlers.publications import local_today
from services.gateway.app import create_gateway_app
from services.gateway.settings import GatewaySettings
from tests.factories import credit_code, decision_body
from tests.infra import IN_CI
from tests.stack import Stack, StackConfig, eventually, serve
from tests.support.cases import make_team
from tests.support.disclosure import issue, published, revoke_through_cases_outbox

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=zh-CN",  # the browser's own widgets (date fields) in Chinese, as the portal's readers see them
]


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason}: CI installs it (.ci/run)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
async def chromium() -> AsyncIterator[Any]:
    """One Playwright driver and one Chromium for the module (each a process, seconds of CPU to start); every test
    works in contexts of its own (``browser``), which share no cookies, storage or cache."""
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    if not CHROMIUM.exists():  # noqa: ASYNC240 - a one-off check before the browser starts
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


class Contexts:
    """The shared browser as a test sees it: ``new_context`` as Playwright's, each context closed after the test."""

    def __init__(self, launched: Any) -> None:
        self._launched = launched
        self.opened: list[Any] = []

    async def new_context(self, **options: Any) -> Any:
        context = await self._launched.new_context(**options)
        self.opened.append(context)
        return context


@pytest.fixture
async def browser(chromium: Any) -> AsyncIterator[Contexts]:
    contexts = Contexts(chromium)
    try:
        yield contexts
    finally:
        for context in contexts.opened:
            await context.close()


@pytest.fixture
async def portal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[Stack, str]]:
    monkeypatch.setenv("GREENLAW_DISCLOSURE_PUBLISH_MODES", json.dumps({"penalty": "auto"}))
    async with (
        Stack(StackConfig(database="sqlite", transport="inprocess", data_dir=tmp_path)) as stack,
        serve(stack.apps["disclosure"]) as url,
    ):
        yield stack, url


async def test_search_open_and_withdrawal_notice_in_a_browser(browser: Any, portal: tuple[Stack, str]) -> None:
    stack, url = portal
    today = local_today("Asia/Shanghai").isoformat()
    kept_body, revoked_body = decision_body(decided_on=today), decision_body(decided_on=today)
    kept = await issue(stack, kept_body)
    revoked = await issue(stack, revoked_body)
    await published(stack, kept["id"])
    revoked_publication = await published(stack, revoked["id"])
    await revoke_through_cases_outbox(stack, revoked, "该决定经复议被撤销")
    await _eventually_withdrawn(stack, revoked_publication["id"])

    page = await (await browser.new_context(java_script_enabled=False, locale="zh-CN")).new_page()
    await page.goto(f"{url}/portal/")
    assert await page.title() == "执法决定公示 - 天津市西青区生态环境局"
    await page.get_by_label("当事人或违法事实").fill(kept_body["party"]["name"])
    async with page.expect_navigation():
        await page.get_by_role("button", name="查询").click()
    rows = page.locator("tbody tr")
    assert await rows.count() == 1
    async with page.expect_navigation():
        await page.get_by_role("link", name=kept["document_number"]).click()
    assert await page.locator("h1").inner_text() == f"行政处罚决定书 {kept['document_number']}"
    assert kept_body["facts"] in await page.locator("main").inner_text()
    assert await page.locator("script").count() == 0

    await page.goto(f"{url}/portal/withdrawn")
    async with page.expect_navigation():
        await page.get_by_role("link", name=revoked["document_number"]).click()
    notice = page.get_by_role("region", name="撤回公告")
    assert "该决定经复议被撤销" in await notice.inner_text()
    assert revoked_body["party"]["name"] not in await page.content()

    await page.emulate_media(media="print")
    assert not await page.get_by_role("navigation", name="主导航").is_visible()
    assert await page.locator("h1").is_visible()


async def _eventually_withdrawn(stack: Stack, publication_id: str) -> None:
    from tests.stack import eventually

    async with stack.client("disclosure") as public:

        async def withdrawn() -> bool:
            item = (await public.get(f"/public/v1/decisions/{publication_id}")).json()
            return bool(item["status"] == "withdrawn")

        await eventually(withdrawn)


# --- screenshots for the documentation ---------------------------------------------------------------------------

VIEWPORT = {"width": 1200, "height": 860}
# Fixed parties and facts (the decision dates follow today, so that they stay inside the publicity period).
DECISIONS = [
    (
        "天津市西青区某化工有限公司",
        "超标排放水污染物，化学需氧量超过排放标准2.1倍。",
        "《中华人民共和国水污染防治法》第八十三条第二项",
        10_000_000,
    ),
    (
        "天津某金属制品有限公司",
        "未按规定运行大气污染防治设施，颗粒物无组织排放。",
        "《中华人民共和国大气污染防治法》第一百零八条第五项",
        5_000_000,
    ),
    (
        "天津某汽车维修服务有限公司",
        "喷漆作业未在密闭空间内进行，未采取挥发性有机物污染防治措施。",
        "《中华人民共和国大气污染防治法》第一百零八条第一项",
        3_000_000,
    ),
    (
        "天津某食品有限公司",
        "危险废物未按规定贮存，露天堆放废机油桶。",
        "《中华人民共和国固体废物污染环境防治法》第一百一十二条第一款第六项",
        15_000_000,
    ),
]
# Towns and their PM2.5 level in the bulletin's week: the chart ranks the towns by AQI. A week rather than a month
# keeps the test short (building a bulletin reads every hour of every station of the period).
TOWNS = {"中北镇": 28.0, "杨柳青镇": 46.0, "西营门街道": 62.0, "大寺镇": 81.0}
WEEK = [date(2026, 10, 5) + timedelta(days=n) for n in range(7)]  # Monday to Sunday
AIR = {"so2": 8.0, "no2": 30.0, "co": 0.6, "o3": 80.0, "pm10": 70.0}


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (and a check that it is a PNG at all)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def screenshot_dir(tmp_path: Path) -> Path:
    target = os.environ.get("GREENLAW_SCREENSHOTS")
    directory = Path(target) if target else tmp_path / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def week_of_air(station: str, pm25: float) -> list[dict[str, Any]]:
    rows = []
    for day in WEEK:
        for hour in range(24):
            moment = datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=8)
            wiggle = (hour % 3) - 1 + (day.day % 5) - 2
            for parameter, base in {**AIR, "pm25": pm25}.items():
                value = base + wiggle * (0.1 if parameter == "co" else 1)
                rows.append({"station": station, "parameter": parameter, "time": moment.isoformat(), "value": value})
    return rows


async def publish_air_bulletin(stack: Stack) -> str:
    async with stack.client("monitoring", "monitoring_reviewer", "head") as http:
        for number, (town, pm25) in enumerate(TOWNS.items(), start=1):
            code = f"DOC{number:03d}"
            body = {"code": code, "kind": "air_station", "name": f"{town}站", "town": town, "level": "district"}
            assert (await http.post("/api/v1/monitoring/stations", json=body)).status_code == 201
            answer = await http.post("/api/v1/monitoring/readings:batch", json=week_of_air(code, pm25))
            assert answer.status_code == 200, answer.text
            assert answer.json()["rejected"] == []
        built = await http.post(
            "/api/v1/monitoring/bulletins", json={"kind": "air_weekly", "period_start": WEEK[0].isoformat()}
        )
        assert built.status_code == 201, built.text
        ranked = [town["town"] for town in built.json()["content"]["towns"]]
        assert ranked == list(TOWNS), "cleanest town first"
        published = await http.post(
            f"/api/v1/monitoring/bulletins/{built.json()['id']}:publish", headers={"If-Match": built.headers["etag"]}
        )
        assert published.status_code == 200, published.text
    bulletin_id = str(built.json()["id"])
    async with stack.client("disclosure") as public:

        async def received() -> bool:
            return (await public.get(f"/public/v1/bulletins/{bulletin_id}")).status_code == 200

        await eventually(received)
    return bulletin_id


async def test_screenshots_of_the_portal_and_a_bulletin(
    browser: Any, portal: tuple[Stack, str], tmp_path: Path
) -> None:
    stack, url = portal
    today = local_today("Asia/Shanghai")
    rng = random.Random(2026)
    issued = []
    for offset, (party, facts, basis, fine_fen) in enumerate(DECISIONS):
        body = decision_body(decided_on=(today - timedelta(days=3 * offset)).isoformat(), fine_fen=fine_fen)
        body["party"].update(name=party, credit_code=credit_code(rng))
        body.update(facts=facts, legal_basis=basis)
        body["penalty"]["summary"] = f"罚款人民币{fine_fen // 1_000_000}万元"
        issued.append(await issue(stack, body))
    for decision in issued:
        await published(stack, decision["id"])
    bulletin_id = await publish_air_bulletin(stack)
    directory = screenshot_dir(tmp_path)

    context = await browser.new_context(
        java_script_enabled=False, locale="zh-CN", viewport=VIEWPORT, device_scale_factor=1
    )
    page = await context.new_page()
    await page.goto(f"{url}/portal/")
    rows = page.locator("tbody tr")
    assert await rows.count() == len(DECISIONS)
    assert [name for name, *_ in DECISIONS] == [
        (await rows.nth(i).locator("td").nth(2).inner_text()) for i in range(len(DECISIONS))
    ], "newest decision first"
    shot = await page.screenshot(path=str(directory / "portal-decisions.png"))
    assert png_size(shot) == (VIEWPORT["width"], VIEWPORT["height"])

    async with page.expect_navigation():
        await page.get_by_role("link", name=issued[0]["document_number"]).click()
    assert await page.locator("h1").inner_text() == f"行政处罚决定书 {issued[0]['document_number']}"
    assert DECISIONS[0][1] in await page.locator("main").inner_text()
    shot = await page.screenshot(path=str(directory / "portal-decision.png"), full_page=True)
    width, height = png_size(shot)
    assert width == VIEWPORT["width"]
    assert height >= VIEWPORT["height"] // 2

    await page.goto(f"{url}/portal/bulletins/{bulletin_id}")
    assert "空气质量周报" in await page.locator("h1").first.inner_text()
    chart = page.locator("article svg")
    assert await chart.count() == 1
    labels = await chart.text_content() or ""
    for town in TOWNS:
        assert town in labels, f"{town} is not a label of the chart"
    box = await chart.bounding_box()
    assert box is not None
    assert box["width"] > 200
    assert box["height"] > 100
    shot = await page.screenshot(path=str(directory / "portal-bulletin.png"), full_page=True)
    assert png_size(shot)[0] == VIEWPORT["width"]
    assert await page.locator("script").count() == 0
    await context.close()


# The noise year of the screenshot: grid points (day, night), road sections (length m, day, night) and
# functional-zone points (class, day, night), each measured with steady levels so the figures are round.
NOISE_YEAR = 2025
GRID = [(52.0, 43.0), (55.0, 45.0), (57.0, 47.0)]
ROADS = [(2400, 67.0, 58.0), (1600, 70.0, 61.0)]
ZONES = [("1", 53.0, 46.0), ("2", 56.0, 47.0), ("3", 61.0, 52.0), ("4a", 66.0, 54.0)]


def _steady(code: str, hour: int, level: float) -> dict[str, Any]:
    return {"station": code, "started_at": f"{NOISE_YEAR}-05-13T{hour:02d}:00:00+08:00", "samples": [level] * 100,
            "sample_interval_seconds": 5}  # fmt: skip


async def publish_noise_bulletin(stack: Stack) -> str:
    async with stack.client("monitoring", "monitoring_reviewer", "head") as http:
        rows: list[dict[str, Any]] = []
        points: list[dict[str, Any]] = []
        for n, (day, night) in enumerate(GRID, start=1):
            points.append({"code": f"NR{n:02d}", "noise_kind": "regional", "name": f"区域噪声网格{n:02d}号"})
            rows += [_steady(f"NR{n:02d}", 10, day), _steady(f"NR{n:02d}", 23, night)]
        for n, (length, day, night) in enumerate(ROADS, start=1):
            points.append({"code": f"NT{n:02d}", "noise_kind": "road_traffic", "name": f"道路{n}号路段",
                           "road_length_m": length})  # fmt: skip
            rows += [_steady(f"NT{n:02d}", 11, day), _steady(f"NT{n:02d}", 23, night)]
        for n, (zone_class, day, night) in enumerate(ZONES, start=1):
            points.append({"code": f"NF{n:02d}", "noise_kind": "functional_zone", "name": f"{zone_class}类区监测点",
                           "noise_zone_class": zone_class})  # fmt: skip
            hourly = [day if 6 <= h < 22 else night for h in range(24)]
            rows.append(
                {"station": f"NF{n:02d}", "started_at": f"{NOISE_YEAR}-08-12T00:00:00+08:00", "hourly_leq": hourly}
            )
        for point in points:
            body = {"kind": "noise_point", "town": "杨柳青镇", "level": "district", **point}
            assert (await http.post("/api/v1/monitoring/stations", json=body)).status_code == 201
        stored = await http.post("/api/v1/monitoring/noise/measurements:batch", json=rows)
        assert stored.status_code == 200, stored.text
        built = await http.post(
            "/api/v1/monitoring/bulletins", json={"kind": "noise_annual", "period_start": f"{NOISE_YEAR}-01-01"}
        )
        assert built.status_code == 201, built.text
        published = await http.post(
            f"/api/v1/monitoring/bulletins/{built.json()['id']}:publish", headers={"If-Match": built.headers["etag"]}
        )
        assert published.status_code == 200, published.text
    bulletin_id = str(built.json()["id"])
    async with stack.client("disclosure") as public:

        async def received() -> bool:
            return (await public.get(f"/public/v1/bulletins/{bulletin_id}")).status_code == 200

        await eventually(received)
    return bulletin_id


async def test_the_annual_noise_bulletin_in_a_browser(browser: Any, portal: tuple[Stack, str], tmp_path: Path) -> None:
    stack, url = portal
    await publish_noise_bulletin(stack)
    context = await browser.new_context(
        java_script_enabled=False, locale="zh-CN", viewport=VIEWPORT, device_scale_factor=1
    )
    page = await context.new_page()
    await page.goto(f"{url}/portal/bulletins?kind=noise_annual")
    title = f"{NOISE_YEAR}年声环境质量年报"
    async with page.expect_navigation():
        await page.get_by_role("link", name=title).click()
    assert await page.locator("h1").first.inner_text() == title
    text = await page.locator("main").inner_text()
    # Grid mean (52 + 55 + 57) / 3 = 54.7 (二级); traffic (2400 × 67 + 1600 × 70) / 4000 = 68.2 (二级)
    assert "区域声环境昼间平均等效声级54.7 dB(A)，二级 较好" in text
    assert "道路交通昼间平均等效声级68.2 dB(A)，二级 较好" in text
    # Functional zones: every day within its limit; nights: class 1 (46 > 45) over, 2, 3, 4a within → 75.0 %
    assert "功能区昼间达标率100.0%，夜间达标率75.0%" in text
    tables = page.locator("article table")
    assert await tables.count() == 2
    assert await tables.nth(1).locator("tbody tr").count() == len(ZONES) * 2
    chart = page.locator("article svg")
    assert await chart.count() == 1
    assert "4a类夜间" in (await chart.text_content() or "")
    assert await page.locator("script").count() == 0
    shot = await page.screenshot(path=str(screenshot_dir(tmp_path) / "portal-noise-bulletin.png"), full_page=True)
    assert png_size(shot)[0] == VIEWPORT["width"]
    await context.close()


# --- random inspections (双随机、一公开) ---------------------------------------------------------------------------

REGISTRY = {
    "天津市华泰电镀有限公司": "organisation",
    "天津市鑫源化工有限公司": "organisation",
    "天津市宏达金属制品有限公司": "organisation",
    "天津市瑞丰涂料有限公司": "organisation",
    "天津市恒信印刷有限公司": "organisation",
    "王建国汽车修理部": "sole_trader",
}


async def _draw_in_cases(stack: Stack) -> tuple[dict[str, Any], Any]:
    """A key-polluter registry, a committed draw for 2021 Q3; returns it and a function executing it."""
    rng = random.Random(58)
    lines = ["credit_code,category,name,party_type,town,industry"]
    lines += [f"{credit_code(rng)},key_polluter,{name},{kind},杨柳青镇,电镀" for name, kind in REGISTRY.items()]
    cases = "/api/v1/cases"
    async with stack.client("cases", "head") as head:
        await make_team(head)
        imported = await head.post(
            f"{cases}/supervised-entities:import", content="\r\n".join(lines), headers={"Content-Type": "text/csv"}
        )
        assert imported.status_code == 200, imported.text
        body = {"category": "key_polluter", "period": "quarter", "year": 2021, "period_number": 3, "count": 4}
        committed = await head.post(f"{cases}/inspection-draws", json=body)
        assert committed.status_code == 201, committed.text

    async def execute_and_inspect_first() -> None:
        async with stack.client("cases", "head") as head:
            url = f"{cases}/inspection-draws/{committed.json()['id']}"
            etag = (await head.get(url)).headers["etag"]
            done = await head.post(f"{url}/execution", json={"public_entropy": "福彩3D 2021185期 472"},
                                   headers={"If-Match": etag})  # fmt: skip
            assert done.status_code == 200, done.text
            first = done.json()["result"][0]
            visit = {"inspected_at": "2021-08-02T10:00:00+08:00", "place": "厂区", "findings": "未发现问题",
                     "planned_inspection_id": first["planned_inspection_id"],
                     "officer_ids": first["officer_ids"]}  # fmt: skip
            assert (await head.post(f"{cases}/inspections", json=visit)).status_code == 201

    return dict(committed.json()), execute_and_inspect_first


async def test_a_draw_its_commitment_result_and_inspections_in_a_browser(
    browser: Any, portal: tuple[Stack, str], tmp_path: Path
) -> None:
    stack, url = portal
    draw, execute = await _draw_in_cases(stack)
    async with stack.client("disclosure") as public:

        async def shown(status: str) -> bool:
            answer = await public.get(f"/public/v1/inspection-draws/{draw['id']}")
            return answer.status_code == 200 and answer.json()["status"] == status

        await eventually(lambda: shown("committed"))
        context = await browser.new_context(
            java_script_enabled=False, locale="zh-CN", viewport=VIEWPORT, device_scale_factor=1
        )
        page = await context.new_page()
        await page.goto(f"{url}/portal/")
        async with page.expect_navigation():
            await page.get_by_role("navigation", name="主导航").get_by_role("link", name="双随机抽查").click()
        assert await page.locator("h1").inner_text() == "2021年双随机抽查"
        plan = page.get_by_role("table", name="2021年抽查计划（按期间和类别）")
        assert "2021年第3季度" in await plan.inner_text()
        async with page.expect_navigation():
            await page.get_by_role("link", name="2021年第3季度重点排污单位抽查").click()
        assert draw["commitment"] in await page.locator("main").inner_text()
        assert "尚未抽取" in await page.locator("main").inner_text()

        await execute()

        async def inspected() -> bool:
            answer = (await public.get(f"/public/v1/inspection-draws/{draw['id']}")).json()
            return bool(answer["results"]) and answer["results"][0]["outcome"] == "no_violation"

        await eventually(inspected)
        await page.reload()
        results = page.get_by_role("table", name="抽查对象及结果")
        rows = results.locator("tbody tr")
        assert await rows.count() == 4
        assert "未发现问题" in await rows.nth(0).inner_text()
        assert "待检查" in await rows.nth(1).inner_text()
        text = await page.locator("main").inner_text()
        assert "王建国汽车修理部" not in text  # a sole trader's name is a person's: 王某（个体工商户）
        assert "王某（个体工商户）" in text
        assert await page.locator("script").count() == 0
        shot = await page.screenshot(path=str(screenshot_dir(tmp_path) / "portal-inspection-draw.png"))
        assert png_size(shot) == (VIEWPORT["width"], VIEWPORT["height"])
        await context.close()


# --- before-enforcement publication (事前公开) ----------------------------------------------------------------------

REMEDIES = [
    {"channel": "reconsideration", "body": "天津市西青区人民政府", "time_limit": "自知道该行政行为之日起六十日内"},
    {"channel": "litigation", "body": "有管辖权的人民法院", "time_limit": "自知道作出行政行为之日起六个月内"},
]


async def publish_remedies(stack: Stack) -> None:
    """Two versions: the reconsideration channel alone, then both."""
    path = "/api/v1/disclosure/enforcement-lists/remedies"
    async with stack.client("disclosure", "disclosure_editor") as editor:
        for items, note in ((REMEDIES[:1], "首次发布"), (REMEDIES, "增加行政诉讼渠道")):
            read = await editor.get(path)
            answer = await editor.put(
                path, json={"items": items, "note": note}, headers={"If-Match": read.headers["ETag"]}
            )
            assert answer.status_code == 200, answer.text


async def test_the_before_enforcement_pages_in_a_browser(browser: Any, portal: tuple[Stack, str]) -> None:
    stack, url = portal
    async with stack.client("cases", "head") as head:
        team = await make_team(head)
        renewed = f"/api/v1/cases/officers/{team.investigators[0]}"
        period = {"credential_valid_from": "2024-03-15", "credential_valid_until": "2029-03-14"}
        etag = (await head.get(renewed)).headers["ETag"]
        assert (await head.patch(renewed, json=period, headers={"If-Match": etag})).status_code == 200
        officers = (await head.get("/api/v1/cases/officers", params={"team_id": team.id})).json()
    await publish_remedies(stack)
    year = local_today("Asia/Shanghai").year - 1
    await issue(stack, decision_body(decided_on=f"{year}-02-03"))
    async with stack.client("disclosure", "disclosure_editor") as editor:
        released = await editor.post(f"/api/v1/disclosure/enforcement-statistics/{year}/Q1")
        assert released.status_code == 200, released.text
    async with stack.client("disclosure") as public:

        async def listed() -> bool:
            items = [o for o in (await public.get("/public/v1/officers")).json()["items"] if o["team"] == team.name]
            return len(items) == len(officers) and "2029-03-14" in {o["credential_valid_until"] for o in items}

        await eventually(listed)

    page = await (await browser.new_context(java_script_enabled=False, locale="zh-CN")).new_page()
    await page.goto(f"{url}/portal/")
    async with page.expect_navigation():
        await page.get_by_role("navigation", name="主导航").get_by_role("link", name="事前公开").click()
    assert await page.locator("h1").inner_text() == "行政执法事前公开"
    async with page.expect_navigation():
        await page.get_by_role("link", name="执法人员名单").click()
    table = page.get_by_role("table").first
    text = await table.inner_text()
    for officer in officers:
        assert officer["name"] in text
        assert officer["credential_number"] in text
    assert "2024-03-15 至 2029-03-14" in text  # 执法证有效期, from–to
    yesterday = (local_today("Asia/Shanghai") - timedelta(days=1)).isoformat()
    await page.get_by_label("名单日期").fill(yesterday)
    async with page.expect_navigation():
        await page.get_by_role("button", name="查询").click()
    assert "该日无在册执法人员" in await page.locator("main").inner_text()

    await page.goto(f"{url}/portal/before-enforcement")
    async with page.expect_navigation():
        await page.get_by_role("link", name="行政复议和行政诉讼救济渠道").click()
    assert "有管辖权的人民法院" in await page.get_by_role("table").inner_text()
    async with page.expect_navigation():
        await page.get_by_role("link", name="第 1 版").click()
    assert "这是历史版本" in await page.locator("main").inner_text()
    assert "有管辖权的人民法院" not in await page.locator("main").inner_text()

    await page.goto(f"{url}/portal/before-enforcement")
    async with page.expect_navigation():
        await page.get_by_role("link", name="行政执法统计（季报、年报）").click()
    async with page.expect_navigation():
        await page.get_by_role("link", name=f"{year}年第一季度行政执法统计").click()
    figures = await page.get_by_role("table", name="作出的决定（件）").inner_text()
    assert "行政处罚决定\t1" in figures
    assert await page.locator("script").count() == 0


async def publish_rule_of_law_report(stack: Stack, year: int) -> str:
    """A training and a study session recorded by the legal office; the report drafted, approved, published."""
    activities = (
        {"kind": "training", "occurred_on": f"{year}-05-12", "town": "杨柳青镇", "enterprises": 80},
        {"kind": "study_session", "topic": "constitution", "subject": "学习宪法", "occurred_on": f"{year}-12-03"},
    )
    reports = f"/api/v1/disclosure/rule-of-law-reports/{year}"
    async with stack.client("disclosure", "legal_reviewer") as legal, stack.client("disclosure", "head") as head:
        for body in activities:
            assert (await legal.post("/api/v1/disclosure/law-activities", json=body)).status_code == 201
        draft = await legal.post(reports)
        assert draft.status_code == 201, draft.text
        approved = await head.post(f"{reports}/approval", headers={"If-Match": draft.headers["etag"]})
        body = {"published_on": f"{year + 1}-03-20"}
        answer = await head.post(f"{reports}/publication", json=body, headers={"If-Match": approved.headers["etag"]})
        assert answer.status_code == 200, answer.text
        return str(answer.json()["title"])


async def test_the_rule_of_law_report_page_in_a_browser(browser: Any, portal: tuple[Stack, str]) -> None:
    stack, url = portal
    year = local_today("Asia/Shanghai").year - 2
    title = await publish_rule_of_law_report(stack, year)

    page = await (await browser.new_context(java_script_enabled=False, locale="zh-CN")).new_page()
    await page.goto(f"{url}/portal/")
    async with page.expect_navigation():
        await page.get_by_role("navigation", name="主导航").get_by_role("link", name="法治政府建设年度报告").click()
    assert await page.locator("h1").inner_text() == "法治政府建设年度报告"
    async with page.expect_navigation():
        await page.get_by_role("link", name=title).click()
    assert await page.title() == title
    assert await page.locator("h1").inner_text() == title
    study = page.get_by_role("region", name="二、领导干部学法用法")
    assert "学习宪法1次" in await study.inner_text()
    assert "开展普法培训1次，覆盖企业80家" in await page.get_by_role("region", name="四、普法宣传教育").inner_text()
    assert await page.get_by_role("heading", level=2).count() == 8  # seven sections and the figures
    download = page.get_by_role("link", name="下载PDF版本")
    assert await download.get_attribute("href") == f"/public/v1/rule-of-law-reports/{year}.pdf"
    assert await page.locator("script").count() == 0

    await page.emulate_media(media="print")
    assert not await page.get_by_role("navigation", name="主导航").is_visible()
    assert await page.locator("h1").is_visible()


# --- an enterprise's public page (自行监测信息公开), served by monitoring --------------------------------------

ENTERPRISE_YEAR = [date(2021, 1, 1) + timedelta(days=n) for n in range(365)]
ENTERPRISE_LIMITS = {"cod": (500.0, 400.0), "nh3n": (45.0, 36.0)}  # before and after the renewal on 1 July


def enterprise_year_rows(station: str) -> list[dict[str, Any]]:
    """A year of daily means of a wastewater outlet: about a third of the limit, winter higher, three missed days in
    March, and a COD exceedance on 12 September."""
    rows = []
    for day in ENTERPRISE_YEAR:
        if date(2021, 3, 10) <= day <= date(2021, 3, 12):
            continue
        season = 1 + 0.2 * (1 if day.month in (12, 1, 2) else 0) + 0.05 * ((day.day % 7) - 3)
        for parameter, (before, after) in ENTERPRISE_LIMITS.items():
            limit = after if day >= date(2021, 7, 1) else before
            value = limit * 0.35 * season
            if parameter == "cod" and day == date(2021, 9, 12):
                value = limit * 1.4
            rows.append({"station": station, "parameter": parameter, "time": f"{day.isoformat()}T00:00:00+08:00",
                         "value": round(value, 2), "unit": "mg/L", "interval": "day"})  # fmt: skip
    return rows


async def register_enterprise(stack: Stack) -> str:
    limits = [
        {"parameter": p, "limit": limit, "unit": "mg/L", "valid_from": f, "valid_to": t}
        for p, (before, after) in ENTERPRISE_LIMITS.items()
        for limit, f, t in ((before, "2020-01-01", "2021-06-30"), (after, "2021-07-01", None))
    ]
    async with stack.client("monitoring", "monitoring_reviewer") as http:
        station = {"code": "XQ-P001-DW001", "kind": "pollution_source", "name": "天津市津西化工有限公司废水总排口",
                   "town": "大寺镇", "level": "district", "parameters": list(ENTERPRISE_LIMITS)}  # fmt: skip
        assert (await http.post("/api/v1/monitoring/stations", json=station)).status_code == 201
        body = {"code": "XQ-E001", "name": "天津市津西化工有限公司", "town": "大寺镇",
                "industry": "化学原料和化学制品制造业", "credit_code": "91120111MA05K1234X",
                "permit_number": "91120111MA05K1234X001V", "key_unit": True}  # fmt: skip
        assert (await http.post("/api/v1/monitoring/enterprises", json=body)).status_code == 201
        outlet = {"code": "DW001", "name": "废水总排口", "medium": "water", "station_code": station["code"],
                  "frequency": "day", "limits": limits}  # fmt: skip
        answer = await http.post("/api/v1/monitoring/enterprises/XQ-E001/outlets", json=outlet)
        assert answer.status_code == 201, answer.text
        answer = await http.post("/api/v1/monitoring/readings:batch", json=enterprise_year_rows(station["code"]))
        assert answer.status_code == 200, answer.text
        review = {"stations": [station["code"]], "first_day": "2021-01-01", "last_day": "2021-12-31",
                  "decision": "confirm", "reason": "自行监测数据审核通过"}  # fmt: skip
        assert (await http.post("/api/v1/monitoring/reviews:range", json=review)).status_code == 200
    return "XQ-E001"


async def test_an_enterprise_page_in_a_browser(browser: Any, tmp_path: Path) -> None:
    """From the portal's navigation (disclosure's) to the enterprises' index and an enterprise's page (monitoring's),
    through the gateway, which routes ``/portal/monitoring`` to monitoring and the rest of ``/portal`` to disclosure."""
    config = StackConfig(
        database="sqlite", transport="inprocess", data_dir=tmp_path, services=("disclosure", "monitoring"),
        overrides={"monitoring": {"hj212_enabled": False, "bulletin_schedule_enabled": False}},
    )  # fmt: skip
    async with Stack(config) as stack:
        gateway = create_gateway_app(GatewaySettings(common=stack.common), asgi_apps=dict(stack.apps))
        async with serve(gateway, lifespan=True) as url:
            await enterprise_pages_in_a_browser(browser, stack, url, tmp_path)


async def enterprise_pages_in_a_browser(browser: Any, stack: Stack, url: str, tmp_path: Path) -> None:
    code = await register_enterprise(stack)
    context = await browser.new_context(
        java_script_enabled=False, locale="zh-CN", viewport=VIEWPORT, device_scale_factor=1
    )
    page = await context.new_page()
    await page.goto(f"{url}/portal/")
    await page.get_by_role("navigation", name="主导航").get_by_role("link", name="企业自行监测").click()
    assert page.url == f"{url}/portal/monitoring/enterprises"
    assert await page.locator("h1").inner_text() == "企业自行监测信息公开"
    await page.get_by_label("企业名称").fill("津西化工")
    await page.get_by_label("所在镇街").select_option("大寺镇")
    await page.get_by_role("button", name="查询").click()
    assert "共 1 家企业" in await page.get_by_role("status").inner_text()
    town = page.get_by_role("region", name="大寺镇")
    assert "化学原料和化学制品制造业" in await town.inner_text()
    assert await page.locator("script").count() == 0
    await page.screenshot(path=str(screenshot_dir(tmp_path) / "portal-enterprises.png"), full_page=True)
    await town.get_by_role("link", name="天津市津西化工有限公司").click()
    assert page.url == f"{url}/portal/monitoring/enterprises/{code}"
    await enterprise_page_checks(page, tmp_path)  # of 2021, the newest year with reviewed data
    await page.get_by_role("navigation", name="门户导航").get_by_role("link", name="企业名录").click()
    assert page.url == f"{url}/portal/monitoring/enterprises"
    await context.close()


async def enterprise_page_checks(page: Any, tmp_path: Path) -> None:
    """The page of 2021: its charts, exceedances and completeness, no script."""
    assert await page.locator("h1").inner_text() == "天津市津西化工有限公司 2021年自行监测信息公开"
    assert "仅公开经审核确认的有效监测数据" in await page.get_by_role("note").inner_text()
    charts = page.locator("figure svg")
    assert await charts.count() == len(ENTERPRISE_LIMITS)
    box = await charts.first.bounding_box()
    assert box is not None
    assert box["width"] > 300
    exceedances = await page.get_by_role("region", name="超标记录").inner_text()
    assert "化学需氧量" in exceedances
    assert "2021-09-12 00:00" in exceedances  # the daily mean of 12 September, in Beijing time
    completeness = await page.get_by_role("region", name="数据完整率").inner_text()
    assert "3月 56 62 90.3%" in " ".join(completeness.split())  # 28 of 31 days, COD and NH3-N
    assert await page.locator("script").count() == 0
    shot = await page.screenshot(path=str(screenshot_dir(tmp_path) / "portal-enterprise.png"), full_page=True)
    assert png_size(shot)[0] == VIEWPORT["width"]


# The town bulletins of one month: two towns with one air station each, PM2.5 and PM10 only (24 hourly values a day,
# one above and one below by turns, so the day's mean is the level given and no value looks stuck), steady except
# one polluted day in 大寺镇; and three water sections sampled once in the month.
AIR_MONTH = date(2026, 9, 1)
AIR_WEEK = date(2026, 9, 7)  # a Monday
POLLUTED_DAY = date(2026, 9, 9)  # in that week: the daily bulletin's day
AIR_TOWNS = {"中北镇": ("TWN001", 30.0, 40.0), "大寺镇": ("TWN002", 60.0, 80.0)}  # station, PM2.5, PM10
POLLUTED_PM25 = 120.0
WATER_SECTIONS = {  # section: town and one sample (mg/L); every target class III
    "WQ001": ("中北镇", {"cod": 12.0, "nh3n": 0.4, "do": 7.0, "tp": 0.15}),  # tp → III: meets
    "WQ002": ("中北镇", {"cod": 25.0, "nh3n": 0.8, "do": 5.5, "tp": 0.18}),  # cod → IV: misses
    "WQ003": ("大寺镇", {"cod": 14.0, "nh3n": 0.3, "do": 8.0, "tp": 0.08}),  # nh3n, tp → II: meets
}
# The bulletins' tables as the page shows them, by hand (HJ 633-2012; IAQI rounded up):
# 中北镇 every day: PM2.5 30 → 50·30/35 = 42.9 → 43, PM10 40 → 40: AQI 43 优, no primary pollutant (AQI ≤ 50).
# 大寺镇 a usual day: PM2.5 60 → 50 + 25·50/40 = 81.25 → 82, PM10 80 → 50 + 30·50/100 = 65: AQI 82 良, PM2.5.
# 大寺镇 on 9 September: PM2.5 120 → 150 + 5·50/35 = 157.1 → 158: AQI 158 中度污染.
# The week: AQI (6·82 + 158)/7 = 92.9 → 93, good days 6/7, PM2.5 (6·60 + 120)/7 = 68.6.
# The month (30 days): AQI (29·82 + 158)/30 = 84.5 → 85, good days 29/30, PM2.5 (29·60 + 120)/30 = 62.0.
# No data a year earlier: no change (—).
QUIET = ["1", "中北镇", "43", "优", "—", "100.0%", "30.0", "40.0", "—", "—"]
EXPECTED_TABLES = {
    "air_daily": [QUIET, ["2", "大寺镇", "158", "中度污染", "PM2.5", "0.0%", "120.0", "80.0", "—", "—"]],
    "air_weekly": [QUIET, ["2", "大寺镇", "93", "良", "PM2.5", "85.7%", "68.6", "80.0", "—", "—"]],
    "air_monthly": [QUIET, ["2", "大寺镇", "85", "良", "PM2.5", "96.7%", "62.0", "80.0", "—", "—"]],
    # Water, ranked by the share meeting the target: 大寺镇 1 of 1 (II), 中北镇 1 of 2 (III, IV); no earlier month.
    "water_monthly": [
        ["1", "大寺镇", "1", "0", "1", "0", "0", "0", "0", "100.0%", "—"],
        ["2", "中北镇", "2", "0", "0", "1", "1", "0", "0", "50.0%", "—"],
    ],
}
TOWN_BULLETINS = {  # kind: period start, title, summary, screenshot
    "air_daily": (POLLUTED_DAY, "2026年9月9日空气质量日报", "2026年9月9日，2个镇街参与排名，空气质量最好的是中北镇。",
                  "portal-air-daily.png"),
    "air_weekly": (AIR_WEEK, "2026年9月7日至13日空气质量周报",
                   "2026年9月7日至13日，2个镇街参与排名，空气质量最好的是中北镇。", "portal-air-weekly.png"),
    "air_monthly": (AIR_MONTH, "2026年9月空气质量月报", "2026年9月，2个镇街参与排名，空气质量最好的是中北镇。",
                    "portal-air-monthly.png"),
    "water_monthly": (AIR_MONTH, "2026年9月地表水水质月报", "2026年9月，2个镇街3个断面参与评价，2个达到考核目标。",
                      "portal-water-bulletin.png"),
}  # fmt: skip


def month_of_air(station: str, pm25: float, pm10: float, polluted: date | None = None) -> list[dict[str, Any]]:
    rows = []
    for n in range(30):
        day = AIR_MONTH + timedelta(days=n)
        levels = {"pm25": POLLUTED_PM25 if day == polluted else pm25, "pm10": pm10}
        for hour in range(24):
            moment = f"{day.isoformat()}T{hour:02d}:00:00+08:00"
            for parameter, level in levels.items():
                rows.append({"station": station, "parameter": parameter, "time": moment,
                             "value": level + (1 if hour % 2 else -1)})  # fmt: skip
    return rows


async def publish_town_bulletins(stack: Stack) -> None:
    async with stack.client("monitoring", "monitoring_reviewer", "head") as http:
        for town, (code, pm25, pm10) in AIR_TOWNS.items():
            body = {"code": code, "kind": "air_station", "name": f"{town}站", "town": town, "level": "district",
                    "parameters": ["pm25", "pm10"]}  # fmt: skip
            assert (await http.post("/api/v1/monitoring/stations", json=body)).status_code == 201
            rows = month_of_air(code, pm25, pm10, POLLUTED_DAY if town == "大寺镇" else None)
            answer = await http.post("/api/v1/monitoring/readings:batch", json=rows)
            assert answer.status_code == 200, answer.text
            assert answer.json()["rejected"] == []
        for code, (town, sample) in WATER_SECTIONS.items():
            body = {"code": code, "kind": "water_section", "name": f"{town}{code}断面", "town": town,
                    "level": "district", "water_body": "river", "target_class": "III",
                    "parameters": list(sample)}  # fmt: skip
            assert (await http.post("/api/v1/monitoring/stations", json=body)).status_code == 201
            rows = [{"station": code, "parameter": parameter, "time": "2026-09-15T09:00:00+08:00", "value": value}
                    for parameter, value in sample.items()]  # fmt: skip
            answer = await http.post("/api/v1/monitoring/readings:batch", json=rows)
            assert answer.status_code == 200, answer.text
        ids = []
        for kind, (start, *_rest) in TOWN_BULLETINS.items():
            built = await http.post(
                "/api/v1/monitoring/bulletins", json={"kind": kind, "period_start": start.isoformat()}
            )
            assert built.status_code == 201, built.text
            published = await http.post(
                f"/api/v1/monitoring/bulletins/{built.json()['id']}:publish",
                headers={"If-Match": built.headers["etag"]},
            )
            assert published.status_code == 200, published.text
            ids.append(str(built.json()["id"]))
    async with stack.client("disclosure") as public:

        async def received() -> bool:
            answers = [await public.get(f"/public/v1/bulletins/{bulletin_id}") for bulletin_id in ids]
            return all(answer.status_code == 200 for answer in answers)

        await eventually(received)


async def test_the_town_air_and_water_bulletins_in_a_browser(
    browser: Any, portal: tuple[Stack, str], tmp_path: Path
) -> None:
    stack, url = portal
    await publish_town_bulletins(stack)
    directory = screenshot_dir(tmp_path)
    context = await browser.new_context(
        java_script_enabled=False, locale="zh-CN", viewport=VIEWPORT, device_scale_factor=1
    )
    page = await context.new_page()
    for kind, (_start, title, summary, screenshot) in TOWN_BULLETINS.items():
        await page.goto(f"{url}/portal/bulletins?kind={kind}")
        async with page.expect_navigation():
            await page.get_by_role("link", name=title).click()
        assert await page.locator("h1").first.inner_text() == title
        assert summary in await page.locator("main").inner_text()
        rows = page.locator("article table tbody tr")
        shown = [
            [cell.strip() for cell in await rows.nth(i).locator("td").all_inner_texts()]
            for i in range(await rows.count())
        ]
        assert shown == EXPECTED_TABLES[kind], kind
        chart = page.locator("article svg")
        assert await chart.count() == 1
        labels = await chart.text_content() or ""
        for town in AIR_TOWNS:
            assert town in labels, f"{town} is not a label of the {kind} chart"
        assert await page.locator("script").count() == 0
        shot = await page.screenshot(path=str(directory / screenshot), full_page=True)
        assert png_size(shot)[0] == VIEWPORT["width"]
    await context.close()
