"""widget.js and visitor ids in headless Chromium: nothing stored without the merchant's switch."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.test_widgets_browser import DESCRIPTION, ROUTINE, Servers, ask, browser, open_page, servers

__all__ = ["browser", "servers"]  # fixtures shared with the widget browser tests

pytestmark = pytest.mark.browser
KEY = "shop-reco-visitor"


def sent_bodies(page: Any) -> list[dict[str, Any]]:
    """The JSON bodies the page posts to /recommendations, as they are sent."""
    bodies: list[dict[str, Any]] = []
    page.on(
        "request",
        lambda r: bodies.append(json.loads(r.post_data)) if r.url.endswith("/recommendations") else None,
    )
    return bodies


def finder_answer(page: Any, selector: str = "#finder") -> None:
    finder = page.locator(selector)
    ask(finder, DESCRIPTION)
    finder.get_by_role("heading", name=ROUTINE).wait_for()


def test_no_visitor_is_made_or_sent_by_default(browser: Any, servers: Servers) -> None:
    page, watch = open_page(browser, servers.other + "/")
    bodies = sent_bodies(page)
    finder_answer(page)
    assert bodies and "visitor" not in bodies[0]
    assert page.evaluate(f"localStorage.getItem('{KEY}')") is None
    assert watch.errors == []
    page.context.close()


def test_the_host_hands_over_a_visitor_after_consent(browser: Any, servers: Servers) -> None:
    page, watch = open_page(browser, servers.other + "/")
    bodies = sent_bodies(page)
    page.locator("#finder").get_by_label("Describe where it hurts and when").wait_for()
    assert page.evaluate("window.ShopReco.setVisitor('consented-visitor-1')") == "consented-visitor-1"
    finder_answer(page)
    assert bodies[-1]["visitor"] == "consented-visitor-1"
    assert page.evaluate(f"localStorage.getItem('{KEY}')") is None  # handed over, not stored by us
    # A widget the host adds with data-visitor uses that id.
    page.evaluate("""() => {
        window.ShopReco.setVisitor(null);
        const div = document.createElement('div');
        div.id = 'second';
        div.setAttribute('data-shop-reco', 'finder');
        div.setAttribute('data-visitor', 'attribute-visitor-2');
        document.body.appendChild(div);
        window.ShopReco.scan();
    }""")
    finder_answer(page, "#second")
    assert bodies[-1]["visitor"] == "attribute-visitor-2"
    assert watch.errors == []
    page.context.close()


def test_the_script_keeps_its_own_id_only_when_the_merchant_turns_it_on(browser: Any, servers: Servers) -> None:
    page, watch = open_page(browser, "about:blank")

    def switched_on(route: Any) -> None:
        response = route.fetch()
        route.fulfill(response=response, json={**response.json(), "visitor_storage": True})

    page.route("**/widgets/ui.json*", switched_on)
    page.goto(servers.other + "/")
    bodies = sent_bodies(page)
    finder_answer(page)
    kept = page.evaluate(f"localStorage.getItem('{KEY}')")
    assert kept and 8 <= len(kept) <= 64 and bodies[-1]["visitor"] == kept
    page.reload()
    finder_answer(page)
    assert bodies[-1]["visitor"] == kept  # the same id on the next visit
    page.evaluate("window.ShopReco.setVisitor(null)")  # consent withdrawn: the id is gone
    assert page.evaluate(f"localStorage.getItem('{KEY}')") is None
    assert watch.errors == []
    page.context.close()
