"""The admin's preview and test bench with red-flag screen answers: their effect shown, their cases kept."""

from __future__ import annotations

from admin_session import ADMIN, sign_in, submit, text
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from shop_reco.extension import get_session
from shop_reco.storage.models import Recommendation, TestCase

PREVIEW = f"{ADMIN}/preview"
NEW_CASE = f"{ADMIN}/testbench/new"
DESK = "My lower back aches after sitting at my desk all day"


def signed_in(app: Flask) -> FlaskClient:
    client = app.test_client()
    sign_in(client)
    return client


def test_the_preview_shows_what_a_screen_answer_does_and_stores_nothing(app: Flask) -> None:
    client = signed_in(app)
    plain = text(submit(client, PREVIEW, {"description": DESK, "locale": "en"}))
    assert "Red-flag screen answers" in plain and "Not asked" in plain
    assert "The finder asks it first" in plain and "unanswered" in plain
    assert "Hip flexor stretch" in plain

    screened = text(submit(client, PREVIEW, {"description": DESK, "locale": "en", "screen.fever": "yes"}))
    assert "red_flag:fever</code> urgent · from the screen" in screened
    assert "needs urgent medical care" in screened
    assert "Hip flexor stretch" not in screened
    assert '<option value="yes" selected>Yes</option>' in screened  # the answer is kept on the page

    written = text(
        submit(client, PREVIEW, {"description": "I fell off a ladder and my back hurts", "screen.trauma": "no"})
    )
    assert "red_flag:trauma</code> urgent · written:" in written  # a "no" never cancels what was written

    app.extensions["shop_reco"].answer_log.flush()
    with app.app_context():
        assert get_session().scalar(select(func.count(Recommendation.id))) == 0


def test_a_test_case_with_screen_answers_is_saved_run_and_listed(app: Flask) -> None:
    client = signed_in(app)
    reply = submit(
        client,
        NEW_CASE,
        {
            "key": "desk-fever",
            "locale": "en",
            "text": DESK,
            "safety": "urgent",
            "screen.fever": "yes",
            "screen.trauma": "no",
        },
    )
    assert reply.status_code in (302, 303), text(reply)[:2000]
    with app.app_context():
        row = get_session().scalars(select(TestCase).where(TestCase.key == "desk-fever")).one()
        assert row.expect == {"safety": "urgent", "screening": {"fever": True, "trauma": False}}
    listing = text(client.get(f"{ADMIN}/testbench"))
    assert "screen answers: fever yes, trauma no" in listing
    run = text(client.get(f"{ADMIN}/testbench/run"))
    row = run.split('id="case-desk-fever"', 1)[1].split("</tr>", 1)[0]
    assert "badge-ok" in row
    assert "Screen: fever yes, trauma no" in row
    edit = text(client.get(f"{ADMIN}/testbench/desk-fever/edit"))
    assert '<select id="screen-fever" name="screen.fever">' in edit
    assert edit.split('name="screen.fever">', 1)[1].split("</select>", 1)[0].count("selected") == 1


def test_screen_answers_alone_are_not_an_expectation(app: Flask) -> None:
    client = signed_in(app)
    reply = submit(client, NEW_CASE, {"key": "only-screen", "locale": "en", "text": DESK, "screen.fever": "yes"})
    assert reply.status_code == 422
    page = text(reply)
    assert "Give at least one expectation" in page
    assert '<option value="yes" selected>Yes</option>' in page  # nothing the merchant chose is lost


def test_the_demo_bench_with_screen_cases_passes(app: Flask) -> None:
    client = signed_in(app)
    run = text(client.get(f"{ADMIN}/testbench/run"))
    for key in ("screen-fever-ticked", "screen-none-apply", "screen-no-keeps-written-flag", "screen-sv-fall-ticked"):
        row = run.split(f'id="case-{key}"', 1)[1].split("</tr>", 1)[0]
        assert "badge-ok" in row, row
