"""Live preview: the analysis and answer for a description, with the rule being edited, nothing stored."""

from __future__ import annotations

import re

from admin_pages import form_fields
from admin_session import ADMIN, page, sign_in, submit, text
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from shop_reco.extension import get_session
from shop_reco.storage.models import Recommendation, Revision, Rule

NEW = f"{ADMIN}/rules/new"
WALKING_PLANK = {
    "key": "walking-plank",
    "name": "Walking: plank",
    "c.trigger:walking": "all",
    "w.ex.plank": "5",
}
DOG_WALK = "My hip aches when walking the dog"


def signed_in(app: Flask) -> FlaskClient:
    client = app.test_client()
    sign_in(client)
    return client


def counts(app: Flask) -> tuple[int, int, int]:
    app.extensions["shop_reco"].answer_log.flush()
    with app.app_context():
        session = get_session()
        return (
            session.scalar(select(func.count(Rule.id))) or 0,
            session.scalar(select(func.count(Revision.id))) or 0,
            session.scalar(select(func.count(Recommendation.id))) or 0,
        )


def listed(html: str, list_id: str) -> list[str]:
    """The item codes of a preview list (exercises or products), in order."""
    if f'id="{list_id}"' not in html:
        return []
    block = html.split(f'id="{list_id}"', 1)[1].split("</ol>", 1)[0]
    return re.findall(r"<code>([^<]+)</code>", block)


def test_preview_page_shows_the_analysis_and_stores_nothing(app: Flask) -> None:
    client = signed_in(app)
    before = counts(app)
    description = "My lower back aches after sitting all day, no numbness"
    response = submit(client, f"{ADMIN}/preview", {"description": description, "locale": "en"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<mark class="m-found" title="trigger:sitting">sitting</mark>' in html
    assert re.search(r'<mark class="m-negated" title="[a-z_]+:numbness \(negated\)">numbness</mark>', html)
    assert "no red flags" in html
    assert "Long sitting: hip flexors and glutes" in text(response)  # a rule that fired, with why
    assert "Matched trigger:sitting" in text(response)
    assert "hip-flexor-stretch" in listed(html, "pv-exercises")
    assert counts(app) == before
    with app.app_context():
        assert not get_session().scalar(select(func.count()).where(Recommendation.description.is_not(None)))


def test_preview_page_shows_urgent_safety(app: Flask) -> None:
    client = signed_in(app)
    response = submit(
        client,
        f"{ADMIN}/preview",
        {"description": "Sudden back pain after a fall and I can't control my bladder", "locale": "en"},
    )
    html = response.get_data(as_text=True)
    assert 'class="badge level-urgent"' in html and 'class="m-flag"' in html
    assert listed(html, "pv-exercises") == [] and listed(html, "pv-products") == []


def test_preview_page_keeps_a_too_long_description(app: Flask) -> None:
    client = signed_in(app)
    long_text = "hip " * 600
    response = submit(client, f"{ADMIN}/preview", {"description": long_text})
    assert response.status_code == 422 and "at most 2000 characters" in text(response)
    assert long_text.strip() in text(response)


def test_rule_editor_previews_a_new_rule_before_saving(app: Flask) -> None:
    client = signed_in(app)
    before = counts(app)
    response = submit(client, NEW, {**WALKING_PLANK, "do": "preview", "preview_text": DOG_WALK})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "plank" in listed(html, "pv-exercises")
    assert 'class="this-rule"' in html and "Walking: plank" in text(response)
    assert '<span class="chip chip-add">+ plank</span>' in html  # compared with the saved rules
    assert counts(app) == before  # nothing saved, nothing logged
    # The form keeps everything typed, preview text included.
    fields = form_fields(html, NEW)
    assert fields["c.trigger:walking"] == "all" and fields["w.ex.plank"] == "5"
    assert fields["preview_text"] == DOG_WALK


def test_rule_editor_previews_an_edit_in_place_of_the_saved_rule(app: Flask) -> None:
    client = signed_in(app)
    url = f"{ADMIN}/rules/sitting-hip-flexors/edit"
    description = "My lower back aches after sitting at my desk all day."
    saved = submit(client, url, {"do": "preview", "preview_text": description}).get_data(as_text=True)
    assert "hip-flexor-stretch" in listed(saved, "pv-exercises")
    edited = submit(client, url, {"do": "preview", "preview_text": description, "excl.ex.hip-flexor-stretch": "1"})
    html = edited.get_data(as_text=True)
    assert "hip-flexor-stretch" not in listed(html, "pv-exercises")
    assert '<span class="chip chip-remove">− hip-flexor-stretch</span>' in html
    with app.app_context():
        rule = get_session().scalar(select(Rule).where(Rule.key == "sitting-hip-flexors"))
        assert rule is not None and rule.version == 1 and not rule.actions.get("exclude")


def test_a_rule_that_does_not_fire_says_so(app: Flask) -> None:
    client = signed_in(app)
    response = submit(client, NEW, {**WALKING_PLANK, "do": "preview", "preview_text": "My neck is stiff"})
    assert "This rule does not fire for this description." in text(response)


def test_a_disabled_rule_is_previewed_as_if_enabled(app: Flask) -> None:
    client = signed_in(app)
    response = submit(client, NEW, {**WALKING_PLANK, "active": None, "do": "preview", "preview_text": DOG_WALK})
    assert "previewed as if enabled" in text(response)
    assert "plank" in listed(response.get_data(as_text=True), "pv-exercises")


def test_an_invalid_rule_shows_its_errors_instead_of_a_preview(app: Flask) -> None:
    client = signed_in(app)
    response = submit(client, NEW, {**WALKING_PLANK, "w.ex.plank": "99", "do": "preview", "preview_text": DOG_WALK})
    body = text(response)
    assert "Fix the problems marked in the form to see the preview." in body
    assert 'id="err-w.ex.plank"' in body


def test_the_fragment_endpoint_serves_the_panel_alone(app: Flask) -> None:
    client = signed_in(app)
    fields = form_fields(page(client, NEW), NEW, {**WALKING_PLANK, "preview_text": DOG_WALK})
    response = client.post(f"{ADMIN}/rules/preview", data=fields)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'id="pv-understood"' in html and "plank" in listed(html, "pv-exercises")
    assert response.headers["Cache-Control"] == "no-store"
    no_token = {k: v for k, v in fields.items() if k != "csrf_token"}
    assert client.post(f"{ADMIN}/rules/preview", data=no_token).status_code == 400


def test_the_editor_script_is_served_from_our_static_folder(app: Flask) -> None:
    client = signed_in(app)
    html = page(client, NEW)
    assert '<script src="/reco/static/admin-preview.js" defer></script>' in html
    assert "<script>" not in html  # no inline script: the CSP forbids it
    with client.get("/reco/static/admin-preview.js") as script:
        assert script.status_code == 200 and b"data-preview-url" in script.data


def test_description_boxes_take_as_much_text_as_the_shop_allows(database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The preview, the rule form's preview and the test bench follow SHOP_RECO_MAX_DESCRIPTION_CHARS."""
    from tests.conftest import make_app

    app = make_app(database_url, tmp_path, SHOP_RECO_MAX_DESCRIPTION_CHARS=4000)
    assert app.test_cli_runner().invoke(args=["shop-reco", "db", "upgrade"]).exit_code == 0
    client = signed_in(app)
    for path, box in ((f"{ADMIN}/preview", "description"), (NEW, "preview_text"), (f"{ADMIN}/testbench/new", "text")):
        html = client.get(path).get_data(as_text=True)
        assert re.search(rf'<textarea[^>]*name="{box}"[^>]*maxlength="4000"', html), path
    long_text = "My lower back aches after sitting all day. " * 70  # 3,010 characters: over the old 2,000
    reply = client.post(f"{ADMIN}/preview", data={"description": long_text, "csrf_token": _csrf(client)})
    assert reply.status_code == 200 and "at most" not in text(reply)
    assert "trigger:sitting" in text(reply) or "Sitting" in text(reply)
    too_long = client.post(f"{ADMIN}/preview", data={"description": "x" * 4001, "csrf_token": _csrf(client)})
    assert "at most 4000 characters" in text(too_long)
    app.extensions["shop_reco"].close()


def _csrf(client: FlaskClient) -> str:
    html = client.get(f"{ADMIN}/preview").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
