"""Events name real things: a catalogue item (or one the named answer showed) and a real rule."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, select

from shop_reco.extension import get_session
from shop_reco.storage.models import Event, Recommendation

EVENTS = "/reco/api/v1/events"
BELT = {"kind": "click", "item_type": "product", "item_id": "lumbar-support-belt"}


def recorded(app: Flask) -> int:
    with app.app_context():
        return int(get_session().scalar(select(func.count(Event.id))) or 0)


def test_an_invented_item_or_rule_is_refused_naming_the_field(app: Flask, client: Any) -> None:
    invented = client.post(EVENTS, json={**BELT, "item_id": "free-money"})
    assert invented.status_code == 400 and list(invented.get_json()["errors"]) == ["item_id"]
    rule = client.post(EVENTS, json={**BELT, "rule": "no-such-rule"})
    assert rule.status_code == 400 and list(rule.get_json()["errors"]) == ["rule"]
    wrong_type = client.post(EVENTS, json={**BELT, "item_type": "exercise"})
    assert wrong_type.status_code == 400, "a product's SKU is not an exercise"

    batch = client.post(EVENTS, json={"events": [BELT, {**BELT, "item_id": "made-up"}, BELT]})
    assert batch.status_code == 400
    assert list(batch.get_json()["errors"]["events"]) == ["1"], "the one invented event is named"
    assert recorded(app) == 0, "a refused batch records nothing"


def test_real_items_sections_and_rules_are_recorded(app: Flask, client: Any) -> None:
    article = client.get("/reco/api/v1/articles/hip-and-lower-back-pain").get_json()
    section = f"hip-and-lower-back-pain#{article['sections'][0]['anchor']}"
    answer = client.post("/reco/api/v1/recommendations", json={"description": "my lower back aches after sitting"})
    shown = answer.get_json()["products"][0]
    rule = next(w["rule"] for w in shown["why"] if w.get("rule"))
    events = [
        {**BELT, "item_id": shown["sku"], "rule": rule, "recommendation_id": answer.get_json()["id"]},
        {"kind": "impression", "item_type": "exercise", "item_id": "plank"},
        {"kind": "impression", "item_type": "section", "item_id": section},
    ]
    reply = client.post(EVENTS, json={"events": events})
    assert reply.status_code == 202, reply.get_json()
    assert recorded(app) == 3


def test_an_item_gone_from_the_catalogue_counts_when_its_answer_showed_it(app: Flask, client: Any) -> None:
    with app.app_context():
        session = get_session()
        session.add(
            Recommendation(
                id="answer-that-showed-a-retired-belt",
                locale="en",
                safety_level="none",
                items=[{"type": "product", "id": "retired-belt", "rules": ["retired-rule"]}],
            )
        )
        session.commit()
    retired = {**BELT, "item_id": "retired-belt", "rule": "retired-rule"}
    assert client.post(EVENTS, json=retired).status_code == 400, "no answer named: unknown"
    named = {**retired, "recommendation_id": "answer-that-showed-a-retired-belt"}
    assert client.post(EVENTS, json=named).status_code == 202
    other = client.post(EVENTS, json={**named, "item_id": "another-retired-thing"})
    assert other.status_code == 400 and "item_id" in other.get_json()["errors"]
    assert recorded(app) == 1
