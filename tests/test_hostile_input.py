"""Hostile input from anyone (shoppers, merchants, imported files) is stored intact and shown as text."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import inspect, select

from shop_reco.answers import invalidate_snapshot
from shop_reco.extension import get_session
from shop_reco.storage.models import Article, Product, Rule, Synonym
from tests.test_widgets_browser import Servers, browser, open_page, servers  # noqa: F401  (fixtures)

SQLISH = "Robert'); DROP TABLE reco_product;-- \" OR 1=1 --"
XSS = '"><img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'


def test_sql_looking_text_is_stored_and_returned_intact(app: Flask, client: Any) -> None:
    with app.app_context():
        session = get_session()
        cushion = session.scalars(select(Product).where(Product.sku == "ergonomic-seat-cushion")).one()
        cushion.text = {**cushion.text, "en": {**cushion.text["en"], "name": SQLISH}}
        session.add(Synonym(locale="en", group="trigger", code="sitting", phrase="o'brien desk"))
        session.commit()
        invalidate_snapshot()
    body = client.post(
        "/reco/api/v1/recommendations", json={"description": f"my lower back aches after sitting {SQLISH}"}
    ).get_json()
    names = {p["sku"]: p["name"] for p in body["products"]}
    assert names["ergonomic-seat-cushion"] == SQLISH
    quoted = client.post("/reco/api/v1/recommendations", json={"description": "pain at my o'brien desk"})
    assert "sitting" in quoted.get_json()["profile"]["triggers"], "a synonym with a quote still matches"
    with app.app_context():
        assert "reco_product" in inspect(get_session().get_bind()).get_table_names()


def _make_content_hostile(app: Flask) -> None:
    with app.app_context():
        session = get_session()
        belt = session.scalars(select(Product).where(Product.sku == "lumbar-support-belt")).one()
        belt.text = {**belt.text, "en": {**belt.text["en"], "name": f"Belt {XSS}", "description": XSS}}
        for rule in session.scalars(select(Rule)):
            actions = dict(rule.actions)
            actions["note"] = {"en": f"Note {XSS}", "sv": "Not"}
            rule.actions = actions
        article = session.scalars(select(Article).where(Article.locale == "en")).first()
        assert article is not None
        article.sections[0].body = f"Body {XSS}"
        article.sections[0].heading = f"Heading {XSS}"
        session.commit()
        invalidate_snapshot()


@pytest.mark.browser
def test_hostile_merchant_content_never_runs_in_any_page(browser: Any, servers: Servers) -> None:  # noqa: F811
    _make_content_hostile(servers.app)
    shop = servers.shop
    pages = [
        f"{shop}/products/lumbar-support-belt",
        f"{shop}/articles/hip-and-lower-back-pain",
        f"{shop}/finder",
        f"{shop}/embed-demo",
        f"{shop}/reco/embed/product/lumbar-support-belt",
        f"{shop}/reco/embed/article/hip-and-lower-back-pain",
    ]
    for url in pages:
        page, watch = open_page(browser, url)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("() => window.__pwned") is None, url
        assert watch.dialogs == [], url
        page.context.close()

    page, watch = open_page(browser, f"{shop}/finder")
    page.wait_for_load_state("networkidle")
    finder = page.locator("[data-shop-reco='finder']").first
    finder.get_by_label("Describe where it hurts and when").fill(f"my lower back aches after lifting {XSS}")
    finder.get_by_role("button", name="Show my suggestions").click()
    finder.get_by_role("button", name="None of these apply").click()  # the red-flag screen comes first
    finder.get_by_text("Note", exact=False).first.wait_for()
    assert page.evaluate("() => window.__pwned") is None
    page_text = page.evaluate("""() => [...document.querySelectorAll('[data-shop-reco]')]
        .map(el => (el.shadowRoot || el).textContent).join(' ')""")
    assert "onerror" in page_text, "the payload is visible as text"
    page.context.close()

    admin, watch = open_page(browser, f"{shop}/demo-login")
    admin.get_by_label("User name").fill("merchant")
    admin.get_by_label("Password").fill("demo")
    admin.get_by_role("button", name="Sign in").click()
    for path in (
        "/reco/admin/rules",
        "/reco/admin/products",
        "/reco/admin/revisions",
        "/reco/admin/products/lumbar-support-belt/edit",
    ):
        admin.goto(f"{shop}{path}")
        admin.wait_for_load_state("networkidle")
        assert admin.evaluate("() => window.__pwned") is None, path
        if path == "/reco/admin/products":
            assert 'onerror="window.__pwned=1"' in admin.locator("main").inner_text(), "shown as text"
    assert watch.dialogs == []
    admin.context.close()
