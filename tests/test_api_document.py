"""Every JSON body the API serves is what its OpenAPI document says, status by status.

Each reply is validated against the response schema of its operation and status in
the document the API serves (``/reco/api/v1/openapi.json``); the schemas forbid
properties they do not list, so a field served but not declared fails too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_schema_validator import OAS30Validator
from werkzeug.test import TestResponse

from shop_reco import vocabulary

API = "/reco/api/v1"
ORDINARY = "My lower back aches after sitting at my desk all day"


def assert_served(document: dict[str, Any], reply: TestResponse, path: str, method: str) -> Any:
    """Assert the reply's status is documented for the operation and its body matches; returns the body."""
    responses = document["paths"][path][method]["responses"]
    status = str(reply.status_code)
    assert status in responses, f"{method.upper()} {path} answered {status}, not in the document"
    schema = responses[status]["content"]["application/json"]["schema"]
    body = reply.get_json()
    # The document's components sit beside the schema so that its $refs resolve.
    validator = OAS30Validator({**schema, "components": document["components"]})
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]
    assert not problems, f"{method.upper()} {path} {status}: {problems}"
    return body


@pytest.fixture
def served(client: FlaskClient) -> Any:
    """``served(reply, path, method)``: :func:`assert_served` against the document the app serves."""
    document = client.get(f"{API}/openapi.json").get_json()
    return lambda reply, path, method: assert_served(document, reply, path, method)


def test_answers_of_every_kind_match_the_document(client: FlaskClient, served: Any) -> None:
    everything_no = {code: False for code in vocabulary.RED_FLAGS}
    requests = {
        "ordinary": {"description": ORDINARY},
        "swedish": {"description": "Ont i ländryggen när jag sitter", "locale": "sv", "limit": 2},
        "urgent": {"description": "I can't control my bladder and my groin feels numb."},
        "consult": {"description": "Pain down my leg with numbness in my foot."},
        "vague": {"description": "qwrt zzkx blorp", "locale": "en"},
        "screened": {"description": ORDINARY, "screening": everything_no},
        "flagged on the screen": {"description": ORDINARY, "screening": {**everything_no, "fever": True}},
        "with a visitor": {"description": ORDINARY, "visitor": "k3Jd9_x2Lq0v"},
    }
    levels = {}
    for name, request in requests.items():
        reply = client.post(f"{API}/recommendations", json=request)
        assert reply.status_code == 200, name
        levels[name] = served(reply, "/recommendations", "post")["safety"]["level"]
    assert levels["urgent"] == levels["flagged on the screen"] == "urgent" and levels["consult"] == "consult"


def test_content_answers_match_the_document(client: FlaskClient, served: Any) -> None:
    for url, path in (
        ("/products/lumbar-support-belt/pairings", "/products/{sku}/pairings"),
        ("/products/lumbar-support-belt/pairings?locale=sv", "/products/{sku}/pairings"),
        ("/articles/hip-and-lower-back-pain", "/articles/{slug}"),
        ("/exercises?locale=sv", "/exercises"),
        ("/vocabulary", "/vocabulary"),
    ):
        reply = client.get(API + url)
        assert reply.status_code == 200, url
        served(reply, path, "get")
    exercises = client.get(f"{API}/exercises").get_json()["exercises"]
    one = client.get(f"{API}/exercises/{exercises[0]['slug']}")
    assert served(one, "/exercises/{slug}", "get")["slug"] == exercises[0]["slug"]


def test_events_and_their_refusals_match_the_document(client: FlaskClient, served: Any) -> None:
    belt = {"kind": "click", "item_type": "product", "item_id": "lumbar-support-belt", "widget": "product"}
    accepted = client.post(f"{API}/events", json={"events": [belt, {**belt, "kind": "impression"}]})
    assert accepted.status_code == 202
    served(accepted, "/events", "post")
    refused = client.post(f"{API}/events", json={**belt, "kind": "purchase"})
    assert refused.status_code == 400
    assert list(served(refused, "/events", "post")["errors"]) == ["kind"]


def test_error_bodies_match_the_document(client: FlaskClient, served: Any) -> None:
    blank = client.post(f"{API}/recommendations", json={"description": " "})
    assert blank.status_code == 400
    assert list(served(blank, "/recommendations", "post")["errors"]) == ["description"]
    bad_locale = client.get(f"{API}/exercises?locale=de")
    assert bad_locale.status_code == 400
    served(bad_locale, "/exercises", "get")
    for url, path in (
        ("/products/no-such-thing/pairings", "/products/{sku}/pairings"),
        ("/articles/no-such-thing", "/articles/{slug}"),
        ("/exercises/no-such-thing", "/exercises/{slug}"),
    ):
        missing = client.get(API + url)
        assert missing.status_code == 404, url
        served(missing, path, "get")
    wrong_method = client.put(f"{API}/vocabulary")
    assert wrong_method.status_code == 405
    served(wrong_method, "/vocabulary", "get")
    too_big = client.post(f"{API}/recommendations", json={"description": "my back hurts " * 3000})
    assert too_big.status_code == 413
    served(too_big, "/recommendations", "post")


def test_an_answer_from_a_running_experiment_matches_the_document(
    client: FlaskClient, runner: Any, served: Any, tmp_path: Path
) -> None:
    plan = {
        "key": "sitting-plank",
        "variants": [
            {"key": "control", "weight": 50, "rules": "live"},
            {"key": "b", "weight": 50, "rules": "live"},
        ],
    }
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    started = runner.invoke(args=["shop-reco", "experiments", "start", str(tmp_path / "plan.json")])
    assert started.exit_code == 0, started.output
    reply = client.post(f"{API}/recommendations", json={"description": ORDINARY, "visitor": "k3Jd9_x2Lq0v"})
    assert served(reply, "/recommendations", "post")["experiment"]["key"] == "sitting-plank"


def test_a_database_not_ready_matches_the_document(empty_app: Flask) -> None:
    client = empty_app.test_client()
    document = client.get(f"{API}/openapi.json").get_json()
    for reply, path, method in (
        (client.post(f"{API}/recommendations", json={"description": ORDINARY}), "/recommendations", "post"),
        (client.get(f"{API}/exercises"), "/exercises", "get"),
    ):
        assert reply.status_code == 503, path
        assert assert_served(document, reply, path, method)["code"] == "database_not_ready"
