"""Test bench: saved cases, "run all", and every rule save judged against them (safety refuses)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from admin_session import ADMIN, MERCHANT, page, resubmit, sign_in, submit, text
from conftest import make_app
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from shop_reco.extension import get_session
from shop_reco.recommending import ranking
from shop_reco.recommending.safety import Gate
from shop_reco.storage.models import Revision, Rule, TestCase

NEW_CASE = f"{ADMIN}/testbench/new"
NEW_RULE = f"{ADMIN}/rules/new"
NUMB_WALK = {
    "key": "walk-numb",
    "locale": "en",
    "text": "My foot goes numb when I walk",
    "safety": "consult",
    "products_empty": "1",
}
CONSULT_PRODUCTS = {
    "do": "save",
    "key": "walking-belt",
    "name": "Walking: a belt, even at consult",
    "c.trigger:walking": "all",
    "safety": ["consult"],
    "w.pr.lumbar-support-belt": "3",
}


def signed_in(app: Flask) -> FlaskClient:
    client = app.test_client()
    sign_in(client)
    return client


def migrated(app: Flask) -> Flask:
    runner = app.test_cli_runner()
    for args in (["shop-reco", "db", "upgrade"], ["shop-reco", "demo-data"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    return app


@pytest.fixture
def consult_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """A shop that allows products (never exercises) for shoppers told to see a professional."""
    app = migrated(make_app(database_url, tmp_path, SHOP_RECO_PRODUCTS_ON_CONSULT=True))
    yield app
    app.extensions["shop_reco"].close()


def case(app: Flask, key: str) -> TestCase | None:
    with app.app_context():
        return get_session().scalar(select(TestCase).where(TestCase.key == key))


def rule(app: Flask, key: str) -> Rule | None:
    with app.app_context():
        return get_session().scalar(select(Rule).where(Rule.key == key))


def test_list_and_run_all(app: Flask) -> None:
    client = signed_in(app)
    assert "desk-sitting" in page(client, f"{ADMIN}/testbench")
    html = page(client, f"{ADMIN}/testbench/run")
    total = html.count('<tr class="is-')
    assert total >= 10
    summary = re.search(r"<strong>(\d+) of (\d+)</strong> cases pass", html)
    assert summary and int(summary.group(2)) == total
    passing = html.count('<span class="badge badge-ok">pass</span>')
    assert int(summary.group(1)) == passing and passing > total // 2
    row = html.split('id="case-desk-sitting"', 1)[1].split("</tr>", 1)[0]
    assert "pass" in row and "hip-flexor-stretch" in row


def test_create_edit_and_delete_a_case(app: Flask) -> None:
    client = signed_in(app)
    response = submit(client, NEW_CASE, NUMB_WALK)
    assert response.status_code == 302
    saved = case(app, "walk-numb")
    assert saved is not None and saved.expect == {"safety": "consult", "products_empty": True}
    edit_url = f"{ADMIN}/testbench/walk-numb/edit"
    body = page(client, edit_url)
    assert "With the saved rules this case passes" in text_of(body)
    assert submit(client, edit_url, {"it.ex.plank": "not", "rf.numbness": "yes"}).status_code == 302
    saved = case(app, "walk-numb")
    assert saved is not None
    assert saved.expect == {
        "safety": "consult",
        "products_empty": True,
        "not_exercises": ["plank"],
        "red_flags": ["numbness"],
    }
    assert submit(client, edit_url, {}, action=f"{ADMIN}/testbench/walk-numb/delete").status_code == 302
    assert case(app, "walk-numb") is None
    with app.app_context():
        actions = [
            (r.action, r.actor)
            for r in get_session().scalars(
                select(Revision)
                .where(Revision.entity == "test_case", Revision.entity_key == "walk-numb")
                .order_by(Revision.id)
            )
        ]
    assert actions == [("create", MERCHANT), ("update", MERCHANT), ("delete", MERCHANT)]


def text_of(html: str) -> str:
    from html import unescape

    return unescape(html)


def test_case_form_keeps_input_on_errors(app: Flask) -> None:
    client = signed_in(app)
    response = submit(client, NEW_CASE, {**NUMB_WALK, "key": "Not a key", "duration_weeks": "soon", "text": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for field in ("key", "text", "duration_weeks"):
        assert f'id="err-{field}"' in html, field
    assert 'value="Not a key"' in html and 'value="soon"' in html
    assert '<option value="consult" selected>consult</option>' in html
    assert case(app, "Not a key") is None


def test_every_demo_case_survives_an_unchanged_save(app: Flask) -> None:
    client = signed_in(app)
    with app.app_context():
        before = {c.key: dict(c.expect) for c in get_session().scalars(select(TestCase))}
    for key in before:
        assert submit(client, f"{ADMIN}/testbench/{key}/edit").status_code == 302, key
    with app.app_context():
        after = {c.key: dict(c.expect) for c in get_session().scalars(select(TestCase))}
        assert not get_session().scalar(select(Revision).where(Revision.entity == "test_case"))
    assert after == before


def test_a_rule_showing_products_to_a_consult_case_is_refused(consult_app: Flask) -> None:
    client = signed_in(consult_app)
    assert submit(client, NEW_CASE, NUMB_WALK).status_code == 302
    response = submit(client, NEW_RULE, CONSULT_PRODUCTS)
    assert response.status_code == 422
    body = text(response)
    assert "Refused: this change breaks a safety expectation" in body
    assert "walk-numb" in body and "no products are shown" in body and "lumbar-support-belt" in body
    assert rule(consult_app, "walking-belt") is None
    # "Save anyway" does not exist for safety: confirming changes nothing.
    again = resubmit(client, response, NEW_RULE, {"do": "save", "confirm": "1"})
    assert again.status_code == 422 and rule(consult_app, "walking-belt") is None
    # The same rule for shoppers without red flags is fine.
    fine = resubmit(client, response, NEW_RULE, {"do": "save", "safety": ["none"]})
    assert fine.status_code == 302 and rule(consult_app, "walking-belt") is not None


def test_a_rule_showing_products_to_an_urgent_case_is_refused(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """If the safety gate ever regressed, the bench still stops a rule aimed at urgent shoppers."""

    def leaky_gate(level: str, *, products_on_consult: bool = False) -> Gate:
        return Gate(level, exercises=True, products=True, rule_sections=True, advice=True)

    monkeypatch.setattr(ranking, "gate_for", leaky_gate)
    client = signed_in(app)
    urgent = {
        "key": "fall-bladder",
        "locale": "en",
        "safety": "urgent",
        "text": "Sudden back pain after a fall and I can't control my bladder when I walk",
    }
    assert submit(client, NEW_CASE, urgent).status_code == 302
    response = submit(client, NEW_RULE, {**CONSULT_PRODUCTS, "safety": ["urgent"]})
    assert response.status_code == 422
    body = text(response)
    assert "Refused" in body and "fall-bladder" in body and "an urgent case shows no products" in body
    assert rule(app, "walking-belt") is None


def test_a_non_safety_failure_warns_and_can_be_confirmed(app: Flask) -> None:
    client = signed_in(app)
    url = f"{ADMIN}/rules/sitting-hip-flexors/edit"
    response = submit(client, url, {"do": "save", "excl.ex.hip-flexor-stretch": "1"})
    assert response.status_code == 422
    body = text(response)
    assert "Check before saving" in body and "desk-sitting" in body and "exercise hip-flexor-stretch is shown" in body
    assert "Save anyway" in body
    saved = rule(app, "sitting-hip-flexors")
    assert saved is not None and saved.version == 1
    # The form kept the edit; tick "save anyway" and save.
    confirmed = resubmit(client, response, url, {"do": "save", "confirm": "1"})
    assert confirmed.status_code == 302
    saved = rule(app, "sitting-hip-flexors")
    assert saved is not None and saved.version == 2
    assert saved.actions["exclude"] == [{"type": "exercise", "id": "hip-flexor-stretch"}]


def test_deleting_a_rule_the_bench_relies_on_needs_confirmation(app: Flask) -> None:
    client = signed_in(app)
    url = f"{ADMIN}/rules/sitting-hip-flexors/delete"
    response = submit(client, url)
    assert response.status_code == 422 and "Check before saving" in text(response)
    assert rule(app, "sitting-hip-flexors") is not None
    assert resubmit(client, response, url, {"confirm": "1"}).status_code == 302
    assert rule(app, "sitting-hip-flexors") is None


def test_failures_that_were_there_before_block_nothing(app: Flask) -> None:
    """A case that already fails is reported, but an unrelated change saves without confirmation."""
    client = signed_in(app)
    assert (
        submit(
            client,
            f"{NEW_CASE}",
            {
                "key": "wishful",
                "locale": "en",
                "text": "My neck is stiff",
                "it.pr.lumbar-support-belt": "must",
            },
        ).status_code
        == 302
    )
    response = submit(
        client,
        NEW_RULE,
        {
            "do": "save",
            "key": "neck-note",
            "name": "Neck note",
            "c.area:neck": "all",
            "note_en": "Take screen breaks.",
        },
    )
    assert response.status_code == 302
