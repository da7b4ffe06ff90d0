"""A shop's data survives our migrations: down to the previous release's schema and up again."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, inspect, select, update

from shop_reco.storage import migrations
from shop_reco.storage.models import Event, Product, Recommendation, Rule
from tests.conftest import make_app

PREVIOUS = "0001"  # the schema the first release shipped


def counts(app: Flask) -> dict[str, int]:
    with app.extensions["shop_reco"].engine.connect() as connection:
        return {
            model.__tablename__: int(connection.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Product, Rule, Recommendation, Event)
        }


def answer(client: Any, text: str) -> dict[str, Any]:
    reply = client.post("/reco/api/v1/recommendations", json={"description": text, "locale": "en"})
    assert reply.status_code == 200
    body: dict[str, Any] = reply.get_json()
    return body


def test_data_survives_a_downgrade_and_the_upgrade_back(database_url: str, tmp_path: Path) -> None:
    app = make_app(database_url, tmp_path, SHOP_RECO_STORE_DESCRIPTIONS=True, SHOP_RECO_ANSWER_LOG_FLUSH_SECONDS=0)
    runner = app.test_cli_runner()
    for args in (["shop-reco", "db", "upgrade"], ["shop-reco", "demo-data"]):
        assert runner.invoke(args=args).exit_code == 0
    client = app.test_client()
    before = answer(client, "my lower back aches after sitting all day")
    client.post(
        "/reco/api/v1/events",
        json={
            "kind": "click",
            "recommendation_id": before["id"],
            "item_type": "product",
            "item_id": "lumbar-support-belt",
        },
    )
    answer(client, "old text about my stiff neck")
    engine = app.extensions["shop_reco"].engine
    with engine.begin() as connection:  # one stored description is past its retention
        connection.execute(
            update(Recommendation)
            .where(Recommendation.description.like("old text%"))
            .values(expires_at=datetime.now(timezone.utc) - timedelta(days=1))
        )
    kept = counts(app)
    assert kept["reco_event"] == 1 and kept["reco_recommendation"] == 2

    assert runner.invoke(args=["shop-reco", "db", "downgrade", PREVIOUS]).exit_code == 0
    assert migrations.current(engine) == PREVIOUS
    assert "ix_reco_recommendation_expires_at" not in {
        i["name"] for i in inspect(engine).get_indexes("reco_recommendation")
    }
    assert counts(app) == kept

    assert runner.invoke(args=["shop-reco", "db", "upgrade"]).exit_code == 0
    assert migrations.current(engine) == migrations.head()
    assert "ix_reco_recommendation_expires_at" in {
        i["name"] for i in inspect(engine).get_indexes("reco_recommendation")
    }
    assert counts(app) == kept
    after = answer(client, "my lower back aches after sitting all day")
    assert after["exercises"] == before["exercises"] and after["products"] == before["products"]

    purged = runner.invoke(args=["shop-reco", "purge"])
    assert purged.exit_code == 0 and "1 stored descriptions" in purged.output
    with engine.connect() as connection:
        texts = set(connection.scalars(select(Recommendation.description)))
    assert "old text about my stiff neck" not in texts and None in texts
    app.extensions["shop_reco"].close()
