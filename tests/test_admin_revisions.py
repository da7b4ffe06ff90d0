"""Revisions: the audit list, before/after diffs, and rollback as a new revision with optimistic locking."""

from __future__ import annotations

from admin_pages import add_waterworks_case, form_fields
from admin_session import ADMIN, MERCHANT, page, sign_in, submit, text
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from shop_reco.extension import get_session
from shop_reco.storage.models import Revision, Rule, TestCase

RULE = "sitting-hip-flexors"


def signed_in(app: Flask) -> FlaskClient:
    client = app.test_client()
    sign_in(client)
    return client


def latest(app: Flask, key: str) -> Revision:
    with app.app_context():
        rev = (
            get_session()
            .scalars(select(Revision).where(Revision.entity_key == key).order_by(Revision.id.desc()))
            .first()
        )
        assert rev is not None
        return rev


def stored(app: Flask, key: str) -> Rule | None:
    with app.app_context():
        return get_session().scalar(select(Rule).where(Rule.key == key))


def edit(client: FlaskClient, key: str, changes: dict[str, str]) -> None:
    response = submit(client, f"{ADMIN}/rules/{key}/edit", {"do": "save", **changes})
    assert response.status_code == 302, text(response)[:2000]


def test_list_filters_by_entity_and_key(app: Flask) -> None:
    client = signed_in(app)
    edit(client, RULE, {"priority": "150"})
    body = page(client, f"{ADMIN}/revisions?entity=rule&key={RULE}")
    rows = body.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert rows.count("<tr>") == 2  # created by the demo data, then updated
    assert MERCHANT in rows and "demo-data" in rows and 'action-update">update' in rows
    products = page(client, f"{ADMIN}/revisions?entity=product")
    assert "ergonomic-seat-cushion" in products and RULE not in products.split("<tbody>", 1)[1]


def test_diff_shows_before_and_after_escaped(app: Flask) -> None:
    client = signed_in(app)
    edit(client, RULE, {"priority": "150", "name": "Sitting <script>alert(1)</script>"})
    rev = latest(app, RULE)
    html = page(client, f"{ADMIN}/revisions/{rev.id}")
    assert '<tr class="d-remove">' in html and '<tr class="d-add">' in html
    assert "&#34;priority&#34;: 100," in html and "&#34;priority&#34;: 150," in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f"by {MERCHANT}" in html


def test_a_revision_lists_what_changed_field_by_field(app: Flask) -> None:
    client = signed_in(app)
    edit(client, RULE, {"priority": "150", "shopper_reason_en": "Sitting long tightens the hips"})
    html = page(client, f"{ADMIN}/revisions/{latest(app, RULE).id}")
    table = html.split('class="data stack field-changes"', 1)[1].split("</table>", 1)[0]
    rows = [r for r in table.split("<tr>")[2:]]  # after the header row
    fields = [r.split("<code>", 1)[1].split("</code>", 1)[0] for r in rows]
    assert fields == ["actions.shopper_reason.en", "priority"], fields
    priority = rows[1]
    assert '<td data-label="Before" class="chip-remove-cell">100</td>' in priority
    assert '<td data-label="After" class="chip-add-cell">150</td>' in priority


def test_rollback_restores_the_state_before_a_change(app: Flask) -> None:
    client = signed_in(app)
    edit(client, RULE, {"priority": "150", "w.ex.plank": "3"})
    change = latest(app, RULE)
    url = f"{ADMIN}/revisions/{change.id}"
    response = submit(client, url, {"target": "before"}, action=f"{url}/rollback")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/rules/{RULE}/edit?notice=rolled-back"
    )
    rule = stored(app, RULE)
    assert rule is not None and rule.priority == 100 and rule.version == 3
    assert all(e["slug"] != "plank" for e in rule.actions["exercises"])
    rollback = latest(app, RULE)
    assert rollback.action == "rollback" and rollback.actor == MERCHANT
    assert rollback.before == change.after and rollback.after == change.before
    # ...and the rollback itself can be undone.
    url = f"{ADMIN}/revisions/{rollback.id}"
    assert submit(client, url, {"target": "before"}, action=f"{url}/rollback").status_code == 302
    rule = stored(app, RULE)
    assert rule is not None and rule.priority == 150


def test_rollback_respects_optimistic_locking(app: Flask) -> None:
    client = signed_in(app)
    edit(client, RULE, {"priority": "150"})
    change = latest(app, RULE)
    url = f"{ADMIN}/revisions/{change.id}"
    stale_form = form_fields(page(client, url), f"{url}/rollback")
    assert stale_form["version"] == "2"
    edit(client, RULE, {"priority": "175"})  # someone edits meanwhile
    response = client.post(f"{url}/rollback", data={**stale_form, "target": "before"})
    assert response.status_code == 409 and "changed since you opened this page" in text(response)
    rule = stored(app, RULE)
    assert rule is not None and rule.priority == 175 and rule.version == 3


def test_rollback_of_a_delete_brings_the_rule_back(app: Flask) -> None:
    client = signed_in(app)
    key = "general-reading"
    assert submit(client, f"{ADMIN}/rules/{key}/delete").status_code == 302
    deletion = latest(app, key)
    url = f"{ADMIN}/revisions/{deletion.id}"
    assert "Put back the state from before this change" in text(client.get(url))
    response = submit(client, url, {"target": "before"}, action=f"{url}/rollback")
    assert response.status_code == 302
    rule = stored(app, key)
    assert rule is not None and rule.name == deletion.before["name"]  # type: ignore[index]
    assert latest(app, key).action == "rollback"


def test_rolling_back_a_create_deletes_the_rule(app: Flask) -> None:
    client = signed_in(app)
    created = {
        "do": "save",
        "key": "walking-plank",
        "name": "Walking",
        "c.trigger:walking": "all",
        "w.ex.plank": "2",
    }
    assert submit(client, f"{ADMIN}/rules/new", created).status_code == 302
    create = latest(app, "walking-plank")
    url = f"{ADMIN}/revisions/{create.id}"
    response = submit(client, url, {"target": "before"}, action=f"{url}/rollback")
    assert response.status_code == 302 and stored(app, "walking-plank") is None


def test_rollback_runs_the_test_bench(app: Flask) -> None:
    client = signed_in(app)
    key = "sitting-hip-flexors"
    create = latest(app, key)  # the demo data's create: rolling it back deletes the rule
    url = f"{ADMIN}/revisions/{create.id}"
    response = submit(client, url, {"target": "before"}, action=f"{url}/rollback")
    assert response.status_code == 422 and "Check before saving" in text(response) and "desk-sitting" in text(response)
    assert stored(app, key) is not None
    confirmed = client.post(
        f"{url}/rollback",
        data={**form_fields(response.get_data(as_text=True), f"{url}/rollback"), "confirm": "1"},
    )
    assert confirmed.status_code == 302 and stored(app, key) is None


def test_test_cases_can_be_rolled_back(app: Flask) -> None:
    client = signed_in(app)
    edit_url = f"{ADMIN}/testbench/desk-sitting/edit"
    assert submit(client, edit_url, {"text": "My back aches after sitting."}).status_code == 302
    change = latest(app, "desk-sitting")
    url = f"{ADMIN}/revisions/{change.id}"
    assert submit(client, url, {"target": "before"}, action=f"{url}/rollback").status_code == 302
    with app.app_context():
        case = get_session().scalar(select(TestCase).where(TestCase.key == "desk-sitting"))
        assert case is not None and case.text == change.before["text"]  # type: ignore[index]


def test_articles_show_a_diff_without_rollback(app: Flask) -> None:
    client = signed_in(app)
    with app.app_context():
        rev = get_session().scalars(select(Revision).where(Revision.entity == "article")).first()
        assert rev is not None
    url = f"{ADMIN}/revisions/{rev.id}"
    body = text(client.get(url))
    assert "What changed" in body and "Articles are not rolled back here" in body
    response = client.post(
        f"{url}/rollback",
        data={
            **form_fields(page(client, f"{ADMIN}/rules"), f"{ADMIN}/rules/{RULE}/toggle"),
            "target": "before",
        },
    )
    assert response.status_code == 400


def roll_back(client: FlaskClient, rev: Revision, target: str) -> object:
    url = f"{ADMIN}/revisions/{rev.id}"
    return submit(client, url, {"target": target}, action=f"{url}/rollback")


def product_price(app: Flask, sku: str) -> str | None:
    from shop_reco.storage.models import Product

    with app.app_context():
        row = get_session().scalar(select(Product).where(Product.sku == sku))
        return None if row is None else f"{row.price:.2f}"


def test_a_product_change_is_undone_and_a_new_product_removed(app: Flask) -> None:
    from shop_reco.storage.content import upsert_product

    client = signed_in(app)
    before = product_price(app, "lumbar-support-belt")
    with app.app_context():
        upsert_product(get_session(), {"sku": "lumbar-support-belt", "price": 1.0})
        upsert_product(
            get_session(),
            {
                "sku": "foam-roller",
                "price": 19.5,
                "currency": "EUR",
                "url": "/p/roller",
                "image_url": None,
                "in_stock": True,
                "active": True,
                "concepts": [],
                "text": {"en": {"name": "Foam roller"}},
            },
        )
        get_session().commit()
    assert product_price(app, "lumbar-support-belt") == "1.00"
    assert roll_back(client, latest(app, "lumbar-support-belt"), "before").status_code == 302
    assert product_price(app, "lumbar-support-belt") == before
    assert latest(app, "lumbar-support-belt").action == "rollback"

    created = latest(app, "foam-roller")
    assert roll_back(client, created, "before").status_code == 302  # undo the create: no rule uses it
    assert product_price(app, "foam-roller") is None
    assert roll_back(client, created, "after").status_code == 302  # and restore it again
    assert product_price(app, "foam-roller") == "19.50"
    answer = client.get("/reco/api/v1/products/lumbar-support-belt/pairings")
    assert answer.status_code == 200


def test_a_product_rules_use_is_not_deleted_by_a_rollback(app: Flask) -> None:
    client = signed_in(app)
    with app.app_context():
        created = (
            get_session()
            .scalars(select(Revision).where(Revision.entity_key == "lumbar-support-belt", Revision.action == "create"))
            .first()
        )
        assert created is not None
    refused = roll_back(client, created, "before")
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "Not rolled back" in text(refused) and "rules still use" in text(refused)  # type: ignore[arg-type]
    assert product_price(app, "lumbar-support-belt") is not None


def test_a_synonym_rollback_runs_the_safety_checks(app: Flask) -> None:
    client = signed_in(app)
    added = submit(
        client,
        f"{ADMIN}/synonyms",
        {"locale": "en", "phrase": "waterworks trouble", "concept": "red_flag:bladder_bowel"},
    )
    assert added.status_code == 302
    add_waterworks_case(app)
    created = latest(app, "en:waterworks trouble")
    refused = roll_back(client, created, "before")
    assert refused.status_code == 422 and "shop-waterworks" in text(refused)  # type: ignore[attr-defined, arg-type]
    with app.app_context():
        get_session().execute(TestCase.__table__.delete().where(TestCase.key == "shop-waterworks"))
        get_session().commit()
    assert roll_back(client, created, "before").status_code == 302  # type: ignore[attr-defined]
    from shop_reco.storage.models import Synonym

    with app.app_context():
        assert "waterworks trouble" not in get_session().scalars(select(Synonym.phrase)).all()
    assert latest(app, "en:waterworks trouble").action == "rollback"
