"""A database the migrations have not reached: a clear 503 and one log line, not a 500 or a fake answer."""

from __future__ import annotations

import logging

import pytest
from flask import Flask

API = "/reco/api/v1"
UPGRADE = "flask shop-reco db upgrade"


def not_ready_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR and r.name.startswith("shop_reco")]


def test_the_api_answers_503_database_not_ready_and_says_what_to_run(empty_app: Flask) -> None:
    client = empty_app.test_client()
    replies = {
        "recommendations": client.post(f"{API}/recommendations", json={"description": "my lower back aches"}),
        "exercises": client.get(f"{API}/exercises"),
        "exercise": client.get(f"{API}/exercises/plank"),
        "pairings": client.get(f"{API}/products/lumbar-support-belt/pairings"),
        "article": client.get(f"{API}/articles/hip-and-lower-back-pain"),
        "events": client.post(f"{API}/events", json={"kind": "click", "item_type": "product", "item_id": "x"}),
    }
    for route, reply in replies.items():
        assert reply.status_code == 503, route
        body = reply.get_json()
        assert body["code"] == "database_not_ready", route
        assert UPGRADE in body["message"] and body["errors"] == {}, route
        assert reply.headers["Cache-Control"] == "no-store", route
        assert "Traceback" not in reply.get_data(as_text=True)
    # No safety notice dressed up as an answer: the caller learns the service is not ready.
    assert "safety" not in replies["recommendations"].get_json()
    assert client.get(f"{API}/vocabulary").status_code == 200, "what needs no database still answers"


def test_the_operator_gets_one_clear_log_line_not_one_per_request(
    empty_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    client = empty_app.test_client()
    with caplog.at_level(logging.ERROR):
        for _ in range(3):
            assert client.get(f"{API}/exercises").status_code == 503
            assert client.post(f"{API}/recommendations", json={"description": "hip pain"}).status_code == 503
    (line,) = not_ready_lines(caplog)
    message = line.getMessage()
    assert UPGRADE in message and "no shop_reco tables" in message
    assert line.exc_info is None, "one line, no traceback"


def test_after_db_upgrade_the_same_process_answers(empty_app: Flask) -> None:
    client = empty_app.test_client()
    assert client.get(f"{API}/exercises").status_code == 503
    assert empty_app.test_cli_runner().invoke(args=["shop-reco", "db", "upgrade"]).exit_code == 0
    assert client.get(f"{API}/exercises").status_code == 200
    reply = client.post(f"{API}/recommendations", json={"description": "my lower back aches"})
    assert reply.status_code == 200 and reply.get_json()["safety"]["level"] == "none"


def test_the_no_js_finder_keeps_the_shoppers_text_and_says_try_later(empty_app: Flask) -> None:
    client = empty_app.test_client()
    for path in ("/reco/widgets/finder", "/reco/embed/finder"):
        reply = client.post(path, data={"description": "stiff neck after my commute"})
        assert reply.status_code == 503, path
        html = reply.get_data(as_text=True)
        assert "stiff neck after my commute" in html and "try again later" in html, path
        assert reply.headers["Cache-Control"] == "no-store"
    fragment = client.get("/reco/widgets/product/lumbar-support-belt")
    assert fragment.status_code == 503 and fragment.get_data() == b"", "an include shows no box"
    frame = client.get("/reco/embed/article/hip-and-lower-back-pain")
    assert frame.status_code == 503 and "frame-ancestors" in frame.headers["Content-Security-Policy"]


def test_widgets_in_the_hosts_own_templates_render_nothing(empty_app: Flask) -> None:
    from shop_reco.widgets import WidgetTemplateGlobal

    widgets = WidgetTemplateGlobal()
    with empty_app.test_request_context("/"):
        assert widgets.product_pairings("lumbar-support-belt") == ""
        assert widgets.article("hip-and-lower-back-pain") == ""


def test_the_demo_shop_says_which_commands_set_it_up(empty_app: Flask) -> None:
    reply = empty_app.test_client().get("/")
    assert reply.status_code == 503 and reply.mimetype == "text/html"
    html = reply.get_data(as_text=True)
    assert "shop-reco db upgrade" in html and "shop-reco demo-data" in html
