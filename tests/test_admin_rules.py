"""Rules in the admin: create, edit, duplicate, enable/disable, delete, JSON, validation, conflicts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from admin_pages import form_fields
from admin_session import ADMIN, MERCHANT, page, recommend, resubmit, sign_in, submit, text
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from shop_reco.extension import get_session
from shop_reco.storage.models import Revision, Rule
from shop_reco.storage.rules import RuleConflict, update_rule

RULE = "sitting-hip-flexors"
NEW = f"{ADMIN}/rules/new"
WALKING_PLANK = {
    "do": "save",
    "key": "walking-plank",
    "name": "Walking: plank for the core",
    "c.trigger:walking": "all",
    "w.ex.plank": "5",
}


def signed_in(app: Flask) -> FlaskClient:
    client = app.test_client()
    sign_in(client)
    return client


def stored(app: Flask, key: str) -> Rule | None:
    with app.app_context():
        return get_session().scalar(select(Rule).where(Rule.key == key))


def revisions(app: Flask, key: str) -> list[Revision]:
    with app.app_context():
        return list(get_session().scalars(select(Revision).where(Revision.entity_key == key).order_by(Revision.id)))


def edit(client: FlaskClient, key: str, changes: dict[str, Any]) -> Any:
    return submit(client, f"{ADMIN}/rules/{key}/edit", {"do": "save", **changes})


def test_list_searches_filters_and_sorts(app: Flask) -> None:
    client = signed_in(app)
    body = page(client, f"{ADMIN}/rules")
    assert "Long sitting: hip flexors and glutes" in body and "general-reading" in body
    found = page(client, f"{ADMIN}/rules?q=sitting")
    assert RULE in found and "stairs-hip-abductors" not in found
    assert "No rules match." in page(client, f"{ADMIN}/rules?active=off")
    by_name = page(client, f"{ADMIN}/rules?sort=name")
    assert by_name.index("Hip: stretch") < by_name.index("Long sitting") < by_name.index("Tight hamstrings")
    assert body.index("High-impact activity") < body.index("Tight hamstrings") < body.index("general-reading")


def test_create_a_rule_through_the_form(app: Flask) -> None:
    client = signed_in(app)
    response = submit(client, NEW, WALKING_PLANK)
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/rules/walking-plank/edit?notice=created"
    )
    assert "Rule created." in page(client, response.headers["Location"])
    rule = stored(app, "walking-plank")
    assert rule is not None and rule.version == 1 and rule.updated_by == MERCHANT
    assert rule.conditions["all"] == ["trigger:walking"] and rule.conditions["safety"] == ["none"]
    assert rule.actions["exercises"] == [{"slug": "plank", "weight": 5.0}]
    [created] = revisions(app, "walking-plank")
    assert (created.action, created.actor, created.before) == ("create", MERCHANT, None)
    assert created.after is not None and created.after["name"] == "Walking: plank for the core"
    # The shop serves it at once.
    answer = recommend(client, "My hip aches when walking the dog")
    assert "plank" in [e["slug"] for e in answer["exercises"]]


def test_every_action_kind_round_trips_through_the_form(app: Flask) -> None:
    client = signed_in(app)
    changes = {
        **WALKING_PLANK,
        "key": "walking-everything",
        "c.area:hip": "any",
        "c.area:lower_back": "any",
        "c.symptom:spasm": "none",
        "severity": ["mild", "moderate"],
        "min_weeks": "1",
        "max_weeks": "12,5",
        "safety": ["none", "consult"],
        "locales": ["sv"],
        "priority": "300",
        "active": None,
        "w.pr.lumbar-support-belt": "2",
        "why_en.pr.lumbar-support-belt": "Support while you walk",
        "why_sv.pr.lumbar-support-belt": "Stöd när du går",
        "w.se.hip-and-lower-back-pain#core-and-aerobic": "1",
        "pin.ex.brisk-walking": "1",
        "boost.ex.swimming": "-2",
        "excl.ex.hamstring-stretch": "1",
        "avoid.0.code": "long-walks",
        "avoid.0.en": "Very long walks at first",
        "avoid.0.sv": "Mycket långa promenader",
        "note_en": "Walk at an easy pace.",
        "shopper_reason_en": "Easy walking keeps the back moving",
        "shopper_reason_sv": "Lugna promenader håller ryggen i rörelse",
        "valid_from": "2026-01-01T08:00",
    }
    assert submit(client, NEW, changes).status_code == 302
    rule = stored(app, "walking-everything")
    assert rule is not None and rule.active is False and rule.priority == 300 and rule.locales == ["sv"]
    assert rule.conditions == {
        "all": ["trigger:walking"],
        "any": ["area:hip", "area:lower_back"],
        "none": ["symptom:spasm"],
        "severity": ["mild", "moderate"],
        "min_duration_weeks": 1.0,
        "max_duration_weeks": 12.5,
        "safety": ["none", "consult"],
    }
    a = rule.actions
    assert a["products"] == [
        {
            "sku": "lumbar-support-belt",
            "weight": 2.0,
            "reason": {"en": "Support while you walk", "sv": "Stöd när du går"},
        }
    ]
    assert a["sections"] == [{"article": "hip-and-lower-back-pain", "anchor": "core-and-aerobic", "weight": 1.0}]
    assert a["pin"] == [{"type": "exercise", "id": "brisk-walking", "position": 1}]
    assert a["boost"] == [{"type": "exercise", "id": "swimming", "by": -2.0}]
    assert a["exclude"] == [{"type": "exercise", "id": "hamstring-stretch"}]
    assert a["avoid"] == [
        {"code": "long-walks", "text": {"en": "Very long walks at first", "sv": "Mycket långa promenader"}}
    ]
    assert a["note"] == {"en": "Walk at an easy pace."}
    assert a["shopper_reason"] == {
        "en": "Easy walking keeps the back moving",
        "sv": "Lugna promenader håller ryggen i rörelse",
    }
    assert rule.valid_from is not None and rule.valid_from.strftime("%Y-%m-%d %H:%M") == "2026-01-01 08:00"
    # Saving the form unchanged writes nothing: the form shows the rule exactly.
    response = edit(client, "walking-everything", {})
    assert response.headers["Location"].endswith("notice=unchanged")
    assert len(revisions(app, "walking-everything")) == 1


def test_every_demo_rule_survives_an_unchanged_save(app: Flask) -> None:
    client = signed_in(app)
    with app.app_context():
        keys = list(get_session().scalars(select(Rule.key)))
    assert len(keys) >= 10
    for key in keys:
        response = edit(client, key, {})
        assert response.status_code == 302 and response.headers["Location"].endswith("notice=unchanged"), key


def test_validation_errors_sit_next_to_their_fields_and_keep_the_input(app: Flask) -> None:
    client = signed_in(app)
    response = submit(
        client,
        NEW,
        {
            **WALKING_PLANK,
            "key": "Bad Key!",
            "name": "",
            "priority": "lots",
            "w.ex.plank": "heavy",
            "w.pr.lumbar-support-belt": "20",
            "w.ex.glute-bridge": "2",
            "why_sv.ex.glute-bridge": "Bara svenska",
            "min_weeks": "8",
            "max_weeks": "2",
            "shopper_reason_en": "Sitting; standing; lifting",
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    body = text(response)
    assert "Not saved: please fix" in body
    expected = {
        "key": "lowercase letters",
        "name": "Length must be between 1 and 120",
        "priority": "whole number",
        "w.ex.plank": "weight from 0 to 10",
        "w.pr.lumbar-support-belt": "less than or equal to 10",
        "why.ex.glute-bridge": "English",
        "max_weeks": "must not be less than",
        "shopper_reason": "one short sentence",
    }
    for field, message in expected.items():
        assert f'id="err-{field}"' in html, field
        error = html.split(f'id="err-{field}">', 1)[1].split("</p>", 1)[0]
        assert message in text_of(error), (field, error)
    for typed in ('value="Bad Key!"', 'value="lots"', 'value="heavy"', 'value="20"', 'value="Bara svenska"'):
        assert typed in body, typed
    assert 'aria-invalid="true" aria-describedby="err-priority"' in html
    assert stored(app, "walking-plank") is None


def text_of(html: str) -> str:
    from html import unescape

    return unescape(html)


def test_a_rule_needs_an_action_and_a_unique_key(app: Flask) -> None:
    client = signed_in(app)
    response = submit(client, NEW, {**WALKING_PLANK, "w.ex.plank": ""})
    assert response.status_code == 422 and "Add at least one action" in text(response)
    response = submit(client, NEW, {**WALKING_PLANK, "key": RULE})
    assert response.status_code == 422 and f"A rule with key '{RULE}' already exists" in text(response)


def test_edit_bumps_the_version_and_records_before_and_after(app: Flask) -> None:
    client = signed_in(app)
    response = edit(client, RULE, {"priority": "150", "w.ex.glute-bridge": "4"})
    assert response.status_code == 302 and response.headers["Location"].endswith("notice=saved")
    rule = stored(app, RULE)
    assert rule is not None and rule.version == 2 and rule.priority == 150
    rev = revisions(app, RULE)[-1]
    assert rev.action == "update" and rev.actor == MERCHANT
    assert rev.before is not None and rev.after is not None
    assert (rev.before["priority"], rev.after["priority"]) == (100, 150)
    assert {"slug": "glute-bridge", "weight": 4.0} in rev.after["actions"]["exercises"]


def test_duplicate_starts_a_disabled_copy(app: Flask) -> None:
    client = signed_in(app)
    html = page(client, f"{NEW}?from={RULE}")
    fields = form_fields(html, NEW)
    assert fields["key"] == f"{RULE}-copy" and fields["name"].endswith("(copy)") and "active" not in fields
    assert "Copies start disabled" in text_of(html)
    assert client.post(NEW, data={**fields, "do": "save"}).status_code == 302
    original, copy = stored(app, RULE), stored(app, f"{RULE}-copy")
    assert original is not None and copy is not None and copy.active is False
    assert (copy.conditions, copy.actions) == (original.conditions, original.actions)
    assert form_fields(page(client, f"{NEW}?from={RULE}"), NEW)["key"] == f"{RULE}-copy-2"


def test_enable_and_disable_from_the_list(app: Flask) -> None:
    client = signed_in(app)
    key = "general-reading"
    toggle = f"{ADMIN}/rules/{key}/toggle"
    response = submit(client, f"{ADMIN}/rules", {}, action=toggle)
    assert response.status_code == 302 and response.headers["Location"].endswith("notice=disabled")
    rule = stored(app, key)
    assert rule is not None and rule.active is False and rule.version == 2
    assert "Enabled" not in page(client, f"{ADMIN}/rules?q={key}").split("<tbody>")[1].split("badge")[1]
    response = submit(client, f"{ADMIN}/rules", {}, action=toggle)
    assert response.headers["Location"].endswith("notice=enabled")
    rule = stored(app, key)
    assert rule is not None and rule.active is True
    assert [r.action for r in revisions(app, key)][-2:] == ["update", "update"]


def test_a_stale_toggle_is_a_conflict(app: Flask) -> None:
    client = signed_in(app)
    key = "general-reading"
    list_html = page(client, f"{ADMIN}/rules")
    assert edit(client, key, {"priority": "5"}).status_code == 302
    toggle = f"{ADMIN}/rules/{key}/toggle"
    response = client.post(toggle, data=form_fields(list_html, toggle))
    assert response.status_code == 409 and "Someone changed this rule" in text(response)
    rule = stored(app, key)
    assert rule is not None and rule.active is True


def test_delete_asks_first_and_keeps_history(app: Flask) -> None:
    client = signed_in(app)
    key = "general-reading"
    url = f"{ADMIN}/rules/{key}/delete"
    assert "Delete this rule?" in text(client.get(url))
    response = submit(client, url)
    assert response.status_code == 302 and response.headers["Location"].endswith("notice=deleted")
    assert stored(app, key) is None
    rev = revisions(app, key)[-1]
    assert rev.action == "delete" and rev.after is None and rev.before is not None and rev.before["name"]


def test_json_editor_saves_and_keeps_broken_json(app: Flask) -> None:
    client = signed_in(app)
    url = f"{ADMIN}/rules/{RULE}/json"
    fields = form_fields(page(client, url), url)
    data = json.loads(fields["rule_json"])
    assert data["key"] == RULE and "version" not in data
    data["priority"] = 400
    response = client.post(url, data={**fields, "rule_json": json.dumps(data)})
    assert response.status_code == 302
    rule = stored(app, RULE)
    assert rule is not None and rule.priority == 400 and rule.version == 2

    broken = '{"key": "sitting-hip-flexors", "name": '
    response = client.post(url, data={**fields, "rule_json": broken})
    assert response.status_code == 422 and "This is not valid JSON" in text(response)
    assert broken in text(response)
    invalid = json.dumps({**data, "conditions": {"all": ["area:knee"]}})
    response = client.post(url, data={**form_fields(page(client, url), url), "rule_json": invalid})
    assert response.status_code == 422 and "conditions.all.0" in text(response) and "area:knee" in text(response)


def test_new_rule_from_json(app: Flask) -> None:
    client = signed_in(app)
    url = f"{ADMIN}/rules/new-from-json"
    rule = {
        "key": "json-walking",
        "name": "From JSON",
        "conditions": {"all": ["trigger:walking"]},
        "actions": {"exercises": [{"slug": "swimming", "weight": 1}]},
    }
    response = submit(client, url, {"rule_json": json.dumps(rule)})
    assert response.status_code == 302
    assert stored(app, "json-walking") is not None


def test_reference_warnings_are_shown(app: Flask) -> None:
    client = signed_in(app)
    url = f"{ADMIN}/rules/{RULE}/json"
    data = json.loads(form_fields(page(client, url), url)["rule_json"])
    data["actions"]["exercises"].append({"slug": "handstand", "weight": 1})
    response = submit(client, url, {"rule_json": json.dumps(data)})
    assert response.status_code == 302
    body = page(client, f"{ADMIN}/rules/{RULE}/edit")
    assert "Check the catalog references" in text_of(body) and "no exercise 'handstand' in the catalog" in text_of(body)
    assert "not in the catalog" in body  # the unknown item keeps its row, so saving the form keeps it
    assert edit(client, RULE, {}).headers["Location"].endswith("notice=unchanged")


def test_two_edits_from_the_same_version_conflict_and_nothing_is_lost(app: Flask) -> None:
    first, second = signed_in(app), signed_in(app)
    url = f"{ADMIN}/rules/{RULE}/edit"
    theirs_form = form_fields(page(first, url), url, {"do": "save", "priority": "150"})
    mine_form = form_fields(page(second, url), url, {"do": "save", "name": "Mine: sitting", "w.ex.plank": "2"})
    assert first.post(url, data=theirs_form).status_code == 302

    conflict = second.post(url, data=mine_form)
    assert conflict.status_code == 409
    body = text(conflict)
    assert "Someone else saved this rule first" in body and f"{MERCHANT} saved version 2" in body
    assert '"priority": 150' in body and '"name": "Mine: sitting"' in body  # theirs and yours
    assert "Fields that differ" in body and "You both changed" not in body
    rule = stored(app, RULE)
    assert rule is not None and rule.name != "Mine: sitting" and rule.priority == 150

    # Re-apply: my changes on top of theirs, at their version; review, then save.
    reopened = resubmit(second, conflict, url)
    assert reopened.status_code == 200
    fields = form_fields(reopened.get_data(as_text=True), url)
    assert fields["version"] == "2" and fields["name"] == "Mine: sitting"
    assert fields["priority"] == "150" and fields["w.ex.plank"] == "2"
    assert second.post(url, data={**fields, "do": "save"}).status_code == 302
    rule = stored(app, RULE)
    assert rule is not None and (rule.name, rule.priority, rule.version) == ("Mine: sitting", 150, 3)
    assert {"slug": "plank", "weight": 2.0} in rule.actions["exercises"]


def test_a_field_changed_by_both_is_pointed_out(app: Flask) -> None:
    first, second = signed_in(app), signed_in(app)
    url = f"{ADMIN}/rules/{RULE}/edit"
    theirs_form = form_fields(page(first, url), url, {"do": "save", "priority": "150"})
    mine_form = form_fields(page(second, url), url, {"do": "save", "priority": "120"})
    assert first.post(url, data=theirs_form).status_code == 302
    conflict = second.post(url, data=mine_form)
    assert conflict.status_code == 409 and "You both changed <code>priority</code>" in text(conflict)
    assert form_fields(conflict.get_data(as_text=True), url)["priority"] == "120"


def test_editing_a_rule_deleted_meanwhile_offers_to_recreate_it(app: Flask) -> None:
    client = signed_in(app)
    key = "general-reading"
    url = f"{ADMIN}/rules/{key}/edit"
    mine = form_fields(page(client, url), url, {"do": "save", "name": "Still wanted"})
    assert submit(client, f"{ADMIN}/rules/{key}/delete").status_code == 302
    conflict = client.post(url, data=mine)
    assert conflict.status_code == 409 and "was deleted while you were editing" in text(conflict)
    reopened = resubmit(client, conflict, NEW)
    fields = form_fields(reopened.get_data(as_text=True), NEW)
    assert fields["key"] == key and fields["name"] == "Still wanted"
    assert client.post(NEW, data={**fields, "do": "save"}).status_code == 302
    assert stored(app, key) is not None


def test_the_version_column_catches_a_race_between_load_and_save(app: Flask) -> None:
    """Both writers passed the form's version check; the UPDATE itself refuses the second."""
    state = app.extensions["shop_reco"]
    with state.session_factory() as one, state.session_factory() as two:
        row_two = two.scalar(select(Rule).where(Rule.key == RULE))
        assert row_two is not None and row_two.version == 1
        update_rule(one, RULE, {"priority": 111}, expected_version=1, actor="a")
        one.commit()
        with pytest.raises(RuleConflict):  # two still holds version 1; the UPDATE matches no row
            update_rule(two, RULE, {"priority": 222}, expected_version=1, actor="b")
        two.rollback()
    rule = stored(app, RULE)
    assert rule is not None and rule.priority == 111 and rule.version == 2
