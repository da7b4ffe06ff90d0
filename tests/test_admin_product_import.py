"""Admin product import: a merchant uploads the Google feed (or our CSV) their shop exports."""

from __future__ import annotations

from collections.abc import Iterator
from html import unescape
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from admin_pages import ADMIN_USER, admin_app, csrf_token
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from test_import_google_feed import CUSHION, MAT, rss

from shop_reco.extension import get_session
from shop_reco.storage.models import Product, Revision

URL = "/reco/admin/products/import"


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    yield from admin_app(database_url, tmp_path)


def upload(client: FlaskClient, payload: str, filename: str, **fields: str) -> Any:
    token = csrf_token(client.get(URL).get_data(as_text=True))
    data = {"csrf_token": token, "fmt": "auto", "locale": "en", **fields, "file": (BytesIO(payload.encode()), filename)}
    return client.post(URL, data=data, content_type="multipart/form-data")


def counts(app: Flask) -> tuple[int, int]:
    with app.app_context():
        session = get_session()
        return (
            int(session.scalar(select(func.count()).select_from(Product)) or 0),
            int(session.scalar(select(func.count()).select_from(Revision)) or 0),
        )


def test_google_feed_upload_imports_tagged_products_once(app: Flask, client: FlaskClient) -> None:
    assert "Import products" in client.get("/reco/admin/products").get_data(as_text=True)
    response = upload(client, rss(CUSHION, MAT), "google-feed.xml")
    assert response.status_code == 302, unescape(response.get_data(as_text=True))[:2000]
    listing = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Imported google-feed.xml: 2 products read, 2 created or updated." in listing
    with app.app_context():
        cushion = get_session().scalars(select(Product).where(Product.sku == "lumbar-cushion")).one()
        assert "area:lower_back" in cushion.concepts
        assert [
            r.actor for r in get_session().scalars(select(Revision).where(Revision.entity_key == "lumbar-cushion"))
        ] == [ADMIN_USER]
    before = counts(app)
    again = upload(client, rss(CUSHION, MAT), "google-feed.xml")
    listing = unescape(client.get(again.headers["Location"]).get_data(as_text=True))
    assert "2 products read, 0 created or updated" in listing
    assert counts(app) == before


def test_bad_feed_item_is_named_and_nothing_is_imported(app: Flask, client: FlaskClient) -> None:
    before = counts(app)
    response = upload(client, rss(CUSHION, {**MAT, "availability": "soon"}), "feed.xml", prune="y")
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "feed.xml: nothing was imported" in html
    assert "Item yoga-mat (#2), g:availability: use one of: in stock" in html
    assert 'name="prune" value="y" checked' in html, "the options the merchant chose are kept"
    assert counts(app) == before


def test_claims_need_the_reviewed_tick(app: Flask, client: FlaskClient) -> None:
    feed = rss({**MAT, "description": "Relieves back pain."})
    refused = upload(client, feed, "feed.xml")
    html = unescape(refused.get_data(as_text=True))
    assert refused.status_code == 400 and "sku yoga-mat, g:description (en): “Relieves back pain”" in html
    assert upload(client, feed, "feed.xml", allow_claims="y").status_code == 302
    with app.app_context():
        assert get_session().scalars(select(Product).where(Product.sku == "yoga-mat")).one()


def test_prune_deactivates_what_the_feed_does_not_list(app: Flask, client: FlaskClient) -> None:
    response = upload(client, rss(CUSHION), "feed.xml", prune="y")
    assert response.status_code == 302
    assert "not in the file deactivated" in unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    with app.app_context():
        assert set(get_session().scalars(select(Product.sku).where(Product.active))) == {"lumbar-cushion"}


def test_our_csv_imports_too_and_an_unknown_extension_asks_for_the_format(app: Flask, client: FlaskClient) -> None:
    csv = "sku,name,price,currency,url\nfoam-roller,Foam roller,19.90,EUR,/products/foam-roller\n"
    assert upload(client, csv, "products.csv").status_code == 302
    unknown = upload(client, csv, "products.dat")
    assert unknown.status_code == 400 and "choose the format" in unescape(unknown.get_data(as_text=True))
    assert upload(client, csv, "products.dat", fmt="csv").status_code == 302
