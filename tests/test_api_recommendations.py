"""POST /reco/api/v1/recommendations: the contract a storefront developer codes against."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from shop_reco.answering import answers
from shop_reco.extension import get_session
from shop_reco.storage.models import Recommendation

URL = "/reco/api/v1/recommendations"


def post(client, body, **kwargs):  # type: ignore[no-untyped-def]
    return client.post(URL, json=body, **kwargs)


def test_desk_sitting_gets_a_reasoned_routine_and_products(client) -> None:  # type: ignore[no-untyped-def]
    reply = post(client, {"description": "My lower back aches after sitting at my desk all day, no numbness."})
    assert reply.status_code == 200
    assert reply.headers["Cache-Control"] == "no-store"
    body = reply.get_json()
    assert body["id"] and body["rules_version"] >= 1
    assert "lower_back" in body["profile"]["areas"]
    assert "sitting" in body["profile"]["triggers"]
    assert body["safety"]["level"] == "none"
    numb = [m for m in body["profile"]["matches"] if m["code"] == "numbness"]
    assert numb and all(m["negated"] for m in numb)
    slugs = [e["slug"] for e in body["exercises"]]
    assert "hip-flexor-stretch" in slugs and "glute-bridge" in slugs
    kinds = {e["kind"] for e in body["exercises"]}
    assert "stretch" in kinds and kinds & {"strength", "core"} and "aerobic" in kinds
    for exercise in body["exercises"]:
        assert exercise["steps"] and exercise["why"] and exercise["name"]
    skus = [p["sku"] for p in body["products"]]
    assert "ergonomic-seat-cushion" in skus
    for product in body["products"]:
        assert product["why"] and product["cart_url"].endswith(product["sku"])
    quoted = [r["phrase"] for e in body["exercises"] for r in e["why"] if r["phrase"]]
    assert any("sitting" in q for q in quoted), "reasons quote the shopper's own words"
    assert body["disclaimer"]
    assert len(body["exercises"]) <= 6 and len(body["products"]) <= 3


def test_urgent_description_gets_only_urgent_advice(client) -> None:  # type: ignore[no-untyped-def]
    body = post(client, {"description": "I can't control my bladder and my groin feels numb."}).get_json()
    assert body["safety"]["level"] == "urgent"
    assert body["safety"]["message"]
    assert body["exercises"] == [] and body["products"] == []
    assert {f["code"] for f in body["safety"]["red_flags"]} >= {"bladder_bowel"}


def test_consult_description_gets_no_exercises_and_no_products_by_default(client) -> None:  # type: ignore[no-untyped-def]
    body = post(client, {"description": "Pain down my leg with numbness in my foot."}).get_json()
    assert body["safety"]["level"] == "consult"
    assert body["exercises"] == [] and body["products"] == []
    assert body["safety"]["message"]


def test_products_on_consult_is_opt_in(database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import make_app

    app = make_app(database_url, tmp_path, SHOP_RECO_PRODUCTS_ON_CONSULT=True)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["shop-reco", "db", "upgrade"]).exit_code == 0
    assert runner.invoke(args=["shop-reco", "demo-data"]).exit_code == 0
    body = post(app.test_client(), {"description": "My lower back aches after sitting, and my foot is numb."})
    data = body.get_json()
    assert data["safety"]["level"] == "consult"
    assert data["exercises"] == []
    assert data["products"], "products may show on consult when the merchant opts in"
    app.extensions["shop_reco"].close()


def test_swedish_is_detected_and_answered_in_swedish(client) -> None:  # type: ignore[no-untyped-def]
    body = post(client, {"description": "Jag har ont i ländryggen när jag sitter länge vid datorn."}).get_json()
    assert body["locale"] == "sv"
    assert "lower_back" in body["profile"]["areas"]
    assert body["exercises"]
    english = post(client, {"description": "My lower back hurts when I sit."}).get_json()
    assert body["disclaimer"] != english["disclaimer"]


def test_limit_caps_the_lists(client) -> None:  # type: ignore[no-untyped-def]
    body = post(client, {"description": "Lower back and hip pain after sitting", "limit": 2}).get_json()
    assert 1 <= len(body["exercises"]) <= 2
    assert len(body["products"]) <= 2


def test_nothing_specific_gets_a_marked_fallback_routine(client) -> None:  # type: ignore[no-untyped-def]
    body = post(client, {"description": "My knees hurt a bit."}).get_json()
    assert body["fallback"] is True
    assert body["exercises"]
    assert all(any(r["kind"] == "fallback" for r in e["why"]) for e in body["exercises"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "description"),
        ({"description": ""}, "description"),
        ({"description": "   \n\t "}, "description"),
        ({"description": "x" * 2001}, "description"),
        ({"description": 42}, "description"),
        ({"description": "back pain", "locale": "de"}, "locale"),
        ({"description": "back pain", "limit": 0}, "limit"),
        ({"description": "back pain", "limit": "many"}, "limit"),
        ({"description": "back pain", "colour": "blue"}, "colour"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, body, field) -> None:  # type: ignore[no-untyped-def]
    reply = post(client, body)
    assert reply.status_code == 400
    data = reply.get_json()
    assert data["code"] == "validation_error"
    assert field in data["errors"], data


@pytest.mark.parametrize("max_chars", [50, 3000])
def test_the_description_limit_is_the_shops_setting(database_url, tmp_path, max_chars) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import make_app

    app = make_app(database_url, tmp_path, SHOP_RECO_MAX_DESCRIPTION_CHARS=max_chars)
    assert app.test_cli_runner().invoke(args=["shop-reco", "db", "upgrade"]).exit_code == 0
    client = app.test_client()
    longest = ("my lower back aches " * 200)[:max_chars]
    assert post(client, {"description": longest}).status_code == 200
    too_long = post(client, {"description": longest + "x"})
    assert too_long.status_code == 400
    assert too_long.get_json()["errors"] == {"description": [f"Length must be between 1 and {max_chars}."]}
    doc = client.get("/reco/api/v1/openapi.json").get_json()
    field = doc["components"]["schemas"]["RecommendationRequest"]["properties"]["description"]
    assert field["maxLength"] == max_chars and f"{max_chars:,} characters" in field["description"]
    ui = client.get("/reco/widgets/ui.json").get_json()
    assert ui["max_chars"] == max_chars, "the widgets and the API agree"
    app.extensions["shop_reco"].close()


def test_locale_not_offered_by_the_shop_is_a_400(database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import make_app

    app = make_app(database_url, tmp_path, SHOP_RECO_LOCALES=["en"])
    reply = post(app.test_client(), {"description": "back pain", "locale": "sv"})
    assert reply.status_code == 400
    assert reply.get_json()["errors"] == {"locale": ["unknown locale 'sv'; this shop offers en"]}
    # The same check, and the same words, for ?locale= on the content routes.
    query = app.test_client().get("/reco/api/v1/exercises?locale=sv")
    assert query.status_code == 400 and query.get_json()["errors"] == reply.get_json()["errors"]
    app.extensions["shop_reco"].close()


def test_a_language_the_shop_does_not_offer_is_understood_and_answered_in_its_default(  # type: ignore[no-untyped-def]
    app, database_url, tmp_path
) -> None:
    from tests.conftest import make_app

    swedish = "Jag har ont i ländryggen när jag sitter hela dagen på jobbet"
    assert post(app.test_client(), {"description": swedish}).get_json()["profile"]["locale"] == "sv"
    english_only = make_app(database_url, tmp_path / "en", SHOP_RECO_LOCALES=["en"])  # the same database
    reply = post(english_only.test_client(), {"description": swedish})
    body = reply.get_json()
    assert reply.status_code == 200
    assert body["profile"]["locale"] == "sv"  # understood in the language it is written in
    assert body["profile"]["areas"] == ["lower_back"] and body["profile"]["triggers"] == ["sitting"]
    assert body["locale"] == "en"  # answered in the shop's language
    english_only.extensions["shop_reco"].close()


def test_text_in_the_other_language_is_understood_and_answered_in_the_pages(client) -> None:  # type: ignore[no-untyped-def]
    urgent = post(client, {"description": "ont i ryggen och jag kan inte hålla urinen", "locale": "en"}).get_json()
    assert urgent["safety"]["level"] == "urgent" and urgent["exercises"] == [] and urgent["products"] == []
    assert urgent["locale"] == "en" and urgent["profile"]["locale"] == "sv"
    ordinary = post(client, {"description": "ont i ländryggen när jag sitter länge", "locale": "en"}).get_json()
    assert ordinary["locale"] == "en" and ordinary["profile"]["areas"] == ["lower_back"]
    assert ordinary["fallback"] is False and ordinary["exercises"]


def test_malformed_json_is_a_400_not_a_500(client) -> None:  # type: ignore[no-untyped-def]
    reply = client.post(URL, data="{not json", content_type="application/json")
    assert reply.status_code == 400
    assert reply.get_json()["code"] == "bad_request"


def test_json_list_instead_of_object_is_a_400(client) -> None:  # type: ignore[no-untyped-def]
    reply = client.post(URL, data="[1, 2]", content_type="application/json")
    assert reply.status_code == 400
    assert reply.is_json


def test_non_json_body_is_a_415(client) -> None:  # type: ignore[no-untyped-def]
    reply = client.post(URL, data="description=back", content_type="application/x-www-form-urlencoded")
    assert reply.status_code == 415
    assert reply.get_json()["code"] == "unsupported_media_type"


@pytest.mark.parametrize(
    ("content_type", "status"),
    [
        ("application/json", 200),
        ("application/json; charset=utf-8", 200),
        ("Application/JSON", 200),
        ("application/problem+json", 200),
        ("application/jsonx", 415),
        ("application/json-seq", 415),
        ("text/json", 415),
    ],
)
def test_a_json_body_is_recognised_by_its_media_type_as_werkzeug_reads_it(client, content_type, status) -> None:  # type: ignore[no-untyped-def]
    reply = client.post(URL, data=json.dumps({"description": "my hip aches"}), content_type=content_type)
    assert reply.status_code == status, content_type


def test_body_over_16_kb_is_a_413(client) -> None:  # type: ignore[no-untyped-def]
    reply = client.post(URL, data=json.dumps({"description": "a" * 17000}), content_type="application/json")
    assert reply.status_code == 413
    assert reply.get_json()["code"] == "payload_too_large"


def test_wrong_method_and_unknown_route_answer_json(client) -> None:  # type: ignore[no-untyped-def]
    wrong = client.get(URL)
    assert wrong.status_code == 405 and wrong.get_json()["code"] == "method_not_allowed"
    assert "POST" in wrong.headers["Allow"]
    missing = client.get("/reco/api/v1/no-such-thing")
    assert missing.status_code == 404 and missing.get_json()["code"] == "not_found"


def test_internal_failure_fails_closed_with_a_safety_notice(client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("ranking exploded")

    monkeypatch.setattr(answers, "recommend", broken)
    reply = post(client, {"description": "My lower back aches after sitting."})
    assert reply.status_code == 200
    body = reply.get_json()
    assert body["products"] == [] and body["exercises"] == []
    assert body["safety"]["message"]
    assert "Traceback" not in reply.get_data(as_text=True)


def test_the_description_text_is_not_stored_by_default(app, client) -> None:  # type: ignore[no-untyped-def]
    post(client, {"description": "My lower back aches after gardening zebrafinch"})
    app.extensions["shop_reco"].answer_log.flush()
    with app.app_context():
        rows = get_session().scalars(select(Recommendation)).all()
        assert rows and all(r.description is None for r in rows)
        assert "area:lower_back" in rows[-1].concepts


def test_storing_descriptions_is_an_explicit_opt_in(database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import make_app

    app = make_app(database_url, tmp_path, SHOP_RECO_STORE_DESCRIPTIONS=True, SHOP_RECO_RETENTION_DAYS=7)
    assert app.test_cli_runner().invoke(args=["shop-reco", "db", "upgrade"]).exit_code == 0
    post(app.test_client(), {"description": "hip pain when walking"})
    app.extensions["shop_reco"].answer_log.flush()
    with app.app_context():
        row = get_session().scalars(select(Recommendation)).one()
        assert row.description == "hip pain when walking"
        assert row.expires_at is not None
    app.extensions["shop_reco"].close()
