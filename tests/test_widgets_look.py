"""How the widgets and demo pages look and read in Chromium: a phone's width, axe-core, what shoppers read.

Uses the two servers of ``test_widgets_browser`` (the demo shop and a plain
page on another origin). axe-core comes from the npm registry
(``npm ci --prefix tests/js``) and is injected into each page, and into its
iframes and shadow roots. Screenshots of every widget at 390 and 1280 px go to
``docs/screenshots/``.
"""

# The module-scoped fixtures (servers, browser) are imported from test_widgets_browser, so the
# test functions' parameters of the same names are not redefinitions.
# ruff: noqa: F811

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import REPO
from tests.test_widgets_browser import (  # noqa: F401 (servers and browser are fixtures)
    DESCRIPTION,
    ROUTINE,
    URGENT,
    Servers,
    ask,
    browser,
    open_page,
    servers,
    settle,
    visit,
)

pytestmark = pytest.mark.browser

AXE = REPO / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = REPO / "docs" / "screenshots"
PHONE, DESKTOP = (390, 844), (1280, 900)
PHONES = (320, 390)  # the narrowest phones in use, and the width of most
ARTICLE = "/articles/hip-and-lower-back-pain"
BELT = "lumbar-support-belt"


def axe_source() -> str:
    if not AXE.exists():
        message = f"{AXE} is missing: run `npm ci --prefix tests/js`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text(encoding="utf-8")


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page and its same-origin frames."""
    source = axe_source()
    found: list[str] = []
    for frame in page.frames:
        if frame.url in ("about:blank", "") or frame.is_detached():
            continue
        frame.evaluate(source)
        result = frame.evaluate(
            """async () => {
                const r = await axe.run(document, {resultTypes: ['violations']});
                return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
                    .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
            }"""
        )
        found += [f"{frame.url}: {v}" for v in result]
    return found


def page_width(page: Any) -> int:
    """The widest the page gets where a shopper can see it, looking inside shadow roots too."""
    return int(
        page.evaluate("""() => {
        let widest = document.documentElement.scrollWidth;
        const walk = (root) => root.querySelectorAll('*').forEach((el) => {
            const r = el.getBoundingClientRect();
            // What a shopper can see: not a closed <details>' content (Chromium keeps its last
            // layout, from a wider window), nothing hidden by display or visibility.
            const seen = el.checkVisibility({visibilityProperty: true, checkVisibilityCSS: true});
            if (r.width && seen) widest = Math.max(widest, Math.ceil(r.right));
            if (el.shadowRoot) walk(el.shadowRoot);
        });
        walk(document);
        return widest;
    }""")
    )


def shopper_text(page: Any) -> str:
    """Everything a shopper can read on the page, shadow roots included."""
    return str(
        page.evaluate("""() => {
        const parts = [];
        const walk = (root) => { parts.push(root.innerText || ''); root.querySelectorAll('*').forEach(
            (el) => { if (el.shadowRoot) walk(el.shadowRoot.querySelector('.shop-reco') || el.shadowRoot); }); };
        walk(document.body);
        return parts.join('\\n');
    }""")
    )


def rule_names(servers: Servers) -> list[str]:
    from shop_reco.extension import get_session
    from shop_reco.storage.models import Rule

    with servers.app.app_context():
        return list(get_session().scalars(select(Rule.name)))


def shoot(page: Any, name: str, locator: Any = None, max_height: int = 3200) -> Path:
    """A screenshot in docs/screenshots/: the whole page (up to ``max_height`` px) or one element."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.wait_for_timeout(300)
    if locator is None:
        width = page.viewport_size["width"]
        height = min(int(page.evaluate("document.documentElement.scrollHeight")), max_height)
        clip = {"x": 0, "y": 0, "width": width, "height": height}
        page.screenshot(path=str(path), full_page=True, animations="disabled", clip=clip)
    else:
        locator.screenshot(path=str(path), animations="disabled")
    assert path.stat().st_size > 5_000
    return path


# -- the article: each product once ----------------------------------------------------------


def test_the_article_shows_each_product_once_beside_the_section_that_fits(browser: Any, servers: Servers) -> None:
    page, watch = open_page(browser, servers.shop + ARTICLE)
    article = page.locator("[data-shop-reco=article]")
    article.get_by_role("heading", name="Sources").wait_for()
    skus = article.locator(".sr-product").evaluate_all("els => els.map(e => e.getAttribute('data-sr-id'))")
    assert skus and len(skus) == len(set(skus)), skus
    carts = article.get_by_role("button", name=re.compile("^Add to cart"))
    assert carts.count() <= len(set(skus))
    blocks = article.locator(".sr-article-products")
    assert blocks.count() == 1  # the ergonomic-aids section, nothing after the others
    assert article.locator("#ergonomic-aids .sr-product").count() == 3
    belt = article.locator(f".sr-product[data-sr-id={BELT}] .sr-why").inner_text()
    assert belt == "A feeling of support for the lower back during daily activity"
    assert watch.errors == []
    page.context.close()


# -- what shoppers read -------------------------------------------------------------------------


def test_no_rule_name_and_no_stitched_list_reaches_a_shopper(browser: Any, servers: Servers) -> None:
    names = rule_names(servers)
    page, watch = open_page(browser, servers.other + "/")
    finder = page.locator("#finder")
    ask(finder, DESCRIPTION)
    finder.get_by_role("heading", name=ROUTINE).wait_for()
    page.locator("#product .sr-exercise").first.wait_for()
    page.locator("#article .sr-product").first.wait_for()
    seen = shopper_text(page)
    for url in ("/finder", f"/products/{BELT}", ARTICLE):
        other, _ = open_page(browser, servers.shop + url)
        if url == "/finder":
            ask(other.locator("[data-shop-reco=finder]"), DESCRIPTION)
            other.locator("[data-shop-reco=finder]").get_by_role("heading", name=ROUTINE).wait_for()
        settle(other)
        seen += shopper_text(other)
        other.context.close()
    assert "you mentioned “sitting”" in seen.lower() or "you mentioned “sitting" in seen
    for name in names:
        assert name not in seen, name
    reasons = page.locator("#finder").locator(".sr-why").all_inner_texts()
    assert reasons and all("; " not in r for r in reasons)
    assert watch.errors == []
    page.context.close()


@pytest.mark.parametrize(("locale", "price"), [("en", "€39.00"), ("sv", "39,00\u00a0€")])
def test_prices_read_the_locales_way(browser: Any, servers: Servers, locale: str, price: str) -> None:
    page, watch = open_page(browser, servers.other + "/")
    page.evaluate(
        """(locale) => {
        const div = document.createElement('div');
        div.id = 'goes-with';
        div.setAttribute('data-shop-reco', 'product');
        div.setAttribute('data-sku', 'ergonomic-seat-cushion');
        div.setAttribute('data-locale', locale);
        document.querySelector('main').prepend(div);
        window.ShopReco.scan();
    }""",
        locale,
    )
    widget = page.locator("#goes-with")
    widget.locator(f".sr-product[data-sr-id={BELT}] .sr-price").wait_for()
    assert widget.locator(f".sr-product[data-sr-id={BELT}] .sr-price").inner_text() == price  # widget.js (Intl)
    server, _ = open_page(browser, f"{servers.shop}/products/ergonomic-seat-cushion?lang={locale}")
    shown = server.locator(f"[data-shop-reco=product] .sr-product[data-sr-id={BELT}] .sr-price").inner_text()
    assert shown == price  # the server (Babel)
    often = "time a week" if locale == "en" else "gång i veckan"
    assert watch.errors == []
    page.context.close()
    server.context.close()
    assert often  # plurals are checked in test_widgets (Babel) and below (Intl)


def test_plurals_come_from_the_browsers_rules(browser: Any, servers: Servers) -> None:
    page, _ = open_page(browser, servers.other + "/")
    page.locator("#product .sr-exercise").first.wait_for()
    said = page.evaluate("""() => [1, 2].map((n) => new Intl.PluralRules('en').select(n))""")
    assert said == ["one", "other"]
    doses = page.locator("#product .sr-dose").all_inner_texts()
    assert doses and all(re.search(r"\b1 times\b", d) is None for d in doses)
    page.context.close()


# -- a phone's width ------------------------------------------------------------------------------


def demo_pages(servers: Servers) -> list[str]:
    shop = servers.shop
    return [
        f"{shop}/",
        f"{shop}/finder",
        f"{shop}/products/{BELT}",
        f"{shop}{ARTICLE}",
        f"{shop}/cart",
        f"{shop}/embed-demo",
        f"{shop}/reco/embed/finder",
        f"{shop}/reco/embed/product/{BELT}",
        f"{shop}/reco/embed/article/hip-and-lower-back-pain",
        f"{servers.other}/",
    ]


@dataclass
class Visited:
    """What one walk over a set of pages found on each: axe-core's serious problems at 1280 px,
    the page's width at each phone width (and again once the finder answered), and what the
    page's own scripts reported as errors (the demo pages)."""

    axe: dict[str, list[str]] = field(default_factory=dict)
    widths: dict[str, dict[int, int]] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)


#: Opens every <details> on the page and in its widgets' shadow roots.
OPEN_DETAILS = """() => {
    const walk = (root) => root.querySelectorAll('*').forEach((el) => {
        if (el.tagName === 'DETAILS') el.open = true;
        if (el.shadowRoot) walk(el.shadowRoot);
    });
    walk(document);
}"""

#: Resolves once the browser has rendered a whole frame after this call.
NEXT_FRAME = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"


def scroll_width(page: Any) -> int:
    """How wide the document scrolls (the admin's wide tables scroll inside their own boxes)."""
    return int(page.evaluate("document.documentElement.scrollWidth"))


def at_widths(page: Any, widths: tuple[int, ...], measure: Any = page_width) -> dict[int, int]:
    """The page's width (by ``measure``) at each viewport width, resized in place (as a phone turned,
    or a window dragged): CSS lays the page out again at each width, nothing is reloaded."""
    found = {}
    for width in widths:
        page.set_viewport_size({"width": width, "height": 800})
        page.evaluate(NEXT_FRAME)  # what the resize sets off (resize observers, layout) has run
        found[width] = measure(page)
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    return found


@pytest.fixture(scope="module")
def demo_walk(browser: Any, servers: Servers) -> Visited:
    """Each demo page at 1280 px, in one browser page: its width at 320 and 390 px (with every
    <details> open, and again once the finder answered, where it has one), then loaded afresh for
    axe-core (last, since axe's own requests for the stylesheets are refused by CORS or the CSP)."""
    visited = Visited()
    page, watch = open_page(browser, "about:blank")
    for url in demo_pages(servers):
        visit(page, watch, url)
        page.evaluate(OPEN_DETAILS)  # every "how to do it" open, as a curious shopper leaves them
        visited.widths[url] = at_widths(page, PHONES)
        if url.endswith("/finder") or url == servers.other + "/":
            finder = page.locator("[data-shop-reco=finder]").first
            ask(finder, DESCRIPTION)
            finder.get_by_role("heading", name=ROUTINE).wait_for()
            settle(page)
            page.evaluate(OPEN_DETAILS)
            visited.widths[f"{url} answered"] = at_widths(page, PHONES)
        visited.errors[url] = list(watch.errors)
        visit(page, watch, url)
        if url.endswith("/embed-demo"):
            for frame in page.locator("iframe").all():
                frame.scroll_into_view_if_needed()
            settle(page)
        visited.axe[url] = serious_violations(page)
    page.context.close()
    return visited


@pytest.mark.parametrize("width", PHONES)
def test_no_page_is_wider_than_a_phone(demo_walk: Visited, width: int) -> None:
    assert len(demo_walk.widths) == 13  # ten pages, three of them with the finder answered too
    wide = {url: widths[width] for url, widths in demo_walk.widths.items() if widths[width] > width}
    assert wide == {}
    assert {url: errors for url, errors in demo_walk.errors.items() if errors} == {}


@pytest.mark.parametrize("width", [320, 390])
def test_body_map_targets_are_at_least_24_px_on_a_phone(browser: Any, servers: Servers, width: int) -> None:
    page, _ = open_page(browser, servers.other + "/", width, 800)
    page.locator("#finder").get_by_role("checkbox", name="Lower back").wait_for()
    sizes = page.evaluate("""() => [...document.querySelector('#finder').shadowRoot
        .querySelectorAll('.sr-region')].map((g) => {
            const r = g.getBoundingClientRect();
            return [g.getAttribute('aria-label'), Math.round(r.width), Math.round(r.height)];
        })""")
    small = [s for s in sizes if s[1] < 24 or s[2] < 24]
    assert sizes and not small, small
    page.context.close()


# -- axe-core -----------------------------------------------------------------------------------


def test_axe_finds_nothing_serious_on_the_finder(browser: Any, servers: Servers) -> None:
    page, _ = open_page(browser, servers.other + "/")
    finder = page.locator("#finder")
    finder.get_by_label("Describe where it hurts and when").wait_for()
    page.locator("#product .sr-exercise").first.wait_for()
    settle(page)
    assert serious_violations(page) == [], "empty"
    ask(finder, DESCRIPTION)
    finder.get_by_role("heading", name=ROUTINE).wait_for()
    settle(page)
    assert serious_violations(page) == [], "answered"
    ask(finder, URGENT)
    finder.get_by_text("Please get medical help now").wait_for()
    assert serious_violations(page) == [], "urgent"
    page.context.close()


def test_axe_finds_nothing_serious_on_the_demo_pages_and_iframes(demo_walk: Visited) -> None:
    assert len(demo_walk.axe) == 10
    assert {url: found for url, found in demo_walk.axe.items() if found} == {}


def admin_urls(servers: Servers) -> list[str]:
    admin = servers.shop + "/reco/admin"
    return [
        f"{admin}/rules",
        f"{admin}/rules/new",
        f"{admin}/rules/sitting-hip-flexors/edit",
        f"{admin}/rules/sitting-hip-flexors/json",
        f"{admin}/preview",
        f"{admin}/products",
        f"{admin}/products/{BELT}/edit",
        f"{admin}/exercises",
        f"{admin}/exercises/plank/edit",
        f"{admin}/articles",
        f"{admin}/articles/hip-and-lower-back-pain/en/edit",
        f"{admin}/articles/import",
        f"{admin}/synonyms",
        f"{admin}/analytics",
        f"{admin}/revisions",
        f"{admin}/testbench",
        f"{admin}/testbench/run",
        f"{admin}/transfer",
        f"{admin}/experiments",
        f"{admin}/products/import",
    ]


def signed_in_admin(browser: Any, servers: Servers, width: int = 1280) -> tuple[Any, Any]:
    page, watch = open_page(browser, servers.shop + "/demo-login", width, 900)
    page.get_by_label("User name").fill("merchant")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/reco/admin/.*"))
    return page, watch


@pytest.fixture(scope="module")
def admin_walk(browser: Any, servers: Servers) -> Visited:
    """Each admin page loaded once, signed in, at 1280 px: axe-core, then the width at 390 px."""
    visited = Visited()
    page, _ = signed_in_admin(browser, servers)
    for url in admin_urls(servers):
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        settle(page)
        visited.axe[url] = serious_violations(page)
        visited.widths[url] = at_widths(page, (PHONE[0],), scroll_width)
    page.context.close()
    return visited


def test_axe_finds_nothing_serious_in_the_admin(admin_walk: Visited) -> None:
    assert len(admin_walk.axe) == 20
    problems = {url: found for url, found in admin_walk.axe.items() if found}
    assert problems == {}, json.dumps(problems, indent=1)


def test_every_admin_page_fits_a_phone(admin_walk: Visited) -> None:
    assert {url: w[PHONE[0]] for url, w in admin_walk.widths.items() if w[PHONE[0]] > PHONE[0]} == {}


def test_the_rule_preview_stays_in_view_while_editing(browser: Any, servers: Servers) -> None:
    page, _ = signed_in_admin(browser, servers)
    page.goto(servers.shop + "/reco/admin/rules/sitting-hip-flexors/edit")
    settle(page)
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight / 2)")
    page.wait_for_timeout(200)
    box = page.locator(".preview-card").bounding_box()
    assert box is not None and 0 <= box["y"] < DESKTOP[1] / 2
    page.context.close()


# -- screenshots for docs/widgets.md --------------------------------------------------------------


@pytest.mark.parametrize(("size", "viewport"), [("390", PHONE), ("1280", DESKTOP)])
def test_screenshots_of_every_widget(browser: Any, servers: Servers, size: str, viewport: tuple[int, int]) -> None:
    page, watch = open_page(browser, servers.shop + "/finder", *viewport)
    finder = page.locator("[data-shop-reco=finder]")
    page.wait_for_function("document.querySelector('[data-shop-reco=finder]').shadowRoot !== null")
    finder.get_by_label("Describe where it hurts and when").wait_for()
    shoot(page, f"finder-empty-{size}")
    finder.get_by_role("checkbox", name=re.compile("Lower back")).click()
    ask(finder, DESCRIPTION)
    finder.get_by_role("heading", name=ROUTINE).wait_for()
    settle(page)
    shoot(page, f"finder-answer-{size}")
    ask(finder, URGENT)
    finder.get_by_text("Please get medical help now").wait_for()
    settle(page)
    shoot(page, f"finder-urgent-{size}")
    page.goto(servers.shop + f"/products/{BELT}")
    page.locator("[data-shop-reco=product] .sr-exercise").first.wait_for()
    settle(page)
    shoot(page, f"product-{size}")
    page.goto(servers.shop + ARTICLE + "#ergonomic-aids")
    page.locator("[data-shop-reco=article] .sr-product").first.wait_for()
    settle(page)
    shoot(page, f"article-{size}", page.locator("#ergonomic-aids"))
    page.goto(servers.shop + "/embed-demo")
    settle(page)
    shoot(page, f"iframes-{size}", max_height=2000)
    assert watch.errors == []
    page.context.close()
    admin, _ = signed_in_admin(browser, servers, viewport[0])
    admin.goto(servers.shop + "/reco/admin/rules/sitting-hip-flexors/edit")
    settle(admin)
    shoot(admin, f"admin-rule-{size}")
    admin.context.close()


def test_the_axe_check_does_find_a_serious_problem(browser: Any, servers: Servers) -> None:
    page, _ = open_page(browser, servers.shop + "/")
    page.evaluate("""() => {
        const host = document.createElement('div');
        document.querySelector('main').appendChild(host);
        host.attachShadow({mode: 'open'}).innerHTML = '<button></button>';  // a button with no name
    }""")
    assert any("button-name" in v for v in serious_violations(page))
    page.context.close()
