"""Experiments in the admin: start from JSON (checked by the safety bench), read results, stop."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from admin_pages import csrf_token
from admin_session import ADMIN, API, page, sign_in, submit, text
from conftest import make_app
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from shop_reco.extension import get_session
from shop_reco.storage.models import Revision

LIST = f"{ADMIN}/experiments"
PLAN = {
    "key": "sitting-plank",
    "variants": [
        {"key": "control", "weight": 50, "rules": "live"},
        {
            "key": "b",
            "weight": 50,
            "rules": [
                {
                    "key": "sitting-plank",
                    "name": "Sitting: plank first",
                    "conditions": {"any": ["trigger:sitting"]},
                    "actions": {"exercises": [{"slug": "plank", "weight": 5}]},
                }
            ],
        },
    ],
}
BELT_AT_CONSULT = {
    "key": "belt",
    "variants": [
        {"key": "control", "weight": 1, "rules": "live"},
        {
            "key": "belt",
            "weight": 1,
            "rules": [
                {
                    "key": "belt-for-all",
                    "name": "A belt, even at consult",
                    "conditions": {"safety": ["none", "consult"]},
                    "actions": {"products": [{"sku": "lumbar-support-belt", "weight": 3}]},
                }
            ],
        },
    ],
}


@pytest.fixture
def shop(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_app(database_url, tmp_path, SHOP_RECO_PRODUCTS_ON_CONSULT=True)
    runner = app.test_cli_runner()
    for args in (["shop-reco", "db", "upgrade"], ["shop-reco", "demo-data"]):
        assert runner.invoke(args=args).exit_code == 0
    yield app
    app.extensions["shop_reco"].close()


@pytest.fixture
def merchant(shop: Flask) -> FlaskClient:
    client = shop.test_client()
    sign_in(client)
    return client


def test_start_read_results_and_stop(shop: Flask, merchant: FlaskClient) -> None:
    html = page(merchant, LIST)
    assert "No experiments yet." in html and "Experiments" in html
    started = submit(merchant, LIST, {"experiment_json": json.dumps(PLAN)})
    assert started.status_code == 302 and started.headers["Location"].endswith(
        "/experiments/sitting-plank?notice=started"
    )

    shopper = shop.test_client()
    for n in range(12):
        body = shopper.post(
            f"{API}/recommendations",
            json={"description": "My lower back aches after sitting all day.", "visitor": f"admin-visitor-{n:03d}"},
        ).get_json()
        first = body["exercises"][0]["slug"]
        events = [{"kind": "impression", "item_type": "exercise", "item_id": first, "recommendation_id": body["id"]}]
        if n % 2:
            events.append({"kind": "click", "item_type": "exercise", "item_id": first, "recommendation_id": body["id"]})
        shopper.post(f"{API}/events", json={"events": events})

    detail = page(merchant, started.headers["Location"])
    assert "Experiment started." in detail and "running" in detail
    assert detail.count('role="img"') == 2 and "Click-through rate by variant" in detail
    rows = re.findall(r'<tr>\s*<th scope="row">(\w+)', detail)
    assert rows == ["control", "b"]
    assert "12 answers counted" in detail
    listed = page(merchant, LIST)
    assert "sitting-plank" in listed and "is running" in listed

    stop_url = f"{LIST}/sitting-plank/stop"
    no_token = merchant.post(stop_url)
    assert no_token.status_code == 400  # CSRF: nothing stopped
    stopped = merchant.post(stop_url, data={"csrf_token": csrf_token(detail)})
    assert stopped.status_code == 302 and stopped.headers["Location"].endswith("notice=stopped")
    after = page(merchant, f"{LIST}/sitting-plank")
    assert "Stop experiment" not in after and "stopped" in after
    again = merchant.post(stop_url, data={"csrf_token": csrf_token(detail)})
    assert again.status_code == 409 and "already stopped" in text(again)
    with shop.app_context():
        actions = get_session().scalars(select(Revision.action).where(Revision.entity == "experiment")).all()
    assert actions == ["start", "stop"]
    assert "experiment" in page(merchant, f"{ADMIN}/revisions?entity=experiment")
    with shop.app_context():
        stop_revision = get_session().scalars(select(Revision.id).where(Revision.action == "stop")).one()
    diff = page(merchant, f"{ADMIN}/revisions/{stop_revision}")
    assert "stopped" in diff and "running" in diff


def test_a_refused_start_says_why_and_keeps_the_json(shop: Flask, merchant: FlaskClient) -> None:
    typed = json.dumps(BELT_AT_CONSULT, indent=1)
    refused = submit(merchant, LIST, {"experiment_json": typed})
    assert refused.status_code == 422
    body = text(refused)
    assert "Not started" in body and "numb-tingling-foot" in body and "variants.belt" in body
    assert typed in body  # what the merchant typed is still there
    broken = submit(merchant, LIST, {"experiment_json": '{"key": "x", '})
    assert broken.status_code == 422 and "not valid JSON" in text(broken) and '{"key": "x", ' in text(broken)
    invalid = submit(merchant, LIST, {"experiment_json": json.dumps({**PLAN, "variants": PLAN["variants"][:1]})})
    assert invalid.status_code == 422 and "variants" in text(invalid)
    with shop.app_context():
        assert get_session().scalars(select(Revision).where(Revision.entity == "experiment")).all() == []


def test_a_start_with_a_stale_token_keeps_the_json(merchant: FlaskClient) -> None:
    typed = json.dumps(PLAN)
    response = merchant.post(LIST, data={"csrf_token": "stale", "experiment_json": typed})
    assert response.status_code == 400
    assert "Not saved yet." in text(response) and typed in text(response)


def test_an_unknown_experiment_is_a_404(merchant: FlaskClient) -> None:
    response = merchant.get(f"{LIST}/nope")
    assert response.status_code == 404 and "no experiment" in text(response)
