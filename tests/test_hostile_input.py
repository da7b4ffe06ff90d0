"""Hostile input from anyone (shoppers, merchants, imported files) is stored intact and shown as text.

Bytes no person types (NUL, lone surrogates, JSON nested a thousand deep, NUL in a path) are
refused with a 4xx naming the field, or dropped where invisible; never a 500.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, select

from shop_reco.answering.snapshot import invalidate_snapshot
from shop_reco.api.request_body import hostile_field, may_hold_hostile, parse_json
from shop_reco.extension import get_session
from shop_reco.storage.models import Article, Product, Rule, Synonym
from tests.test_widgets_browser import (  # noqa: F401  (fixtures)
    Servers,
    browser,
    open_page,
    servers,
    settle,
    visit,
)

SQLISH = "Robert'); DROP TABLE reco_product;-- \" OR 1=1 --"
XSS = '"><img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
# Elements the payload would have made had it been parsed as HTML, in the page and its shadow roots:
# checked as well as window.__pwned, which an error handler may set only after the check.
INJECTED = """() => { let made = 0;
    const walk = (root) => root.querySelectorAll('*').forEach((el) => {
        if (el.hasAttribute('onerror') || (el.tagName === 'SCRIPT' && el.textContent.includes('__pwned'))) made++;
        if (el.shadowRoot) walk(el.shadowRoot);
    });
    walk(document); return made; }"""


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
    page, watch = open_page(browser, "about:blank")
    for url in pages:
        visit(page, watch, url)
        for frame in page.frames:
            assert frame.evaluate(INJECTED) == 0, frame.url
        assert page.evaluate("() => window.__pwned") is None, url
        assert watch.dialogs == [], url
    page.context.close()

    page, watch = open_page(browser, f"{shop}/finder")
    settle(page)
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
        settle(admin)
        assert admin.evaluate(INJECTED) == 0, path
        assert admin.evaluate("() => window.__pwned") is None, path
        if path == "/reco/admin/products":
            assert 'onerror="window.__pwned=1"' in admin.locator("main").inner_text(), "shown as text"
    assert watch.dialogs == []
    admin.context.close()


API = "/reco/api/v1"
HOSTILE = "validation_error"


class _AnyMessage(str):
    """Equal to our message about a refused character, whatever its exact words."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and "not allowed" in other

    __hash__ = str.__hash__


ANY_MESSAGE = _AnyMessage()


def _post_raw(client: Any, path: str, raw: str) -> Any:
    return client.post(f"{API}{path}", data=raw, content_type="application/json")


def test_nul_and_lone_surrogates_in_json_answer_400_naming_the_field(client: Any) -> None:
    nul = client.post(f"{API}/recommendations", json={"description": "my lower back \x00 aches"})
    assert nul.status_code == 400 and list(nul.get_json()["errors"]) == ["description"]
    surrogate = _post_raw(client, "/recommendations", '{"description": "my lower back \\ud800 aches"}')
    assert surrogate.status_code == 400 and list(surrogate.get_json()["errors"]) == ["description"]

    good = {"kind": "click", "item_type": "product", "item_id": "lumbar-support-belt"}
    one = client.post(f"{API}/events", json={**good, "page_view": "pv-123456\x00"})
    assert one.status_code == 400 and one.get_json()["errors"] == {"page_view": [ANY_MESSAGE]}
    batch = _post_raw(
        client,
        "/events",
        '{"events": [{"kind": "click", "item_type": "product", "item_id": "lumbar-support-belt"},'
        ' {"kind": "click", "item_type": "product", "item_id": "b\\udfffx"}]}',
    )
    assert batch.status_code == 400 and batch.get_json()["errors"] == {"events": {"1": {"item_id": [ANY_MESSAGE]}}}
    key = _post_raw(client, "/events", '{"kind\\u0000": "click"}')
    assert key.status_code == 400 and "_schema" in key.get_json()["errors"]
    assert client.post(f"{API}/events", json=good).status_code == 202, "clean events are still recorded"


def test_a_lone_surrogate_or_nul_sent_as_raw_bytes_is_refused_in_any_encoding(client: Any) -> None:
    """Not only as a JSON escape: Python's JSON reader lets a surrogate's bytes through in UTF-8,
    UTF-16 and UTF-32 (a raw NUL is a control character it refuses: a plain 400)."""
    bodies = [
        '{"description": "my back \ud800 aches"}'.encode("utf-8", "surrogatepass"),
        '{"description": "my back \udc00 aches"}'.encode("utf-16", "surrogatepass"),
        '{"description": "my back \udfff aches"}'.encode("utf-32-le", "surrogatepass"),
    ]
    for raw in bodies:
        reply = client.post(f"{API}/recommendations", data=raw, content_type="application/json")
        assert reply.status_code == 400 and list(reply.get_json()["errors"]) == ["description"], raw[:12]
    nul = '{"description": "my back \x00 aches"}'.encode("utf-16")
    assert client.post(f"{API}/recommendations", data=nul, content_type="application/json").status_code == 400
    clean = '{"description": "ont i ländryggen"}'.encode("utf-16")
    assert client.post(f"{API}/recommendations", data=clean, content_type="application/json").status_code == 200


_ANY_TEXT = st.characters(codec=None, exclude_categories=())  # surrogates and NUL included


def _encoded(value: Any, encoding: str) -> bytes:
    """``value`` as a client might send it: JSON escapes only (``escaped``), or raw in ``encoding``."""
    if encoding == "escaped":
        return json.dumps(value).encode("ascii")
    return json.dumps(value, ensure_ascii=False).encode(encoding, "surrogatepass")


@settings(max_examples=400)
@given(
    text=st.text(alphabet=_ANY_TEXT, max_size=12),
    encoding=st.sampled_from(["escaped", "utf-8", "utf-16", "utf-16-be", "utf-32-le"]),
)
def test_a_body_whose_strings_hold_nul_or_a_lone_surrogate_is_always_searched(text: str, encoding: str) -> None:
    raw = _encoded({"description": text, text: [text]}, encoding)
    try:
        parsed = json.loads(raw)
    except ValueError:
        return  # refused as malformed before any string is searched
    if hostile_field(parsed) is not None:
        assert may_hold_hostile(raw), raw


def _containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=4) | st.dictionaries(st.text(_ANY_TEXT, max_size=6), inner, max_size=4)


_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(alphabet=_ANY_TEXT, max_size=10),
    _containers,
    max_leaves=12,
)


@settings(max_examples=500)
@given(value=_JSON_VALUES, encoding=st.sampled_from(["escaped", "utf-8", "utf-8-sig", "utf-16", "utf-32-le"]))
def test_a_body_is_read_as_the_standard_library_reads_it(value: Any, encoding: str) -> None:
    """The fast reader gives what json.loads gives, value for value, or refuses what it refuses."""
    raw = _encoded(value, encoding)
    try:
        expected = json.loads(raw)
    except ValueError:
        with pytest.raises(ValueError):
            parse_json(raw)
        return
    read = parse_json(raw)
    assert json.dumps(read) == json.dumps(expected)  # NaN compares unequal to itself; its text does not
    assert _types(read) == _types(expected)


def _types(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _types(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_types(item) for item in value]
    return type(value).__name__


@pytest.mark.parametrize("path", ["/recommendations", "/events"])
def test_json_nested_a_thousand_deep_is_refused_before_parsing(client: Any, path: str) -> None:
    deep = "[" * 1000 + "]" * 1000
    for raw in (deep, '{"description": "hip pain", "limit": ' + deep + "}", '{"events": ' + deep + "}"):
        reply = _post_raw(client, path, raw)
        assert reply.status_code == 400, raw[:40]
        assert reply.get_json()["code"] == HOSTILE
    brackets_in_text = {"description": "[" * 1000 + " my hip hurts"}
    assert client.post(f"{API}/recommendations", json=brackets_in_text).status_code == 200


def test_json_nested_sixteen_deep_is_parsed_and_seventeen_is_refused(client: Any) -> None:
    for depth, hostile in ((16, False), (17, True)):
        limit = "[" * (depth - 1) + "1" + "]" * (depth - 1)  # the body's own object is the first level
        reply = _post_raw(client, "/recommendations", '{"description": "hip pain", "limit": ' + limit + "}")
        assert reply.status_code == 400, depth
        assert (reply.get_json()["errors"] == {"_schema": ["Nested deeper than 16."]}) is hostile, depth
        assert ("limit" in reply.get_json()["errors"]) is not hostile, "sixteen deep reaches the schema"


@pytest.mark.parametrize(
    "path",
    [
        f"{API}/articles/x%00",
        f"{API}/exercises/x%00",
        f"{API}/products/x%00/pairings",
        f"{API}/articles/{'a' * 300}",
    ],
)
def test_hostile_path_keys_in_the_api_are_a_json_404(client: Any, path: str) -> None:
    reply = client.get(path)
    assert reply.status_code == 404 and reply.get_json()["code"] == "not_found"


@pytest.mark.parametrize(
    "path",
    [
        "/reco/widgets/article/x%00",
        "/reco/widgets/product/x%00",
        "/reco/embed/article/x%00",
        "/reco/embed/product/x%00",
        "/products/x%00",
        "/articles/x%00",
        "/cart/add?sku=x%00",
    ],
)
def test_hostile_path_keys_in_widgets_and_pages_are_not_found(client: Any, path: str) -> None:
    reply = client.get(path)
    assert reply.status_code == 404
    if path.startswith("/reco/"):
        assert reply.get_data() == b"", "an include shows no box"


def test_the_no_js_finder_drops_invisible_characters_and_keeps_the_words(client: Any) -> None:
    reply = client.post("/reco/widgets/finder", data={"description": "stiff\x00 neck after my commute\x07"})
    assert reply.status_code == 200
    html = reply.get_data(as_text=True)
    assert "stiff neck after my commute" in html and "\x00" not in html


@pytest.fixture
def admin_client(database_url: str, tmp_path: Path) -> Iterator[Any]:
    from admin_pages import admin_app

    for app in admin_app(database_url, tmp_path):
        yield app.test_client()


def test_nul_in_the_admin_is_refused_before_any_query_and_the_form_comes_back(admin_client: Any) -> None:
    from admin_pages import csrf_token

    for path in ("/reco/admin/rules/x%00/edit", "/reco/admin/products/x%00/edit", "/reco/admin/articles/x%00/en/edit"):
        assert admin_client.get(path).status_code == 404, path
    query = admin_client.get("/reco/admin/analytics?rule=x%00")
    assert query.status_code == 400 and "NUL" in query.get_data(as_text=True)
    token = csrf_token(admin_client.get("/reco/admin/synonyms").get_data(as_text=True))
    form = {"csrf_token": token, "locale": "en", "group": "area", "code": "lower_back", "phrase": "low\x00er spine"}
    reply = admin_client.post("/reco/admin/synonyms", data=form)
    html = reply.get_data(as_text=True)
    assert reply.status_code == 400 and "phrase held an invisible NUL character" in html
    assert 'value="lower spine"' in html and "\x00" not in html, "kept, without the NUL, to send again"
