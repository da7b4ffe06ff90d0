"""The embed script in a real headless Chromium, on a page of another origin than the shop.

Two werkzeug servers: the demo shop (with shop_reco at /reco) and a plain HTML
page on another port that loads ``/reco/widget.js`` from the shop.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select

from tests.conftest import REPO, make_app

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = REPO / "test-artifacts"
URGENT = "I can't control my bladder and my groin is numb"
HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(2)> my lower back hurts after sitting'
DESCRIPTION = "My lower back aches after sitting at my desk all day"
ROUTINE = "Your routine"
PAIRINGS = "Exercises and reading that go with this product"


@dataclass
class Servers:
    shop: str
    other: str
    app: Flask


@dataclass
class Watch:
    """What a page said that it should not: console errors, uncaught errors, dialogs."""

    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    from werkzeug.serving import make_server

    from shop_reco.demo.other_origin import make_other_origin_app

    tmp = tmp_path_factory.mktemp("browser")
    page_app: list[Any] = []
    other = make_server("127.0.0.1", 0, lambda environ, start: page_app[0](environ, start), threaded=True)
    other_url = f"http://127.0.0.1:{other.server_port}"
    app = make_app(f"sqlite:///{tmp}/w.db", tmp, SHOP_RECO_CORS_ORIGINS=[other_url], SHOP_RECO_RULES_TTL=0)
    runner = app.test_cli_runner()
    for args in (["shop-reco", "db", "upgrade"], ["shop-reco", "demo-data"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    shop = make_server("127.0.0.1", 0, app, threaded=True)
    shop_url = f"http://127.0.0.1:{shop.server_port}"
    page_app.append(make_other_origin_app(shop_url))
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in (shop, other)]
    for t in threads:
        t.start()
    yield Servers(shop_url, other_url, app)
    for s in (shop, other):
        s.shutdown()
        s.server_close()
    for t in threads:
        t.join(5)
    app.extensions["shop_reco"].close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(
    browser: Any,
    url: str,
    width: int = 1280,
    height: int = 900,
    blocked: str | None = None,
    motion: str = "reduce",
) -> tuple[Any, Watch]:
    """A fresh page at ``url``; requests matching the glob ``blocked`` fail like a broken network.

    The browser asks for reduced motion unless ``motion="no-preference"``, so the finder scrolls to
    its answer at once and nothing moves under a screenshot or a measurement.
    """
    context = browser.new_context(viewport={"width": width, "height": height}, reduced_motion=motion)
    page = context.new_page()
    if blocked:
        page.route(blocked, lambda route: route.abort())
    watch = Watch()
    page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.errors.append(f"uncaught: {e}"))

    def on_dialog(dialog: Any) -> None:
        watch.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(url)
    return page, watch


@pytest.fixture
def shop_page(browser: Any, servers: Servers) -> Iterator[tuple[Any, Watch]]:
    page, watch = open_page(browser, servers.other + "/")
    yield page, watch
    page.context.close()


# True when the page has loaded, its fonts are in, every widget script-rendered on it says it is
# done (data-sr-state: ready, empty or error) and every image that is not lazy has arrived.
SETTLED = """() => {
    const hosts = [...document.querySelectorAll(
        '[data-shop-reco=finder], [data-shop-reco=product], [data-shop-reco=article]')]
        .filter((h) => !h.hasAttribute('data-shop-reco-ssr'));
    const arrived = (root) => [...root.querySelectorAll('img')].every((i) => i.complete || i.loading === 'lazy');
    return document.readyState === 'complete' && document.fonts.status === 'loaded'
        && hosts.every((h) => ['ready', 'empty', 'error'].includes(h.getAttribute('data-sr-state')))
        && arrived(document) && hosts.every((h) => !h.shadowRoot || arrived(h.shadowRoot));
}"""


def settle(page: Any) -> None:
    """Wait until the page and each of its loaded frames is settled (see ``SETTLED``); no fixed sleeps."""
    for frame in page.frames:
        if frame.url in ("about:blank", "") or frame.is_detached():
            continue
        frame.wait_for_function(SETTLED)


def visit(page: Any, watch: Watch, url: str) -> None:
    """Take an open page to ``url`` and wait until it settles; ``watch`` starts afresh.

    One page for a walk over many URLs: a new browser context per URL costs more than the page.
    """
    page.goto("about:blank")  # what the page before says as it goes is its own, not ``url``'s
    watch.errors.clear()
    watch.dialogs.clear()
    page.goto(url)
    settle(page)


def answered(finder: Any) -> None:
    """Wait until the finder (its host ``div``) is done asking: its answer, screen or error is shown."""
    expect(finder).to_have_attribute("data-sr-state", re.compile("^(ready|error)$"), timeout=30_000)


def ask(finder: Any, text: str) -> None:
    """Send ``text`` once the script has taken over the finder (not the server's no-JS form under
    it), and wait for the answer; when the red-flag screen comes first, answer it "None of these apply"."""
    answered(finder)
    finder.get_by_label("Describe where it hurts and when").fill(text)
    finder.get_by_role("button", name="Show my suggestions").click()  # data-sr-state: loading
    answered(finder)
    if finder.locator(".sr-screen").count():
        finder.locator(".sr-screen-none").click()
        answered(finder)


def deep_active(page: Any) -> str:
    """The focused element, looking inside shadow roots: ``tag.class`` or ``tag[role]``."""
    return str(
        page.evaluate("""() => {
        let el = document.activeElement;
        while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
        return el ? el.tagName.toLowerCase() + '.' + (el.getAttribute('class') || '') : '';
    }""")
    )


def tab_until(page: Any, wanted: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if wanted in deep_active(page):
            return
    raise AssertionError(f"Tab never reached {wanted!r}; stopped at {deep_active(page)!r}")


def test_the_script_renders_the_finder_in_a_shadow_root_on_another_origin(
    shop_page: tuple[Any, Watch], servers: Servers
) -> None:
    page, watch = shop_page
    assert servers.other.rsplit(":", 1)[1] != servers.shop.rsplit(":", 1)[1]
    finder = page.locator("#finder")
    finder.get_by_label("Describe where it hurts and when").wait_for()
    assert page.evaluate("document.querySelector('#finder').shadowRoot !== null")
    # The page's loud CSS (22px textareas on a yellow background) does not reach the widget.
    style = page.evaluate("""() => {
        const ta = document.querySelector('#finder').shadowRoot.querySelector('textarea');
        const s = getComputedStyle(ta);
        return [s.fontSize, s.backgroundColor];
    }""")
    assert style == ["16px", "rgb(255, 255, 255)"]
    assert watch.errors == []


def test_a_description_gets_a_routine_products_and_reading(shop_page: tuple[Any, Watch], servers: Servers) -> None:
    page, watch = shop_page
    finder = page.locator("#finder")
    ask(finder, DESCRIPTION)
    finder.get_by_role("heading", name=ROUTINE).wait_for()
    assert finder.locator(".sr-exercise").count() >= 3
    assert finder.locator(".sr-exercise .sr-steps li").count() >= 3
    assert finder.get_by_text("times a week").first.is_visible()
    cart = finder.locator("form.sr-cart").first
    assert (cart.get_attribute("action") or "").startswith(servers.shop + "/cart/add?sku=")
    assert cart.get_attribute("method") == "post"
    # The visible words start the button's accessible name (WCAG 2.5.3).
    names = finder.locator("button.sr-button").evaluate_all("els => els.map(e => e.textContent)")
    assert names and all(n.startswith("Add to cart: ") for n in names), names
    assert finder.locator(".sr-section-link").count() >= 1
    assert finder.locator("[role=status]").first.text_content() == "Your suggestions are ready."
    assert watch.errors == []

    # Impressions reach the shop's API (cross-origin): pseudonymous, with the recommendation id.
    page.evaluate("window.ShopReco.flush()")
    from shop_reco.extension import get_session
    from shop_reco.storage.models import Event

    rec_id = finder.locator(".sr-results").get_attribute("data-sr-rec")
    events: list[Event] = []
    for _ in range(50):
        with servers.app.app_context():
            events = list(get_session().scalars(select(Event).where(Event.recommendation_id == rec_id)))
        if events:
            break
        page.wait_for_timeout(100)
    assert events and {e.kind for e in events} == {"impression"}
    assert all(e.widget == "finder" and e.page_view and len(e.page_view) >= 8 for e in events)


def test_clicks_and_add_to_cart_reach_the_api_and_the_host_can_handle_the_cart(
    shop_page: tuple[Any, Watch], servers: Servers
) -> None:
    from shop_reco.extension import get_session
    from shop_reco.storage.models import Event

    page, watch = shop_page
    # The host shop takes over add-to-cart (its own cart drawer) by cancelling the widget's event.
    page.evaluate("""() => document.addEventListener('shop-reco:add-to-cart', (e) => {
        window.addedSku = e.detail.sku; e.preventDefault();
    })""")
    finder = page.locator("#finder")
    ask(finder, DESCRIPTION)
    finder.get_by_role("heading", name=ROUTINE).wait_for()
    rec_id = finder.locator(".sr-results").get_attribute("data-sr-rec")
    sku = finder.locator(".sr-product").first.get_attribute("data-sr-id")
    finder.locator("button.sr-button").first.click()
    assert page.evaluate("window.addedSku") == sku and page.url.startswith(servers.other)  # no navigation
    page.evaluate("window.ShopReco.flush()")
    kinds: set[str] = set()
    for _ in range(50):
        with servers.app.app_context():
            rows = get_session().scalars(select(Event).where(Event.recommendation_id == rec_id)).all()
            kinds = {e.kind for e in rows if e.item_id == sku}
        if "add_to_cart" in kinds:
            break
        page.wait_for_timeout(100)
    assert "add_to_cart" in kinds
    assert watch.errors == []


def test_an_urgent_description_shows_only_the_urgent_message(shop_page: tuple[Any, Watch]) -> None:
    page, watch = shop_page
    finder = page.locator("#finder")
    ask(finder, URGENT)
    finder.get_by_text("Please get medical help now").wait_for()
    results = finder.locator(".sr-results")
    assert results.locator("[role=alert]").count() == 1
    for absent in (".sr-exercise", ".sr-product", ".sr-section", ".sr-block"):
        assert results.locator(absent).count() == 0, absent
    assert results.locator(".sr-disclaimer").is_visible()
    assert watch.errors == []


def test_clicking_and_keys_select_body_map_areas(shop_page: tuple[Any, Watch]) -> None:
    page, watch = shop_page
    finder = page.locator("#finder")
    lower_back = finder.get_by_role("checkbox", name="Lower back")
    lower_back.click()
    assert lower_back.get_attribute("aria-checked") == "true"
    assert "Selected: Lower back" in (finder.locator(".sr-selected").text_content() or "")
    lower_back.click()
    assert lower_back.get_attribute("aria-checked") == "false"
    hips = finder.get_by_role("checkbox", name="Right hip")
    hips.focus()
    page.keyboard.press("Space")
    assert hips.get_attribute("aria-checked") == "true"
    page.keyboard.press("Enter")
    assert hips.get_attribute("aria-checked") == "false"
    page.keyboard.press("ArrowRight")  # the arrow keys move between regions
    assert "Left hip" in deep_label(page)
    page.keyboard.press("ArrowLeft")
    assert "Right hip" in deep_label(page)
    page.keyboard.press("Enter")
    finder.get_by_role("button", name="Show my suggestions").click()  # the map alone is a description
    finder.locator(".sr-screen-none").click()
    finder.get_by_role("heading", name=ROUTINE).wait_for()
    assert watch.errors == []


def deep_label(page: Any) -> str:
    """The aria-label of the focused element, looking inside shadow roots."""
    return str(
        page.evaluate("""() => {
        let el = document.activeElement;
        while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
        return el ? el.getAttribute('aria-label') || '' : '';
    }""")
    )


def test_the_map_shows_the_areas_the_text_was_understood_to_mention(shop_page: tuple[Any, Watch]) -> None:
    page, watch = shop_page
    finder = page.locator("#finder")
    ask(finder, "My right hip aches and my lower back is stiff after sitting")
    finder.get_by_role("heading", name=ROUTINE).wait_for()
    assert finder.get_by_role("checkbox", name="Right hip").get_attribute("aria-checked") == "true"
    assert finder.get_by_role("checkbox", name="Lower back").get_attribute("aria-checked") == "true"
    assert finder.get_by_role("checkbox", name="Left hip").get_attribute("aria-checked") == "false"
    assert watch.errors == []


def test_chips_add_their_words_to_the_description(shop_page: tuple[Any, Watch]) -> None:
    page, _ = shop_page
    finder = page.locator("#finder")
    textarea = finder.get_by_label("Describe where it hurts and when")
    textarea.fill("Sore back")
    chip = finder.get_by_role("button", name="After sitting")
    chip.click()
    assert textarea.input_value() == "Sore back. It gets worse after sitting."
    assert chip.get_attribute("aria-pressed") == "true"
    chip.click()
    assert textarea.input_value() == "Sore back." and chip.get_attribute("aria-pressed") == "false"


def test_the_product_widget_shows_exercises(shop_page: tuple[Any, Watch]) -> None:
    page, watch = shop_page
    product = page.locator("#product")
    product.get_by_role("heading", name=PAIRINGS).wait_for()
    assert product.locator(".sr-exercise").count() >= 1
    # Themed through custom properties set by the shop on an ancestor.
    accent = page.evaluate("""() => getComputedStyle(
        document.querySelector('#product').shadowRoot.querySelector('.sr-kind')).color""")
    assert accent == "rgb(124, 45, 18)"
    assert watch.errors == []


def test_an_unknown_sku_leaves_no_box(shop_page: tuple[Any, Watch]) -> None:
    page, watch = shop_page
    with page.expect_response(lambda r: "/products/no-such-sku/pairings" in r.url) as answer:
        page.evaluate("""() => {
            const div = document.createElement('div');
            div.id = 'unknown';
            div.setAttribute('data-shop-reco', 'product');
            div.setAttribute('data-sku', 'no-such-sku');
            document.querySelector('main').appendChild(div);
            window.ShopReco.scan();
        }""")
    assert answer.value.status == 404
    unknown = page.locator("#unknown")
    expect(unknown).to_have_attribute("data-sr-state", "empty")  # for the shop's CSS, and for us to wait on
    box = unknown.bounding_box()
    assert box is not None and box["height"] == 0
    shadow = "(document.querySelector('#unknown').shadowRoot || {childElementCount: 0}).childElementCount"
    assert page.evaluate(shadow) == 0
    # The 404 is the only thing Chromium reports.
    assert all("404" in e for e in watch.errors), watch.errors


def test_a_failing_api_leaves_the_page_intact_with_a_quiet_try_again(browser: Any, servers: Servers) -> None:
    blocked = "**/api/v1/{products/*/pairings,recommendations}*"
    page, watch = open_page(browser, servers.other + "/", blocked=blocked)
    product = page.locator("#product")
    retry = product.get_by_role("button", name="Try again")
    retry.wait_for()
    expect(product).to_have_attribute("data-sr-state", "error")
    assert "couldn't be loaded" in (product.locator(".sr-quiet").text_content() or "")
    assert page.get_by_role("heading", name="Back and hip comfort").is_visible()  # the page is intact
    finder = page.locator("#finder")
    ask(finder, DESCRIPTION)
    finder.get_by_role("button", name="Try again").wait_for()
    expect(finder).to_have_attribute("data-sr-state", "error")
    assert finder.get_by_label("Describe where it hurts and when").input_value() == DESCRIPTION

    page.unroute(blocked)
    retry.click()
    product.get_by_role("heading", name=PAIRINGS).wait_for()
    expect(product).to_have_attribute("data-sr-state", "ready")
    finder.get_by_role("button", name="Try again").click()
    finder.locator(".sr-screen-none").click()
    finder.get_by_role("heading", name=ROUTINE).wait_for()
    assert all("ERR_FAILED" in e for e in watch.errors), watch.errors
    page.context.close()


def test_keyboard_only(shop_page: tuple[Any, Watch]) -> None:
    page, watch = shop_page
    page.locator("#finder").get_by_label("Describe where it hurts and when").wait_for()
    tab_until(page, "textarea.sr-textarea")
    page.keyboard.type("My hips feel stiff when I stand for a long time")
    tab_until(page, "button.sr-submit")
    outline = page.evaluate("""() => {
        const b = document.querySelector('#finder').shadowRoot.querySelector('.sr-submit');
        return getComputedStyle(b).outlineStyle;
    }""")
    assert outline == "solid"  # a visible focus ring
    page.keyboard.press("Enter")
    page.locator("#finder .sr-screen").wait_for()  # the red-flag screen, answered by keyboard too
    tab_until(page, "sr-screen-none")
    page.keyboard.press("Enter")
    page.locator("#finder").get_by_role("heading", name=ROUTINE).wait_for()
    assert watch.errors == []


def test_data_locale_sv_renders_swedish(shop_page: tuple[Any, Watch]) -> None:
    page, watch = shop_page
    page.evaluate("""() => {
        const div = document.createElement('div');
        div.id = 'sv-finder';
        div.setAttribute('data-shop-reco', 'finder');
        div.setAttribute('data-locale', 'sv');
        document.querySelector('main').prepend(div);
        window.ShopReco.scan();
    }""")
    finder = page.locator("#sv-finder")
    textarea = finder.get_by_label("Beskriv var det gör ont och när")
    textarea.fill("Det värker i ländryggen när jag har suttit länge")
    assert finder.get_by_role("checkbox", name="Ländrygg").count() == 1
    finder.get_by_role("button", name="Visa mina förslag").click()
    finder.get_by_role("button", name="Inget av detta stämmer").click()
    finder.get_by_role("heading", name="Ditt träningsprogram").wait_for()
    # The article on the page asked for Swedish too.
    page.locator("#article").get_by_role("heading", name="Källor").wait_for()
    assert watch.errors == []


def test_a_page_in_swedish_gets_swedish_widgets_without_data_locale(shop_page: tuple[Any, Watch]) -> None:
    page, watch = shop_page
    page.evaluate("""() => {
        document.documentElement.setAttribute('lang', 'sv-SE');
        const div = document.createElement('div');
        div.id = 'page-sv-finder';
        div.setAttribute('data-shop-reco', 'finder');
        document.querySelector('main').prepend(div);
        window.ShopReco.scan();
    }""")
    finder = page.locator("#page-sv-finder")
    finder.get_by_label("Beskriv var det gör ont och när").wait_for()
    assert finder.get_by_role("button", name="Visa mina förslag").count() == 1
    assert watch.errors == []


def test_hostile_text_is_shown_as_text(browser: Any, servers: Servers) -> None:
    from shop_reco.answering.snapshot import invalidate_snapshot
    from shop_reco.extension import get_session
    from shop_reco.storage.models import Product

    with servers.app.app_context():
        session = get_session()
        product = session.scalars(select(Product).where(Product.sku == "lumbar-support-belt")).one()
        original = dict(product.text)
        hostile_name = '"><img src=x onerror=alert(3)><script>alert(4)</script>'
        product.text = {**original, "en": {**original["en"], "name": hostile_name}}
        session.commit()
        invalidate_snapshot()
    try:
        page, watch = open_page(browser, servers.other + "/")
        finder = page.locator("#finder")
        ask(finder, HOSTILE)
        finder.get_by_role("heading", name=ROUTINE).wait_for()
        page.locator("#product").get_by_role("heading", name=PAIRINGS).wait_for()
        assert finder.get_by_label("Describe where it hurts and when").input_value() == HOSTILE
        assert page.locator("#product").get_by_text("<img src=x onerror=alert(3)>", exact=False).count() >= 1
        counts = page.evaluate("""() => [...document.querySelectorAll('[data-shop-reco]')].map(
            el => el.shadowRoot ? el.shadowRoot.querySelectorAll('img[src="x"], script').length : 0)""")
        assert sum(counts) == 0
        page.wait_for_timeout(300)
        assert watch.dialogs == [] and watch.errors == []
        page.context.close()
    finally:
        with servers.app.app_context():
            session = get_session()
            product = session.scalars(select(Product).where(Product.sku == "lumbar-support-belt")).one()
            product.text = original
            session.commit()
            invalidate_snapshot()


def test_the_flask_macros_work_with_the_script_on_the_shops_own_pages(browser: Any, servers: Servers) -> None:
    from shop_reco.extension import get_session
    from shop_reco.storage.models import Event

    page, watch = open_page(browser, servers.shop + "/finder")
    finder = page.locator("[data-shop-reco=finder]")
    page.wait_for_function("document.querySelector('[data-shop-reco=finder]').shadowRoot !== null")
    ask(finder, DESCRIPTION)  # answered in place by the script, not by a form post
    finder.get_by_role("heading", name=ROUTINE).wait_for()
    assert page.url == servers.shop + "/finder"

    page.goto(servers.shop + "/products/lumbar-support-belt")
    product = page.locator("[data-shop-reco=product]")
    product.get_by_role("heading", name=PAIRINGS).wait_for()
    page.wait_for_timeout(300)
    page.evaluate("window.ShopReco.flush()")  # same origin: sendBeacon with a JSON blob
    seen: list[Event] = []
    for _ in range(50):
        with servers.app.app_context():
            seen = list(get_session().scalars(select(Event).where(Event.widget == "product")))
        if seen:
            break
        page.wait_for_timeout(100)
    assert seen and all(e.kind == "impression" and e.recommendation_id is None for e in seen)
    assert watch.errors == []
    page.context.close()


def test_the_iframe_finder_answers_inside_its_frame(browser: Any, servers: Servers) -> None:
    page, watch = open_page(browser, servers.shop + "/embed-demo")
    frame = page.frame_locator("iframe").first
    ask(frame.locator("[data-shop-reco=finder]"), DESCRIPTION)
    frame.get_by_role("heading", name=ROUTINE).wait_for()
    assert frame.locator("form.sr-cart").first.get_attribute("target") == "_top"
    page.wait_for_function("parseInt(document.querySelector('iframe').style.height) > 1000")  # resized to fit
    assert watch.errors == []
    page.context.close()


@pytest.mark.parametrize(("name", "width", "height"), [("desktop", 1280, 900), ("mobile", 390, 844)])
def test_finder_screenshots(browser: Any, servers: Servers, name: str, width: int, height: int) -> None:
    page, watch = open_page(browser, servers.other + "/", width, height)
    finder = page.locator("#finder")
    finder.get_by_role("checkbox", name="Right hip").click()
    ask(finder, DESCRIPTION)
    finder.get_by_role("heading", name=ROUTINE).wait_for()
    settle(page)
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"finder-{name}.png"
    finder.screenshot(path=str(shot), animations="disabled")
    assert shot.stat().st_size > 10_000
    if name == "desktop":
        # The README's picture: the form and the first answers, cut to keep it small.
        page.evaluate("window.scrollTo(0, 0)")
        box = finder.bounding_box()
        assert box is not None
        readme = ARTIFACTS / "finder-readme.png"
        clip = {"x": box["x"] - 8, "y": box["y"] - 8, "width": box["width"] + 16, "height": 1500}
        page.screenshot(path=str(readme), full_page=True, animations="disabled", clip=clip)
        assert readme.stat().st_size < 300_000  # docs/screenshots/ comes from test_widgets_look
    assert watch.errors == []
    page.context.close()
