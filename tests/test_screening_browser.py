"""The red-flag screen in a real headless Chromium: the script on another origin, and the finder without JavaScript."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from tests.conftest import REPO
from tests.test_widgets_browser import (  # noqa: F401 (fixtures)
    ARTIFACTS,
    Servers,
    Watch,
    browser,
    open_page,
    servers,
    settle,
)

pytestmark = pytest.mark.browser

ORDINARY = "My lower back aches after sitting at my desk all day"
ROUTINE = "Your routine"
SCREEN = "Before your suggestions: do any of these apply to you?"
URGENT_HEADING = "Please get medical help now"


def send(finder: Any, text: str) -> None:
    finder.get_by_label("Describe where it hurts and when").fill(text)
    finder.get_by_role("button", name="Show my suggestions").click()


def no_overflow(page: Any, width: int) -> None:
    """Nothing is wider than the viewport, inside the widget's shadow root or on the page."""
    widths = page.evaluate("""() => {
        const root = document.querySelector('#finder').shadowRoot;
        const wide = [...root.querySelectorAll('*')].filter(el => el.getBoundingClientRect().right > innerWidth + 1);
        return [document.documentElement.scrollWidth, wide.map(el => el.className).slice(0, 5)];
    }""")
    assert widths[0] <= width and widths[1] == [], widths


def test_an_ordinary_description_shows_the_screen_first_then_the_routine(browser: Any, servers: Servers) -> None:  # noqa: F811
    page, watch = open_page(browser, servers.other + "/")
    finder = page.locator("#finder")
    send(finder, ORDINARY)
    finder.get_by_role("heading", name=SCREEN).wait_for()
    assert finder.get_by_role("heading", name=ROUTINE).count() == 0
    assert finder.locator(".sr-exercise, .sr-product").count() == 0
    assert (
        finder.get_by_role(
            "checkbox", name="Do you have a fever, or feel hot and shivery, along with the pain?"
        ).count()
        == 1
    )
    assert finder.locator("[role=status]").first.text_content() == SCREEN
    finder.get_by_role("button", name="None of these apply").click()
    finder.get_by_role("heading", name=ROUTINE).wait_for()
    assert finder.locator(".sr-exercise").count() >= 3
    assert finder.locator(".sr-screen").count() == 0
    assert watch.errors == []
    page.context.close()


def test_ticking_fever_gives_urgent_advice_and_no_routine(browser: Any, servers: Servers) -> None:  # noqa: F811
    page, watch = open_page(browser, servers.other + "/")
    finder = page.locator("#finder")
    send(finder, ORDINARY)
    finder.get_by_role("button", name="Continue with what I ticked").click()  # nothing ticked: asked kindly
    finder.get_by_text("Tick what applies, or choose “None of these apply”.").wait_for()
    finder.get_by_role("checkbox", name="Do you have a fever, or feel hot and shivery, along with the pain?").check()
    finder.get_by_role("button", name="Continue with what I ticked").click()
    finder.get_by_text(URGENT_HEADING).wait_for()
    assert finder.get_by_role("heading", name=ROUTINE).count() == 0
    assert finder.locator(".sr-exercise, .sr-product, .sr-block").count() == 0
    assert finder.get_by_text("What to do now").is_visible()
    assert finder.locator(".sr-call").text_content() == "Call your local emergency number"
    assert watch.errors == []
    page.context.close()


def test_a_swedish_finder_says_inget_av_detta_stammer_and_links_112(browser: Any, servers: Servers) -> None:  # noqa: F811
    page, watch = open_page(browser, servers.other + "/")
    page.evaluate("""() => {
        const div = document.createElement('div');
        div.id = 'sv-finder';
        div.setAttribute('data-shop-reco', 'finder');
        div.setAttribute('data-locale', 'sv');
        document.querySelector('main').prepend(div);
        window.ShopReco.scan();
    }""")
    finder = page.locator("#sv-finder")
    finder.get_by_label("Beskriv var det gör ont och när").fill("Det värker i ländryggen när jag har suttit länge")
    finder.get_by_role("button", name="Visa mina förslag").click()
    finder.get_by_role("checkbox", name="Började smärtan efter ett fall, en olycka eller en hård smäll?").check()
    finder.get_by_role("button", name="Inget av detta stämmer").click()  # a tick counts, whichever button
    finder.get_by_role("link", name="Ring 112 vid nödläge").wait_for()
    assert finder.get_by_role("link", name="Ring 112 vid nödläge").get_attribute("href") == "tel:112"
    assert finder.get_by_role("link", name="Ring 1177 för sjukvårdsrådgivning").get_attribute("href") == "tel:1177"
    assert finder.get_by_role("heading", name="Ditt träningsprogram").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    finder.locator(".sr-results").screenshot(path=str(ARTIFACTS / "urgent-sv-call-links.png"), animations="disabled")
    assert watch.errors == []
    page.context.close()


def test_a_vague_text_says_what_we_cover_and_folds_the_general_routine(browser: Any, servers: Servers) -> None:  # noqa: F811
    page, watch = open_page(browser, servers.other + "/")
    finder = page.locator("#finder")
    send(finder, "my knee hurts")
    finder.get_by_role("button", name="None of these apply").click()
    finder.get_by_text("We cover the lower back, hips").wait_for()
    assert not finder.get_by_role("heading", name=ROUTINE).is_visible()  # folded away
    finder.get_by_text("Or see a general routine instead").click()
    assert finder.get_by_role("heading", name=ROUTINE).is_visible()
    finder.get_by_role("button", name="Change my description").click()
    assert page.evaluate("document.querySelector('#finder').shadowRoot.activeElement.tagName") == "TEXTAREA"
    assert watch.errors == []
    page.context.close()


def test_the_finder_without_javascript_screens_over_two_posts(browser: Any, servers: Servers) -> None:  # noqa: F811
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(servers.shop + "/reco/widgets/finder?locale=en")
    page.get_by_label("Describe where it hurts and when").fill(ORDINARY)
    page.get_by_role("button", name="Show my suggestions").click()
    page.get_by_role("heading", name=SCREEN).wait_for()
    assert page.get_by_role("heading", name=ROUTINE).count() == 0
    page.get_by_role("button", name="None of these apply").click()
    page.get_by_role("heading", name=ROUTINE).wait_for()
    assert page.get_by_label("Describe where it hurts and when").input_value() == ORDINARY  # never lost

    page.get_by_role("button", name="Show my suggestions").click()
    page.get_by_role("checkbox", name="Do you have a fever, or feel hot and shivery, along with the pain?").check()
    page.get_by_role("button", name="Continue with what I ticked").click()
    page.get_by_text(URGENT_HEADING).wait_for()
    assert page.get_by_role("heading", name=ROUTINE).count() == 0
    wide = page.evaluate("""() => [...document.querySelectorAll('.shop-reco-finder, .shop-reco-finder *')]
        .filter(el => el.getBoundingClientRect().right > innerWidth + 1).map(el => el.className)""")
    assert wide == []  # the finder fits the phone (the demo shop's own header is the host's)
    context.close()


@pytest.mark.parametrize(("name", "width", "height"), [("desktop", 1280, 900), ("mobile", 390, 844)])
def test_screen_step_screenshots(browser: Any, servers: Servers, name: str, width: int, height: int) -> None:  # noqa: F811
    page, watch = open_page(browser, servers.other + "/", width, height)
    finder = page.locator("#finder")
    send(finder, "My lower back aches after sitting, and it wakes me at night")
    finder.get_by_role("heading", name=SCREEN).wait_for()
    settle(page)
    no_overflow(page, width)
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"screen-step-{name}.png"
    finder.locator(".sr-screen").screenshot(path=str(shot), animations="disabled")
    assert shot.stat().st_size > 5_000
    if name == "mobile":  # the picture in docs/screening.md
        shutil.copyfile(shot, REPO / "docs" / "screening-step.png")
    finder.get_by_role("checkbox", name="Did the pain start after a fall, an accident or a hard knock?").check()
    finder.get_by_role("button", name="Continue with what I ticked").click()
    finder.get_by_text(URGENT_HEADING).wait_for()
    no_overflow(page, width)
    finder.locator(".sr-results").screenshot(path=str(ARTIFACTS / f"urgent-{name}.png"), animations="disabled")
    assert watch.errors == []
    page.context.close()
