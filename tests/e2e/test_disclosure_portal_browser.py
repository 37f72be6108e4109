"""The public portal in a real headless browser (Debian chromium driven by Playwright): search, open a decision,
see a withdrawal notice, print without the navigation. No JavaScript is needed or present."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from services.disclosure.handlers import local_today
from tests.factories import decision_body
from tests.infra import IN_CI
from tests.integration.test_disclosure_credit_china import serve
from tests.integration.test_disclosure_flow import revoke_through_cases_outbox
from tests.integration.test_disclosure_public_api import issue, published
from tests.stack import Stack, StackConfig

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
]


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason}: CI installs it (.ci/run)")
    pytest.skip(reason)


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
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
