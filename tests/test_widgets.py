"""Storefront widgets: server macros, the no-JS finder, fragments, iframes, caching and safety."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from shop_reco.settings import ConfigError
from shop_reco.widgets.policies import widget_etag
from shop_reco.widgets.rendering import WidgetTemplateGlobal, safe_url, text_blocks
from shop_reco.widgets.strings import compose_description, ui_text
from tests.conftest import make_app

BELT = "lumbar-support-belt"
ARTICLE = "hip-and-lower-back-pain"
URGENT = "I can't control my bladder and my groin is numb"
HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(2)> my lower back hurts after sitting'


def page(client: FlaskClient, url: str, **kwargs: object) -> str:
    response = client.get(url, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def finder_post(client: FlaskClient, url: str = "/reco/widgets/finder", **form: object):  # type: ignore[no-untyped-def]
    """The finder's form as a shopper sends it once the red-flag screen is answered "None of these apply"."""
    return client.post(url, data={"locale": "en", "screen_step": "1", "screen_none": "1", **form})


# -- the three widgets through the Jinja global on the demo shop's pages ---------------------


def test_product_page_shows_exercises_and_reading_for_the_product(client: FlaskClient) -> None:
    html = page(client, f"/products/{BELT}")
    assert "Exercises and reading that go with this product" in html
    assert html.count('class="sr-card sr-exercise"') >= 1
    assert 'data-shop-reco="product"' in html and f'data-sku="{BELT}"' in html
    assert "times a week" in html
    assert '<script src="/reco/widget.js" defer></script>' in html


def test_article_page_shows_sections_with_products(client: FlaskClient) -> None:
    html = page(client, f"/articles/{ARTICLE}")
    assert re.search(r'<h1 class="sr-title sr-article-title"[^>]*>Hip and lower back pain', html)
    assert 'id="stretching"' in html and 'id="ergonomic-aids"' in html
    assert "Products for this section" in html
    assert "/cart/add?sku=lumbar-support-belt" in html
    assert "<li>Hamstring stretch: loosens the back of the thigh" in html  # bullet lists from the body
    assert "Sources" in html


def test_finder_page_has_labelled_description_chips_and_body_map(client: FlaskClient) -> None:
    html = page(client, "/finder")
    label = re.search(r'<label class="sr-field-label" for="([^"]+)">Describe where it hurts and when<', html)
    assert label and f'<textarea class="sr-textarea" id="{label.group(1)}" name="description"' in html
    assert 'action="/reco/widgets/finder"' in html and 'method="post"' in html
    for chip in ("After sitting", "When lifting"):
        assert chip in html
    for area in ("lower_back", "upper_back", "neck", "shoulder"):
        assert f'data-area="{area}"' in html
        assert f'name="area" value="{area}"' in html
    for area in ("hip", "buttock", "thigh", "leg"):  # once per side
        for side in ("right", "left"):
            assert f'data-area="{area}" data-side="{side}"' in html
            assert f'name="area" value="{area}:{side}"' in html
    assert "<span>Right hip</span>" in html and "<span>Left leg</span>" in html
    assert 'class="sr-bodymap-figure"' in html


def test_unknown_sku_or_slug_renders_nothing(app: Flask, client: FlaskClient) -> None:
    widgets = WidgetTemplateGlobal()
    with app.test_request_context("/"):
        assert widgets.product_pairings("no-such-sku") == ""
        assert widgets.article("no-such-article") == ""
        assert widgets.product_pairings(BELT) != ""
    for url in (
        "/reco/widgets/product/no-such-sku",
        "/reco/embed/product/no-such-sku",
        "/reco/widgets/article/no-such-article",
        "/reco/embed/article/no-such-article",
    ):
        response = client.get(url)
        assert response.status_code == 404 and response.data == b"", url
    api = client.get("/reco/api/v1/products/no-such-sku/pairings")
    assert api.status_code == 404 and api.get_json()["code"] == "not_found"


def test_the_template_variable_yields_to_the_hosts_own(app: Flask) -> None:
    from flask import render_template_string

    with app.test_request_context("/"):
        assert render_template_string("{{ shop_reco is defined }}") == "True"
        assert render_template_string("{{ shop_reco }}", shop_reco="the host's") == "the host&#39;s"


# -- the finder without JavaScript ----------------------------------------------------------


def test_no_js_finder_answers_with_a_routine_products_and_reading(client: FlaskClient) -> None:
    response = finder_post(client, description="My lower back aches after sitting at my desk all day")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "Back &amp; Hip Comfort Shop" in html  # the demo's SHOP_RECO_WIDGET_PAGE_TEMPLATE
    assert '<link rel="stylesheet" href="/reco/static/widget.css">' in html
    assert "Your routine" in html and html.count('class="sr-card sr-exercise"') >= 3
    assert "times a week" in html and "How to do it" in html
    assert "you mentioned “sitting”" in html  # one sentence in the shopper's own words
    assert "Products that may help" in html and '<form class="sr-cart" method="post" action="/cart/add?sku=' in html
    assert "Read more" in html and 'href="/articles/hip-and-lower-back-pain#' in html
    assert "not medical advice" in html
    # No lost input: the form comes back with the text, below the answer.
    assert ">My lower back aches after sitting at my desk all day</textarea>" in html
    assert html.index("Your routine") < html.index("<textarea")


def test_no_js_finder_urgent_text_shows_only_the_urgent_message(client: FlaskClient) -> None:
    html = finder_post(client, description=URGENT).get_data(as_text=True)
    results = html[html.index('class="sr-results"') : html.index("<form")]
    assert "Please get medical help now" in results and 'role="alert"' in results
    assert "emergency" in results and "not medical advice" in results
    for absent in ("sr-exercise", "sr-product", "sr-section", "Your routine", "Go easy", "Good to know"):
        assert absent not in results


def test_no_js_finder_understands_body_map_areas_and_chips(client: FlaskClient) -> None:
    response = finder_post(client, description="", area=["lower_back", "hip"], chip=["sitting"])
    html = response.get_data(as_text=True)
    assert "Your routine" in html
    assert 'name="area" value="lower_back" checked' in html and 'name="chip" value="sitting" checked' in html
    assert re.search(r'class="sr-region sr-on" data-area="hip" data-side="right"', html)  # a bare area: both sides
    assert re.search(r'class="sr-region sr-on" data-area="hip" data-side="left"', html)


def test_a_side_chosen_on_the_map_is_said_in_words_and_understood(client: FlaskClient) -> None:
    assert compose_description("", ["hip:right", "thigh:left", "thigh:right"], [], "en") == (
        "It hurts in my right hip and thighs."
    )
    response = finder_post(client, description="", area=["hip:left"])
    html = response.get_data(as_text=True)
    assert "Your routine" in html
    assert 'name="area" value="hip:left" checked' in html and 'name="area" value="hip:right" checked' not in html


def test_after_an_answer_the_map_shows_what_the_text_was_understood_to_mention(client: FlaskClient) -> None:
    html = finder_post(client, description="My right hip and my lower back ache after sitting").get_data(as_text=True)
    assert "Your routine" in html
    for key in ("hip:right", "lower_back"):
        assert f'name="area" value="{key}" checked' in html, key
    assert 'name="area" value="hip:left" checked' not in html
    assert re.search(r'class="sr-region sr-on" data-area="lower_back"', html)


def test_no_js_finder_asks_again_for_an_empty_or_too_long_description(client: FlaskClient) -> None:
    empty = finder_post(client, description="  ")
    assert empty.status_code == 400
    assert "Describe the discomfort in a few words" in empty.get_data(as_text=True)
    assert 'aria-invalid="true"' in empty.get_data(as_text=True)
    long = finder_post(client, description="back pain " * 300)
    assert long.status_code == 400 and "2000 characters" in long.get_data(as_text=True)


def test_iframe_finder_posts_to_itself_and_links_open_in_the_shop(client: FlaskClient) -> None:
    form = page(client, "/reco/embed/finder?locale=en")
    assert 'action="/reco/embed/finder"' in form
    response = finder_post(client, "/reco/embed/finder", description="my hips are stiff after sitting")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert 'target="_top"' in response.get_data(as_text=True)


# -- caching ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"/reco/widgets/product/{BELT}",
        f"/reco/embed/product/{BELT}",
        f"/reco/widgets/article/{ARTICLE}",
        f"/reco/embed/article/{ARTICLE}",
    ],
)
def test_product_and_article_widgets_are_cacheable_with_an_etag(client: FlaskClient, url: str) -> None:
    first = client.get(url + "?locale=en")
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "public, max-age=300, stale-while-revalidate=86400"
    assert "Accept-Language" in first.headers["Vary"]
    etag = first.headers["ETag"]
    again = client.get(url + "?locale=en", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    swedish = client.get(url + "?locale=sv")
    assert swedish.headers["ETag"] != etag


def test_etag_follows_sku_locale_and_rules_revision() -> None:
    base = widget_etag("product", BELT, "en", 3)
    assert base == widget_etag("product", BELT, "en", 3)
    assert (
        len(
            {
                base,
                widget_etag("product", "other", "en", 3),
                widget_etag("product", BELT, "sv", 3),
                widget_etag("product", BELT, "en", 4),
            }
        )
        == 4
    )


def test_finder_answers_are_never_cached(client: FlaskClient) -> None:
    for response in (
        client.get("/reco/widgets/finder"),
        client.get("/reco/embed/finder"),
        finder_post(client, description="sore neck"),
    ):
        assert response.headers["Cache-Control"] == "no-store"
        assert "ETag" not in response.headers


# -- security headers ---------------------------------------------------------------------------


def test_iframe_pages_may_be_framed_only_by_the_allowed_shops(client: FlaskClient, tmp_path: Path) -> None:
    for url in ("/reco/embed/finder", f"/reco/embed/product/{BELT}", f"/reco/embed/article/{ARTICLE}"):
        csp = client.get(url).headers["Content-Security-Policy"]
        assert csp.endswith("frame-ancestors 'self'") and "script-src 'self'" in csp, url
    fragment = client.get(f"/reco/widgets/product/{BELT}")
    assert "frame-ancestors 'none'" in fragment.headers["Content-Security-Policy"]

    other = make_app(
        f"sqlite:///{tmp_path / 'f.db'}",
        tmp_path,
        SHOP_RECO_FRAME_ANCESTORS=["https://shop.example", "https://www.shop.example"],
    )
    with other.test_client() as c:
        csp = c.get("/reco/embed/finder").headers["Content-Security-Policy"]
    assert csp.endswith("frame-ancestors https://shop.example https://www.shop.example")
    other.extensions["shop_reco"].close()


def test_a_malformed_frame_ancestor_fails_loudly(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SHOP_RECO_FRAME_ANCESTORS"):
        make_app(
            f"sqlite:///{tmp_path / 'f.db'}",
            tmp_path,
            SHOP_RECO_FRAME_ANCESTORS=["https://a.example; script-src *"],
        )


@pytest.mark.parametrize(
    "url",
    [
        "/reco/widget.js",
        "/reco/widgets/ui.json",
        "/reco/widgets/finder",
        "/reco/embed/finder",
        f"/reco/widgets/product/{BELT}",
    ],
)
def test_widget_responses_carry_security_headers(client: FlaskClient, url: str) -> None:
    headers = client.get(url).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Content-Security-Policy" in headers


def test_host_pages_get_no_widget_headers(client: FlaskClient) -> None:
    headers = client.get("/finder").headers
    assert "Content-Security-Policy" not in headers and "X-Content-Type-Options" not in headers


def test_ui_text_is_shared_only_with_allowed_origins(tmp_path: Path) -> None:
    shop = make_app(f"sqlite:///{tmp_path / 'c.db'}", tmp_path, SHOP_RECO_CORS_ORIGINS=["http://other.test:5001"])
    with shop.test_client() as c:
        allowed = c.get("/reco/widgets/ui.json", headers={"Origin": "http://other.test:5001"})
        refused = c.get("/reco/widgets/ui.json", headers={"Origin": "http://evil.test"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "http://other.test:5001"
    assert "Access-Control-Allow-Origin" not in refused.headers
    assert "Origin" in allowed.headers["Vary"]
    shop.extensions["shop_reco"].close()


# -- languages ------------------------------------------------------------------------------


def test_swedish_from_the_hosts_locale_argument(client: FlaskClient) -> None:
    html = page(client, "/finder?lang=sv")
    assert "Beskriv var det gör ont och när" in html and "Visa mina förslag" in html
    assert 'lang="sv"' in html and "Ländrygg" in html
    product = page(client, f"/products/{BELT}?lang=sv")
    assert "Övningar och läsning som passar till produkten" in product and "gånger i veckan" in product


def test_swedish_from_accept_language_and_the_locale_parameter(client: FlaskClient) -> None:
    swedish = {"Accept-Language": "sv-SE,sv;q=0.9,en;q=0.5"}
    ui = client.get("/reco/widgets/ui.json", headers=swedish).get_json()
    assert ui["locale"] == "sv" and ui["strings"]["submit"] == "Visa mina förslag"
    assert client.get("/reco/widgets/ui.json?locale=de").get_json()["locale"] == "en"  # lenient: no error
    html = page(client, "/reco/embed/finder?locale=sv")
    assert "Beskriv var det gör ont och när" in html
    answer = finder_post(client, description="Det värker i ländryggen när jag har suttit länge", locale="sv")
    assert "Ditt träningsprogram" in answer.get_data(as_text=True)


def test_every_ui_string_exists_in_english_and_swedish() -> None:
    en, sv = ui_text("en"), ui_text("sv")
    assert set(en.strings) == set(sv.strings)
    assert [c["code"] for c in en.chips] == [c["code"] for c in sv.chips]
    assert all(sv[k] for k in sv.strings)
    assert en.frequency({"min": 2, "max": 3}) == "2–3 times a week"


@pytest.mark.parametrize(
    ("locale", "amount", "currency", "shown"),
    [
        ("en", "39.00", "EUR", "€39.00"),
        ("sv", "39.00", "EUR", "39,00\xa0€"),
        ("en", "1299.50", "EUR", "€1,299.50"),
        ("sv", "1299.50", "SEK", "1\xa0299,50\xa0kr"),
        ("en", "39.00", "NOPE", "39.00 NOPE"),
    ],
)
def test_prices_are_written_the_locales_way_from_cldr(locale: str, amount: str, currency: str, shown: str) -> None:
    assert ui_text(locale).price(amount, currency) == shown


@pytest.mark.parametrize(
    ("locale", "weekly", "shown"),
    [
        ("en", {"min": 1, "max": 1}, "1 time a week"),
        ("en", {"min": 2, "max": 2}, "2 times a week"),
        ("sv", {"min": 1, "max": 1}, "1 gång i veckan"),
        ("sv", {"min": 3}, "3 gånger i veckan"),
    ],
)
def test_frequencies_use_the_locales_plural_rules(locale: str, weekly: dict[str, int], shown: str) -> None:
    assert ui_text(locale).frequency(weekly) == shown


def test_body_map_areas_become_words_of_the_description() -> None:
    swedish = compose_description("", ["hip", "lower_back"], [], "sv")
    assert swedish == "Det gör ont i ländryggen och höfterna."
    assert compose_description("Stiff", ["neck"], ["sitting"], "en") == (
        "Stiff. It gets worse after sitting. It hurts in my neck."
    )


# -- hostile text ------------------------------------------------------------------------------


def test_hostile_description_is_shown_as_text(client: FlaskClient) -> None:
    html = finder_post(client, description=HOSTILE).get_data(as_text=True)
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_hostile_merchant_content_is_shown_as_text(app: Flask, client: FlaskClient) -> None:
    from sqlalchemy import select

    from shop_reco.answering.snapshot import invalidate_snapshot
    from shop_reco.extension import get_session
    from shop_reco.storage.models import Product

    before = client.get(f"/reco/widgets/article/{ARTICLE}?locale=en").headers["ETag"]
    with app.app_context():
        session = get_session()
        product = session.scalars(select(Product).where(Product.sku == BELT)).one()
        product.text = {**product.text, "en": {"name": '"><img src=x onerror=alert(3)>', "description": "x"}}
        product.url = "javascript:alert(4)"
        product.image_url = "javascript:alert(5)"
        session.commit()
        invalidate_snapshot()
    response = client.get(f"/reco/widgets/article/{ARTICLE}?locale=en")
    html = response.get_data(as_text=True)
    assert response.headers["ETag"] != before  # the content revision moved
    assert "&#34;&gt;&lt;img src=x onerror=alert(3)&gt;" in html
    assert "<img src=x" not in html and "javascript:" not in html


def test_only_relative_and_http_urls_become_links() -> None:
    assert safe_url("/products/belt") == "/products/belt"
    assert safe_url("https://shop.example/x") == "https://shop.example/x"
    bad_urls = ("javascript:alert(1)", " JaVa\tScRiPt:alert(1)", "data:text/html,<b>", "vbscript:x", None, "")
    for bad in bad_urls:
        assert safe_url(bad) is None


def test_article_bodies_become_paragraphs_and_lists() -> None:
    blocks = text_blocks("One\ntwo\n\n- a\n- b\n\nEnd")
    assert blocks == [{"text": "One two"}, {"bullets": ["a", "b"]}, {"text": "End"}]


# -- the script -------------------------------------------------------------------------------


def test_widget_js_is_javascript_and_small(client: FlaskClient) -> None:
    response = client.get("/reco/widget.js")
    assert response.status_code == 200
    assert response.mimetype in ("text/javascript", "application/javascript")
    assert len(gzip.compress(response.data, compresslevel=9)) < 15 * 1024
    assert "public" in response.headers["Cache-Control"]
    again = client.get("/reco/widget.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    source = response.get_data(as_text=True)
    assert ".innerHTML" not in source and "eval(" not in source and "document.write" not in source
    with client.get("/reco/static/widget.css") as css:
        assert css.status_code == 200 and css.mimetype == "text/css"


def test_events_in_the_scripts_shape_are_accepted(client: FlaskClient) -> None:
    event = {
        "kind": "impression",
        "recommendation_id": None,
        "item_type": "exercise",
        "item_id": "plank",
        "rule": None,
        "page_view": "0123456789abcdef01234567",
        "widget": "product",
        "locale": "en",
    }
    response = client.post(
        "/reco/api/v1/events",
        json={"events": [event, {**event, "kind": "add_to_cart", "item_type": "product", "item_id": BELT}]},
    )
    assert response.status_code == 202 and response.get_json() == {"accepted": 2}


# -- the demo's other ways to embed --------------------------------------------------------------


def test_embed_demo_frames_the_three_iframe_widgets(client: FlaskClient) -> None:
    html = page(client, "/embed-demo")
    for src in (
        "/reco/embed/finder?locale=en",
        f"/reco/embed/product/{BELT}?locale=en",
        f"/reco/embed/article/{ARTICLE}?locale=en",
    ):
        assert f'src="{src}"' in html


def test_other_origin_page_loads_the_script_from_the_shop() -> None:
    from werkzeug.test import Client

    from shop_reco.demo.other_origin import make_other_origin_app

    client = Client(make_other_origin_app("http://127.0.0.1:5000/"))
    html = client.get("/").get_data(as_text=True)
    assert '<script src="http://127.0.0.1:5000/reco/widget.js" defer></script>' in html
    assert 'data-shop-reco="finder"' in html and client.get("/nope").status_code == 404


def test_an_oversized_form_is_refused_before_parsing(client: FlaskClient) -> None:
    response = client.post("/reco/widgets/finder", data={"description": "x" * 40_000})
    assert response.status_code == 413


def test_no_js_finder_consult_text_says_see_a_professional_and_shows_no_exercises(client: FlaskClient) -> None:
    html = finder_post(client, description="My lower back hurts and my left leg has gone numb").get_data(as_text=True)
    results = html[html.index('class="sr-results"') : html.index("<form")]
    assert "Please talk to a professional first" in results and "sr-safety-consult" in results
    assert "sr-exercise" not in results and "Your routine" not in results


def test_rate_limited_no_js_finder_keeps_the_text_and_says_wait(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import make_app

    app = make_app(
        f"sqlite:///{tmp_path / 'rl.db'}", tmp_path, SHOP_RECO_RATELIMIT_ENABLED=True, SHOP_RECO_RATELIMIT="1/minute"
    )
    assert app.test_cli_runner().invoke(args=["shop-reco", "db", "upgrade"]).exit_code == 0
    client = app.test_client()
    assert client.post("/reco/widgets/finder", data={"description": "my hip aches"}).status_code == 200
    for path in ("/reco/widgets/finder", "/reco/embed/finder"):  # one budget for both forms
        reply = client.post(path, data={"description": "stiff neck after my commute"})
        assert reply.status_code == 429, path
        html = reply.get_data(as_text=True)
        assert "stiff neck after my commute" in html and "wait a minute" in html, path
        # Seconds left in the limiter's window: the full minute, or less when the clock ticked over.
        assert 1 <= int(reply.headers["Retry-After"]) <= 60 and reply.mimetype == "text/html"
    app.extensions["shop_reco"].close()


def test_a_finder_post_over_the_body_limit_shows_the_form_and_the_limit(app, client) -> None:  # type: ignore[no-untyped-def]
    for path in ("/reco/widgets/finder", "/reco/embed/finder"):
        reply = client.post(path, data={"description": "my back hurts " * 2000})  # about 28 KB
        assert reply.status_code == 413 and reply.mimetype == "text/html", path
        html = reply.get_data(as_text=True)
        assert "shorten your description to 2000 characters" in html and "<textarea" in html, path
        assert "Traceback" not in html and reply.headers["Cache-Control"] == "no-store"
