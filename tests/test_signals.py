"""shop_reco.signals: what a host's receivers hear when an answer is made, an event
recorded or content changed (and that they never hear the shopper's words)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from blinker import Signal
from flask import Flask
from sqlalchemy import select

from shop_reco.extension import get_session
from shop_reco.signals import ContentChange, answer_made, content_changed, event_recorded
from shop_reco.storage.database import current_revision
from shop_reco.storage.models import Synonym

API = "/reco/api/v1"
DESCRIPTION = "My lower back aches after sitting at my desk all day"


@contextmanager
def heard(signal: Signal, app: Flask) -> Iterator[list[dict[str, Any]]]:
    """The keyword arguments of every send of ``signal`` by ``app`` inside the block."""
    calls: list[dict[str, Any]] = []

    def receiver(sender: Flask, **kwargs: Any) -> None:
        assert sender is app
        calls.append(kwargs)

    with signal.connected_to(receiver, sender=app):
        yield calls


def test_answer_made_carries_codes_and_item_ids_never_the_text(app: Flask) -> None:
    client = app.test_client()
    with heard(answer_made, app) as calls:
        body = client.post(f"{API}/recommendations", json={"description": DESCRIPTION}).get_json()
    (call,) = calls
    assert call["answer_id"] == body["id"]
    assert (call["source"], call["locale"], call["safety_level"]) == ("api", "en", "none")
    assert {"area:lower_back", "trigger:sitting"} <= set(call["concepts"])
    shown = [(i["type"], i["id"]) for i in call["items"]]
    assert shown[: len(body["exercises"])] == [("exercise", e["slug"]) for e in body["exercises"]]
    assert ("product", body["products"][0]["sku"]) in shown
    assert "desk" not in repr(call) and "aches" not in repr(call), "the shopper's words never leave"


def test_answer_made_for_an_urgent_description_has_no_items(app: Flask) -> None:
    with heard(answer_made, app) as calls:
        app.test_client().post(
            f"{API}/recommendations", json={"description": "I can't control my bladder and my groin feels numb."}
        )
    (call,) = calls
    assert call["safety_level"] == "urgent"
    assert {i["type"] for i in call["items"]} <= {"section"}, "no exercise and no product, only safety reading"
    assert "red_flag:bladder_bowel" in call["concepts"]


def test_event_recorded_once_per_stored_event_and_not_for_a_refused_one(app: Flask) -> None:
    client = app.test_client()
    events = [
        {"kind": "click", "item_type": "product", "item_id": "lumbar-support-belt", "page_view": "pv-12345678"},
        {"kind": "impression", "item_type": "exercise", "item_id": "plank", "widget": "finder", "locale": "sv"},
    ]
    with heard(event_recorded, app) as calls:
        assert client.post(f"{API}/events", json={"events": events}).status_code == 202
        bad = client.post(f"{API}/events", json={"kind": "purchase", "item_type": "product", "item_id": "x"})
    assert bad.status_code == 400
    assert [(c["kind"], c["item_type"], c["item_id"]) for c in calls] == [
        ("click", "product", "lumbar-support-belt"),
        ("impression", "exercise", "plank"),
    ]
    assert calls[0]["page_view"] == "pv-12345678" and calls[1]["widget"] == "finder" and calls[1]["locale"] == "sv"
    assert set(calls[0]) == {
        "kind",
        "recommendation_id",
        "item_type",
        "item_id",
        "rule",
        "widget",
        "locale",
        "page_view",
    }


def test_content_changed_says_what_changed_and_the_new_revision(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    products = tmp_path / "products.csv"
    products.write_text(
        "sku,name,description,price,currency,url,locale\n"
        "yoga-mat,Yoga mat,A firm mat for the floor,25.00,EUR,/products/yoga-mat,en\n",
        encoding="utf-8",
    )
    with heard(content_changed, app) as calls:
        assert runner.invoke(args=["shop-reco", "import-products", str(products)]).exit_code == 0
        assert runner.invoke(args=["shop-reco", "import-products", str(products)]).exit_code == 0  # the same again
    (call,) = calls
    assert call["changes"] == (ContentChange("product", "yoga-mat", "create", "cli"),)
    with app.app_context():
        assert call["revision"] == current_revision(get_session())


def test_content_changed_is_not_sent_for_a_rolled_back_change(app: Flask) -> None:
    with heard(content_changed, app) as calls, app.app_context():
        session = get_session()
        session.add(Synonym(locale="en", group="area", code="hip", phrase="grumbly hinge"))
        session.flush()
        session.rollback()
        assert session.scalars(select(Synonym).where(Synonym.phrase == "grumbly hinge")).first() is None
        session.add(Synonym(locale="en", group="area", code="hip", phrase="creaky hinge"))
        session.commit()
    (call,) = calls
    assert call["changes"] == (), "written straight through the session: no revision record to report"
    assert call["revision"] >= 1
