"""The admin in a real headless Chromium: sign in, write a rule with the live preview, see the shop use it.

The demo shop runs on a werkzeug server (SQLite in tmp_path) that allows
products at consult level, so the test bench can refuse a rule that would
show products to a shopper who should see a professional.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import REPO, make_app
from flask import Flask

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("SHOP_RECO_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = REPO / "test-artifacts"
DOG_WALK = "My hip aches when walking the dog"
NUMB_WALK = "My foot goes numb when I walk"


@dataclass
class Shop:
    url: str
    app: Flask


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        message = f"Chromium is not installed at {CHROMIUM}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    from werkzeug.serving import make_server

    app = make_app(f"sqlite:///{tmp_path}/admin.db", tmp_path, SHOP_RECO_PRODUCTS_ON_CONSULT=True)
    runner = app.test_cli_runner()
    for args in (["shop-reco", "db", "upgrade"], ["shop-reco", "demo-data"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Shop(f"http://127.0.0.1:{server.server_port}", app)
    server.shutdown()
    server.server_close()
    thread.join(5)
    app.extensions["shop_reco"].close()


def loading(message: str) -> bool:
    return message.startswith("Failed to load resource")


def test_merchant_writes_a_rule_with_the_live_preview(shop: Shop, chromium: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        # Script errors and CSP violations; HTTP statuses (a 422 refusal, no favicon) are checked below.
        page.on(
            "console",
            lambda m: problems.append(m.text) if m.type == "error" and not loading(m.text) else None,
        )
        page.on("pageerror", lambda e: problems.append(str(e)))

        # Sign in: the admin sends us to the demo login and back.
        page.goto(f"{shop.url}/reco/admin/rules")
        expect(page).to_have_url(re.compile(r"/demo-login\?next="))
        page.fill("#username", "merchant")
        page.fill("#password", "demo")
        page.click("button[type=submit]")
        expect(page).to_have_url(f"{shop.url}/reco/admin/rules")
        expect(page.get_by_role("heading", name="Rules")).to_be_visible()

        # A safety case for the test bench: numbness means "see a professional", no products.
        page.goto(f"{shop.url}/reco/admin/testbench/new")
        page.fill("#f-key", "walk-numb")
        page.fill("#f-text", NUMB_WALK)
        page.select_option("#f-safety", "consult")
        page.check("input[name=products_empty]")
        page.click("button[type=submit].primary")
        expect(page.get_by_text("Test case created.")).to_be_visible()

        # A new rule: when the shopper mentions walking, recommend the plank.
        page.goto(f"{shop.url}/reco/admin/rules")
        page.get_by_role("link", name="New rule").click()
        page.fill("#f-name", "Walking: plank for the core")
        page.fill("#f-key", "walking-plank")
        page.select_option("#c-trigger-walking", "all")
        page.fill("#f-preview-text", DOG_WALK)
        panel = page.locator("#preview-panel")
        expect(panel).to_contain_text("Fix the problems marked in the form")  # no action yet
        page.locator("#items-ex details.more-items").evaluate("details => { details.open = true; }")
        page.fill("input[name='w.ex.plank']", "5")
        expect(panel.locator("#pv-exercises")).to_contain_text("Plank")
        expect(panel.locator("li.this-rule")).to_contain_text("Walking: plank for the core")
        expect(panel.locator("#pv-changes")).to_contain_text("+ plank")
        expect(panel.locator("mark.m-found", has_text="walking")).to_be_visible()

        ARTIFACTS.mkdir(exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(ARTIFACTS / "admin-rule-editor.png"))

        page.locator(".actionbar button[value=save]").first.click()
        expect(page).to_have_url(re.compile(r"/reco/admin/rules/walking-plank/edit\?notice=created$"))
        expect(page.get_by_text("Rule created.")).to_be_visible()

        # The storefront uses it at once: through the finder page and the API.
        page.goto(f"{shop.url}/finder")
        description = page.locator("textarea[name=description]")
        expect(description.first).to_be_visible()
        description.first.fill(DOG_WALK)
        page.locator("button.sr-submit").first.click()
        page.locator(".sr-screen-none").first.click()  # the red-flag screen: "None of these apply"
        expect(page.get_by_text("Plank", exact=True).first).to_be_visible()
        answer = page.request.post(
            f"{shop.url}/reco/api/v1/recommendations", data={"description": DOG_WALK, "locale": "en"}
        ).json()
        plank = [e for e in answer["exercises"] if e["slug"] == "plank"]
        assert plank and any(w.get("rule") == "walking-plank" for w in plank[0]["why"])

        # A rule that would show a product to the numbness case is refused, with the case named.
        page.goto(f"{shop.url}/reco/admin/rules/new")
        page.fill("#f-name", "Walking: a belt, even at consult")
        page.fill("#f-key", "walking-belt")
        page.select_option("#c-trigger-walking", "all")
        page.uncheck("input[name=safety][value=none]")
        page.check("input[name=safety][value=consult]")
        page.locator("#items-pr details.more-items").evaluate("details => { details.open = true; }")
        page.fill("input[name='w.pr.lumbar-support-belt']", "3")
        page.locator(".actionbar button[value=save]").first.click()
        report = page.locator("#bench-report")
        expect(report).to_contain_text("Refused: this change breaks a safety expectation")
        expect(report).to_contain_text("walk-numb")
        expect(page.locator("input[name='w.pr.lumbar-support-belt']")).to_have_value("3")  # input kept
        page.goto(f"{shop.url}/reco/admin/rules?q=walking")
        expect(page.locator("table.rules-table")).not_to_contain_text("walking-belt")
        browser.close()
    assert not problems, problems
