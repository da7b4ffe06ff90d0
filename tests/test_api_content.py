"""GET endpoints: pairings, articles, exercises, vocabulary and the OpenAPI document."""

from __future__ import annotations

from openapi_spec_validator import validate


def test_belt_pairings_show_exercises_and_reading(client) -> None:  # type: ignore[no-untyped-def]
    reply = client.get("/reco/api/v1/products/lumbar-support-belt/pairings")
    assert reply.status_code == 200
    body = reply.get_json()
    assert body["exercises"], body
    assert all(e["why"] for e in body["exercises"])
    assert body["sections"] and body["sections"][0]["url"].startswith("/articles/hip-and-lower-back-pain#")
    assert body["disclaimer"]


def test_pairings_are_cacheable_and_answer_304(client) -> None:  # type: ignore[no-untyped-def]
    first = client.get("/reco/api/v1/products/lumbar-support-belt/pairings?locale=sv")
    assert "max-age" in first.headers["Cache-Control"]
    etag = first.headers["ETag"]
    again = client.get("/reco/api/v1/products/lumbar-support-belt/pairings?locale=sv", headers={"If-None-Match": etag})
    assert again.status_code == 304
    english = client.get(
        "/reco/api/v1/products/lumbar-support-belt/pairings?locale=en", headers={"If-None-Match": etag}
    )
    assert english.status_code == 200, "the ETag is keyed by locale"


def test_unknown_sku_and_slug_are_404_json(client) -> None:  # type: ignore[no-untyped-def]
    for url in (
        "/reco/api/v1/products/no-such-sku/pairings",
        "/reco/api/v1/articles/no-such-article",
        "/reco/api/v1/exercises/no-such-exercise",
    ):
        reply = client.get(url)
        assert reply.status_code == 404
        assert reply.get_json()["code"] == "not_found"


def test_bad_locale_query_is_a_400(client) -> None:  # type: ignore[no-untyped-def]
    reply = client.get("/reco/api/v1/exercises?locale=xx")
    assert reply.status_code == 400
    assert "locale" in reply.get_json()["errors"]


def test_article_sections_come_with_fitting_products(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/reco/api/v1/articles/hip-and-lower-back-pain?locale=en").get_json()
    assert body["title"] and len(body["sections"]) >= 6
    assert len(body["sources"]) == 8
    with_products = [s for s in body["sections"] if s["products"]]
    assert with_products, "the ergonomic-aids section at least lists products"
    swedish = client.get("/reco/api/v1/articles/hip-and-lower-back-pain?locale=sv").get_json()
    assert swedish["locale"] == "sv" and swedish["title"] != body["title"]


def test_exercises_list_and_detail(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/reco/api/v1/exercises").get_json()
    slugs = {e["slug"] for e in body["exercises"]}
    assert {"hamstring-stretch", "glute-bridge", "plank", "swimming", "brisk-walking"} <= slugs
    plank = client.get("/reco/api/v1/exercises/plank?locale=sv").get_json()
    assert plank["kind"] == "core" and plank["steps"] and plank["weekly_frequency"] == {"min": 2, "max": 3}


def test_vocabulary_lists_every_code(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/reco/api/v1/vocabulary").get_json()
    assert "lower_back" in body["areas"] and "sitting" in body["triggers"]
    levels = {f["code"]: f["level"] for f in body["red_flags"]}
    assert levels["bladder_bowel"] == "urgent" and levels["numbness"] == "consult"


def test_openapi_document_is_valid_and_covers_every_route(client) -> None:  # type: ignore[no-untyped-def]
    doc = client.get("/reco/api/v1/openapi.json").get_json()
    validate(doc)
    assert set(doc["paths"]) >= {
        "/recommendations",
        "/products/{sku}/pairings",
        "/articles/{slug}",
        "/exercises",
        "/exercises/{slug}",
        "/vocabulary",
        "/events",
    }


def test_events_are_recorded_pseudonymously(app, client) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from shop_reco.extension import get_session
    from shop_reco.storage.models import Event

    one = {"kind": "click", "item_type": "product", "item_id": "lumbar-support-belt", "page_view": "pv-12345678"}
    assert client.post("/reco/api/v1/events", json=one).status_code == 202
    batch = {"events": [{"kind": "impression", "item_type": "exercise", "item_id": "plank"}] * 3}
    assert client.post("/reco/api/v1/events", json=batch).get_json() == {"accepted": 3}
    bad = client.post("/reco/api/v1/events", json={"kind": "purchase", "item_type": "product", "item_id": "x"})
    assert bad.status_code == 400 and "kind" in bad.get_json()["errors"]
    with app.app_context():
        events = get_session().scalars(select(Event)).all()
        assert len(events) == 4
        assert not hasattr(Event, "ip") and not hasattr(Event, "remote_addr")


def test_pages_rendered_once_per_revision_show_an_edit_at_once(app, client) -> None:  # type: ignore[no-untyped-def]
    """Article and widget pages are kept per content revision: an edit is served on the next request."""
    from shop_reco.answering.snapshot import invalidate_snapshot
    from shop_reco.extension import get_session
    from shop_reco.storage.content import upsert_product
    from shop_reco.storage.models import Product

    paths = (
        "/reco/api/v1/articles/hip-and-lower-back-pain",
        "/reco/widgets/article/hip-and-lower-back-pain",
        "/reco/embed/product/lumbar-support-belt",
    )
    for path in paths:
        assert client.get(path).status_code == 200
        assert client.get(path).status_code == 200  # the kept page
    with app.app_context():
        session = get_session()
        text = dict(session.query(Product).filter_by(sku="lumbar-support-belt").one().text)
        text["en"] = {**text["en"], "name": "Renamed support belt"}
        upsert_product(session, {"sku": "lumbar-support-belt", "text": text})
        session.commit()
        invalidate_snapshot()
    for path in paths[:2]:
        assert "Renamed support belt" in client.get(path).get_data(as_text=True), path
