"""Retiring products and exercises: delete what no rule uses, or be told which rules still do."""

from __future__ import annotations

from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from admin_pages import ADMIN_USER, admin_app, form_fields, forms
from admin_session import ADMIN, API, page, recommend, submit, text
from conftest import make_app
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from shop_reco.extension import get_session
from shop_reco.storage.models import Exercise, Product, Revision, TestCase

NEW_PRODUCT = {
    "sku": "standing-desk-mat",
    "price": "29.90",
    "currency": "EUR",
    "url": "/products/standing-desk-mat",
    "text.en.name": "Standing desk mat",
    "text.en.description": "A cushioned mat for standing at the desk.",
    "concepts": ["trigger:standing", "area:lower_back"],
}
NEW_EXERCISE = {
    "slug": "cat-cow",
    "kind": "stretch",
    "target_areas": ["lower_back"],
    "weekly_frequency.min": "3",
    "weekly_frequency.max": "7",
    "dose.reps": "10",
    "text.en.name": "Cat-cow",
    "text.en.summary": "Round and arch the back slowly on hands and knees.",
    "text.en.steps": "Kneel on hands and knees.\nRound the back, then let it sag.",
    "text.en.dose": "10 slow rounds",
    "concepts": ["area:lower_back"],
}
#: Rules in the demo data that name these items.
BELT_RULES = ("Lower back: glutes and core", "Lifting or standing: support during daily activity")
PLANK_RULES = ("Posture and screen time", "Lower back: glutes and core")


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    yield from admin_app(database_url, tmp_path)


@pytest.fixture
def other_worker(app: Flask, database_url: str, tmp_path: Path) -> Iterator[FlaskClient]:
    """A second process on the same database that checks the content revision on every request."""
    worker = make_app(database_url, tmp_path / "worker", SHOP_RECO_RULES_TTL=0)
    yield worker.test_client()
    worker.extensions["shop_reco"].close()


def create(client: FlaskClient, kind: str, changes: dict[str, Any]) -> None:
    response = submit(client, f"{ADMIN}/{kind}s/new", changes)
    assert response.status_code == 302, text(response)[:3000]


def delete(client: FlaskClient, url: str, changes: dict[str, Any] | None = None) -> Any:
    """Open the delete page at ``url`` and post its form (ticked ``confirm`` unless ``changes`` say otherwise)."""
    return client.post(url, data=form_fields(page(client, url), url, {"confirm": "yes", **(changes or {})}))


def deletions(app: Flask, entity: str) -> list[Revision]:
    with app.app_context():
        query = select(Revision).where(Revision.entity == entity, Revision.action == "delete")
        return list(get_session().scalars(query))


def stored(app: Flask, model: type[Any], **key: str) -> Any:
    with app.app_context():
        return get_session().scalars(select(model).filter_by(**key)).one_or_none()


# -- products -------------------------------------------------------------------------------------------


def test_deleting_an_unused_product_removes_it_from_the_admin_and_every_worker(
    app: Flask, client: FlaskClient, other_worker: FlaskClient
) -> None:
    sku = NEW_PRODUCT["sku"]
    create(client, "product", NEW_PRODUCT)
    assert other_worker.get(f"{API}/products/{sku}/pairings?locale=en").status_code == 200
    edit_page = page(client, f"{ADMIN}/products/{sku}/edit")
    url = f"{ADMIN}/products/{sku}/delete"
    assert url in edit_page

    confirm_page = unescape(page(client, url))
    assert "Delete “Standing desk mat”?" in confirm_page and "Yes, delete this product" in confirm_page
    assert "No rule recommends it" in confirm_page

    deleted = delete(client, url)
    assert deleted.status_code == 302, text(deleted)[:3000]
    listing = text(client.get(deleted.headers["Location"]))
    assert "Product standing-desk-mat deleted." in listing
    assert f"{ADMIN}/products/{sku}/edit" not in listing
    assert client.get(f"{ADMIN}/products/{sku}/edit").status_code == 404

    assert client.get(f"{API}/products/{sku}/pairings?locale=en").status_code == 404
    assert other_worker.get(f"{API}/products/{sku}/pairings?locale=en").status_code == 404

    (revision,) = deletions(app, "product")
    assert (revision.entity_key, revision.actor, revision.after) == (sku, ADMIN_USER, None)
    assert revision.before["price"] == "29.90" and revision.before["text"]["en"]["name"] == "Standing desk mat"


def test_deleting_needs_the_confirmation_tick(app: Flask, client: FlaskClient) -> None:
    create(client, "product", NEW_PRODUCT)
    url = f"{ADMIN}/products/{NEW_PRODUCT['sku']}/delete"
    response = delete(client, url, {"confirm": None})
    html = text(response)
    assert response.status_code == 400
    tick = html[html.index('id="f-confirm"') :]
    assert 'aria-invalid="true"' in tick[:300] and "Tick “Yes, delete this product” to delete it." in tick
    assert stored(app, Product, sku=NEW_PRODUCT["sku"]) is not None
    assert deletions(app, "product") == []


def test_product_used_by_rules_is_kept_and_the_rules_are_named(app: Flask, client: FlaskClient) -> None:
    sku = "lumbar-support-belt"
    url = f"{ADMIN}/products/{sku}/delete"
    confirm_page = page(client, url)
    shown = unescape(confirm_page)
    assert "cannot be deleted" in shown and all(name in shown for name in BELT_RULES)
    assert [action for action, _ in forms(confirm_page) if action == url] == []  # no delete button
    assert f"{ADMIN}/products/{sku}/deactivate" in confirm_page  # the way out that loses nothing

    # A delete posted anyway (e.g. from a page opened before the rule was saved) is refused.
    edit_page = page(client, f"{ADMIN}/products/{sku}/edit")
    token = form_fields(edit_page, f"{ADMIN}/products/{sku}/edit")["csrf_token"]
    refused = client.post(url, data={"csrf_token": token, "confirm": "yes"})
    html = text(refused)
    assert refused.status_code == 409
    assert "Nothing was deleted" in html and all(name in html for name in BELT_RULES)
    assert stored(app, Product, sku=sku) is not None and deletions(app, "product") == []
    assert client.get(f"{API}/products/{sku}/pairings?locale=en").status_code == 200

    lifting = "Lifting boxes at work strains my lower back."
    assert sku in [p["sku"] for p in recommend(client, lifting)["products"]]
    deactivate = f"{ADMIN}/products/{sku}/deactivate"
    done = client.post(deactivate, data=form_fields(confirm_page, deactivate))
    assert done.status_code == 302
    assert "deactivated" in text(client.get(done.headers["Location"]))
    assert stored(app, Product, sku=sku).active is False
    assert sku not in [p["sku"] for p in recommend(client, lifting)["products"]]
    with app.app_context():
        query = select(Revision).where(Revision.entity_key == sku, Revision.action == "update")
        revision = get_session().scalars(query).one()
        assert (revision.actor, revision.before["active"], revision.after["active"]) == (ADMIN_USER, True, False)


def test_delete_page_warns_about_test_cases_that_name_the_item(app: Flask, client: FlaskClient) -> None:
    create(client, "product", NEW_PRODUCT)
    with app.app_context():
        get_session().add(
            TestCase(key="desk-mat", locale="en", text="Standing all day", expect={"products": [NEW_PRODUCT["sku"]]})
        )
        get_session().commit()
    shown = unescape(page(client, f"{ADMIN}/products/{NEW_PRODUCT['sku']}/delete"))
    assert "desk-mat" in shown and "test case" in shown


# -- exercises ------------------------------------------------------------------------------------------


def test_deleting_an_unused_exercise_removes_it_from_the_admin_and_the_api(
    app: Flask, client: FlaskClient, other_worker: FlaskClient
) -> None:
    slug = NEW_EXERCISE["slug"]
    create(client, "exercise", NEW_EXERCISE)
    assert other_worker.get(f"{API}/exercises/{slug}?locale=en").status_code == 200

    deleted = delete(client, f"{ADMIN}/exercises/{slug}/delete")
    assert deleted.status_code == 302, text(deleted)[:3000]
    listing = text(client.get(deleted.headers["Location"]))
    assert "Exercise cat-cow deleted." in listing and f"{ADMIN}/exercises/{slug}/edit" not in listing

    for api in (client, other_worker):
        assert api.get(f"{API}/exercises/{slug}?locale=en").status_code == 404
        slugs = [e["slug"] for e in api.get(f"{API}/exercises?locale=en").get_json()["exercises"]]
        assert slug not in slugs and "plank" in slugs
    (revision,) = deletions(app, "exercise")
    assert (revision.entity_key, revision.actor, revision.before["kind"]) == (slug, ADMIN_USER, "stretch")


def test_exercise_used_by_rules_is_kept_and_the_rules_are_named(app: Flask, client: FlaskClient) -> None:
    url = f"{ADMIN}/exercises/plank/delete"
    shown = unescape(page(client, url))
    assert "cannot be deleted" in shown and all(name in shown for name in PLANK_RULES)
    assert "deactivate" not in shown.casefold()  # exercises have no "active" switch

    token = form_fields(page(client, f"{ADMIN}/exercises/plank/edit"), f"{ADMIN}/exercises/plank/edit")
    refused = client.post(url, data={"csrf_token": token["csrf_token"], "confirm": "yes"})
    assert refused.status_code == 409 and all(name in text(refused) for name in PLANK_RULES)
    assert stored(app, Exercise, slug="plank") is not None
    assert client.get(f"{API}/exercises/plank?locale=en").status_code == 200


@pytest.mark.parametrize(("kind", "data"), [("product", NEW_PRODUCT), ("exercise", NEW_EXERCISE)])
def test_delete_without_csrf_token_is_refused(app: Flask, client: FlaskClient, kind: str, data: dict[str, Any]) -> None:
    key = data["sku" if kind == "product" else "slug"]
    create(client, kind, data)
    response = delete(client, f"{ADMIN}/{kind}s/{key}/delete", {"csrf_token": None})
    assert response.status_code == 400
    model = Product if kind == "product" else Exercise
    assert stored(app, model, **{"sku" if kind == "product" else "slug": key}) is not None
    assert deletions(app, kind) == []


def test_unknown_item_has_no_delete_page(client: FlaskClient) -> None:
    assert client.get(f"{ADMIN}/products/no-such-thing/delete").status_code == 404
    assert client.get(f"{ADMIN}/exercises/no-such-thing/delete").status_code == 404
