"""Admin import/export: one JSON file of rules and content, imported all-or-nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from html import unescape
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from admin_pages import ADMIN_USER, admin_app, csrf_token, form_fields
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from shop_reco.storage.models import Revision

ADMIN = "/reco/admin"
API = "/reco/api/v1"
SKU = "ergonomic-seat-cushion"


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    yield from admin_app(database_url, tmp_path)


def export(client: FlaskClient) -> dict[str, Any]:
    response = client.get(f"{ADMIN}/transfer/export.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    return json.loads(response.get_data(as_text=True))  # type: ignore[no-any-return]


def upload(client: FlaskClient, content: bytes, filename: str = "export.json", **fields: str) -> Any:
    token = csrf_token(client.get(f"{ADMIN}/transfer").get_data(as_text=True))
    return client.post(
        f"{ADMIN}/transfer",
        data={"csrf_token": token, "file": (BytesIO(content), filename), **fields},
        content_type="multipart/form-data",
    )


def as_file(bundle: dict[str, Any]) -> bytes:
    return json.dumps(bundle, ensure_ascii=False).encode()


def content_of(bundle: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in bundle.items() if k != "exported_at"}


def price_of(client: FlaskClient, sku: str) -> str:
    answer = client.get(f"{ADMIN}/products/{sku}/edit").get_data(as_text=True)
    return str(form_fields(answer, f"{ADMIN}/products/{sku}/edit")["price"])


def test_export_holds_rules_and_content(client: FlaskClient) -> None:
    bundle = export(client)
    assert bundle["shop_reco_export"] == 1
    counts = {kind: len(bundle[kind]) for kind in ("sources", "products", "exercises", "articles", "rules", "synonyms")}
    assert counts == {"sources": 8, "products": 3, "exercises": 9, "articles": 2, "rules": 12, "synonyms": 0}
    cushion = next(p for p in bundle["products"] if p["sku"] == SKU)
    assert cushion["price"] == "45.00" and cushion["text"]["sv"]["name"]


def test_round_trip_restores_the_exported_state(app: Flask, client: FlaskClient) -> None:
    saved = export(client)
    unchanged = upload(client, as_file(saved))
    assert unchanged.status_code == 302
    assert "created or updated nothing (all up to date)" in unescape(
        client.get(unchanged.headers["Location"]).get_data(as_text=True)
    )

    url = f"{ADMIN}/products/{SKU}/edit"
    edit = client.post(url, data=form_fields(client.get(url).get_data(as_text=True), url, {"price": "99.00"}))
    assert edit.status_code == 302 and price_of(client, SKU) == "99.00"
    saved["synonyms"] = [{"locale": "sv", "group": "area", "code": "hip", "phrase": "höftkula"}]
    saved["rules"][0]["name"] = "Long sitting (imported)"

    response = upload(client, as_file(saved))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    message = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "created or updated 1 products, 1 rules, 1 synonyms" in message
    assert price_of(client, SKU) == "45.00"
    assert content_of(export(client)) == content_of(saved)

    answer = client.post(f"{API}/recommendations", json={"description": "Ont i höftkulan", "locale": "sv"})
    assert "hip" in answer.get_json()["profile"]["areas"]
    with app.app_context():
        from shop_reco.extension import get_session

        revisions = get_session().scalars(select(Revision).where(Revision.actor == ADMIN_USER)).all()
        changes = sorted((r.entity, r.action) for r in revisions)
        assert changes == [
            ("product", "update"),
            ("product", "update"),
            ("rule", "update"),
            ("synonym", "create"),
        ]


def test_bad_file_is_rejected_with_reasons_and_nothing_changes(client: FlaskClient) -> None:
    before = export(client)
    bad = json.loads(json.dumps(before))
    bad["products"].append({**bad["products"][0], "sku": "new-valid-product"})  # valid, but must not land
    bad["products"][1]["price"] = "-5"
    bad["exercises"][0]["text"]["en"]["name"] = "Stretch <b>now</b>"
    bad["articles"][0]["sections"][0]["concepts"] = ["area:knee"]
    bad["rules"][0]["priority"] = "high"
    bad["rules"][1]["key"] = bad["rules"][2]["key"]
    bad["synonyms"] = [{"locale": "en", "group": "area", "code": "hip", "phrase": "   "}]
    response = upload(client, as_file(bad))
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "Nothing was imported from export.json" in html
    for path, reason in [
        ("products[1].price", "must not be negative"),
        ("exercises[0].text.en.name", "must be plain text, without HTML tags"),
        ("articles[0].sections[0].concepts[0]", "unknown concept 'area:knee'"),
        ("rules[0].priority", "Not a valid integer."),
        ("synonyms[0].phrase", "write the phrase shoppers use"),
    ]:
        assert f"<code>{path}</code></th><td>{reason}" in html, path
    assert content_of(export(client)) == content_of(before)


@pytest.mark.parametrize(
    ("content", "where", "reason"),
    [
        (b'{"shop_reco_export": 1,\n "products": [}', "line 2, column 15", "not valid JSON: Expecting value"),
        (b"\xff\xfe{}", "file", "not UTF-8 text"),
        (b"[]", "file", "expected a JSON object as written by the export"),
        (b'{"products": []}', "shop_reco_export", "not a shop_reco export"),
        (b'{"shop_reco_export": 1, "orders": []}', "orders", "unknown section"),
        (b'{"shop_reco_export": 1, "rules": {}}', "rules", "must be a list"),
    ],
)
def test_unreadable_files_are_rejected(client: FlaskClient, content: bytes, where: str, reason: str) -> None:
    before = export(client)
    response = upload(client, content)
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert f"<code>{where}</code></th><td>{reason}" in html
    assert content_of(export(client)) == content_of(before)


def test_import_warns_about_test_bench_cases_it_breaks(client: FlaskClient) -> None:
    rules = export(client)["rules"]
    for rule in rules:
        rule["active"] = False
    response = upload(client, as_file({"shop_reco_export": 1, "rules": rules}))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    html = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert f"created or updated {len(rules)} rules" in html
    assert "test bench case desk-sitting now fails" in html
    assert "test bench case cauda-equina" not in html  # the safety gate holds without any rule


def test_treatment_claims_in_a_file_need_the_review_tick_the_product_form_asks_for(client: FlaskClient) -> None:
    before = export(client)
    claiming = json.loads(json.dumps(before))
    index = next(i for i, p in enumerate(claiming["products"]) if p["sku"] == SKU)
    claim = "This cushion cures back pain."
    claiming["products"][index]["text"]["en"]["description"] = claim
    refused = upload(client, as_file(claiming))
    html = unescape(refused.get_data(as_text=True))
    assert refused.status_code == 400
    assert "Nothing was imported from export.json yet: the product copy says a product treats or cures" in html
    assert f"<code>products[{index}].text.en.description</code></th><td>{SKU}</td><td><mark>cures</mark>" in html
    assert "I have reviewed the wording" in html
    assert content_of(export(client)) == content_of(before), "nothing written without the tick"

    confirmed = upload(client, as_file(claiming), claims_reviewed="y")
    assert confirmed.status_code == 302, confirmed.get_data(as_text=True)[:3000]
    message = unescape(client.get(confirmed.headers["Location"]).get_data(as_text=True))
    assert "created or updated 1 products" in message
    assert f"treatment wording kept as reviewed in products[{index}].text.en.description ({SKU}): “cures”" in message
    after = next(p for p in export(client)["products"] if p["sku"] == SKU)
    assert after["text"]["en"]["description"] == claim
