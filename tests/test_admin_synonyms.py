"""Merchant synonyms: add, edit in place and delete a phrase, and the analyzer reads it at once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from admin_pages import ADMIN_USER, add_waterworks_case, admin_app, form_fields
from admin_session import ADMIN, page, recommend, resubmit, submit, text
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from shop_reco.extension import get_session
from shop_reco.storage.models import Revision, Synonym

SYNONYMS = f"{ADMIN}/synonyms"
GRUMBLY = "My grumbly hinge has been bad for days."
CREAKY = "My creaky hinge has been bad for days."


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    yield from admin_app(database_url, tmp_path)


def add(client: FlaskClient, phrase: str, concept: str = "area:hip", locale: str = "en") -> str:
    """Add a synonym through the form; returns the URL of its edit page, as the list links it."""
    added = submit(client, SYNONYMS, {"locale": locale, "phrase": phrase, "concept": concept})
    assert added.status_code == 302, text(added)[:3000]
    listing = text(client.get(added.headers["Location"]))
    row = listing[listing.index(f">{phrase}<") :]
    match = re.search(rf'href="({SYNONYMS}/\d+/edit)"', row)
    assert match, "the synonym has no edit link"
    return match.group(1)


def areas(client: FlaskClient, description: str) -> list[str]:
    return recommend(client, description)["profile"]["areas"]  # type: ignore[no-any-return]


def phrases(app: Flask) -> list[str]:
    with app.app_context():
        return sorted(get_session().scalars(select(Synonym.phrase)))


def test_synonym_teaches_the_analyzer_a_new_phrase(app: Flask, client: FlaskClient) -> None:
    assert "hip" not in areas(client, GRUMBLY)

    added = submit(client, SYNONYMS, {"locale": "en", "phrase": "grumbly hinge", "concept": "area:hip"})
    assert added.status_code == 302, text(added)[:3000]
    listing = text(client.get(added.headers["Location"]))
    assert "grumbly hinge" in listing and "area:hip" in listing
    assert "hip" in areas(client, GRUMBLY)

    duplicate = submit(client, SYNONYMS, {"locale": "en", "phrase": "Grumbly  HINGE", "concept": "area:thigh"})
    assert duplicate.status_code == 400 and "already a synonym for area:hip" in text(duplicate)
    unknown = submit(client, SYNONYMS, {"locale": "en", "phrase": "knee", "concept": "area:knee"})
    assert unknown.status_code == 400 and "choose a concept from the vocabulary" in text(unknown)

    with app.app_context():
        synonym = get_session().scalars(select(Synonym)).one()
        revision = get_session().scalars(select(Revision).where(Revision.entity == "synonym")).one()
        assert (revision.action, revision.actor, revision.after["phrase"]) == ("create", ADMIN_USER, "grumbly hinge")
    delete_url = f"{SYNONYMS}/{synonym.id}/delete"
    deleted = client.post(delete_url, data=form_fields(page(client, SYNONYMS), delete_url))
    assert deleted.status_code == 302
    assert "hip" not in areas(client, GRUMBLY)


def test_edited_synonym_is_listed_and_read_by_the_analyzer(app: Flask, client: FlaskClient) -> None:
    edit_url = add(client, "grumbly hinge")
    form = page(client, edit_url)
    assert 'value="grumbly hinge"' in form

    saved = submit(client, edit_url, {"phrase": "creaky  hinge"})
    assert saved.status_code == 302, text(saved)[:3000]
    listing = text(client.get(saved.headers["Location"]))
    assert "“creaky hinge” (en) now means area:hip." in listing
    assert phrases(app) == ["creaky hinge"]
    assert "hip" in areas(client, CREAKY) and "hip" not in areas(client, GRUMBLY)

    with app.app_context():
        revision = get_session().scalars(select(Revision).where(Revision.action == "update")).one()
        assert (revision.entity, revision.entity_key, revision.actor) == ("synonym", "en:creaky hinge", ADMIN_USER)
        assert (revision.before["phrase"], revision.after["phrase"]) == ("grumbly hinge", "creaky hinge")


def test_synonym_can_change_its_concept_and_keep_its_phrase(app: Flask, client: FlaskClient) -> None:
    edit_url = add(client, "grumbly hinge")
    saved = submit(client, edit_url, {"concept": "area:lower_back"})
    assert saved.status_code == 302, text(saved)[:3000]
    assert "lower_back" in areas(client, GRUMBLY) and "hip" not in areas(client, GRUMBLY)


@pytest.mark.parametrize(
    ("phrase", "problem"),
    [
        ("", "write the phrase shoppers use"),
        ("x" * 101, "must be at most 100 characters (got 101)"),
        ("Creaky  KNEES", "“creaky knees” is already a synonym for area:thigh"),
    ],
)
def test_bad_synonym_edit_shows_the_error_and_keeps_the_text(
    app: Flask, client: FlaskClient, phrase: str, problem: str
) -> None:
    add(client, "creaky knees", concept="area:thigh")
    edit_url = add(client, "grumbly hinge")
    response = submit(client, edit_url, {"phrase": phrase, "concept": "area:lower_back"})
    html = text(response)
    assert response.status_code == 400
    assert "Nothing was saved" in html
    phrase_field = html[html.index('id="f-phrase"') : html.index('id="f-concept"')]
    assert f'value="{phrase}"' in phrase_field
    assert 'aria-invalid="true"' in phrase_field and problem in phrase_field
    assert 'value="area:lower_back" selected' in html  # the other fields are kept too
    assert phrases(app) == ["creaky knees", "grumbly hinge"]
    assert "hip" in areas(client, GRUMBLY)

    fixed = resubmit(client, response, edit_url, {"phrase": "grumbly hip"})
    assert fixed.status_code == 302, text(fixed)[:3000]
    assert phrases(app) == ["creaky knees", "grumbly hip"]


def test_synonym_edit_after_someone_else_saved_it_is_not_lost(app: Flask, client: FlaskClient) -> None:
    edit_url = add(client, "grumbly hinge")
    mine = page(client, edit_url)
    assert submit(client, edit_url, {"phrase": "creaky hinge"}).status_code == 302  # another tab

    stale = client.post(edit_url, data=form_fields(mine, edit_url, {"phrase": "squeaky hinge"}))
    html = text(stale)
    assert stale.status_code == 400 and "changed by someone else" in html and 'value="squeaky hinge"' in html
    assert phrases(app) == ["creaky hinge"]
    again = resubmit(client, stale, edit_url)
    assert again.status_code == 302 and phrases(app) == ["squeaky hinge"]


def test_synonym_edit_without_csrf_token_keeps_the_typed_text(app: Flask, client: FlaskClient) -> None:
    edit_url = add(client, "grumbly hinge")
    data = form_fields(page(client, edit_url), edit_url, {"phrase": "creaky hinge", "csrf_token": None})
    response = client.post(edit_url, data=data)
    assert response.status_code == 400 and 'value="creaky hinge"' in text(response)
    assert phrases(app) == ["grumbly hinge"]
    assert client.get(f"{SYNONYMS}/999999/edit").status_code == 404


# -- safety: a synonym never hides a red flag -------------------------------------------------------

CAUDA_EQUINA = "Since yesterday I can't control my bladder and my groin feels numb."


def safety(client: FlaskClient, description: str) -> tuple[str, list[str]]:
    answer = recommend(client, description)
    return answer["safety"]["level"], sorted(f["code"] for f in answer["safety"]["red_flags"])


def test_a_phrase_that_reads_as_a_red_flag_cannot_mean_something_else(app: Flask, client: FlaskClient) -> None:
    before = safety(client, CAUDA_EQUINA)
    refused = submit(
        client, SYNONYMS, {"locale": "en", "phrase": "can't control my bladder", "concept": "trigger:sitting"}
    )
    assert refused.status_code == 400
    assert "reads as red_flag:bladder_bowel" in text(refused) and "can't control my bladder" in text(refused)
    assert "can't control my bladder" not in phrases(app)
    assert safety(client, CAUDA_EQUINA) == before == ("urgent", ["bladder_bowel", "saddle_anesthesia"])
    # Adding a red flag is welcome: the phrase may mean the red flag it reads as, or a new one.
    add(client, "weak bladder", "red_flag:bladder_bowel")
    assert safety(client, "My back aches and I have a weak bladder.")[0] == "urgent"


def test_the_test_bench_refuses_a_synonym_that_hides_a_red_flag_in_context(app: Flask, client: FlaskClient) -> None:
    """'my groin' alone is no red flag, but read first it would swallow 'groin feels numb'."""
    refused = submit(client, SYNONYMS, {"locale": "en", "phrase": "my groin", "concept": "area:hip"})
    assert refused.status_code == 400
    assert "Not saved" in text(refused) and "cauda-equina" in text(refused)
    assert 'value="my groin"' in refused.get_data(as_text=True)  # the merchant's input is kept
    assert "my groin" not in phrases(app)
    assert safety(client, CAUDA_EQUINA) == ("urgent", ["bladder_bowel", "saddle_anesthesia"])


def test_editing_or_deleting_a_synonym_runs_the_test_bench_too(app: Flask, client: FlaskClient) -> None:
    edit_url = add(client, "groin tweak", "area:hip")
    edit = submit(client, edit_url, {"locale": "en", "phrase": "my groin", "concept": "area:hip"})
    assert edit.status_code == 400 and "cauda-equina" in text(edit)
    assert "groin tweak" in phrases(app) and "my groin" not in phrases(app)

    # A shop whose own test case relies on its synonym: deleting the synonym would break it.
    add(client, "waterworks trouble", "red_flag:bladder_bowel")
    add_waterworks_case(app)
    with app.app_context():
        synonym_id = get_session().scalars(select(Synonym.id).where(Synonym.phrase == "waterworks trouble")).one()
    delete_url = f"{SYNONYMS}/{synonym_id}/delete"
    kept = client.post(delete_url, data=form_fields(page(client, SYNONYMS), delete_url))
    assert kept.status_code == 302
    assert "kept" in text(client.get(kept.headers["Location"])) and "waterworks trouble" in phrases(app)
    assert safety(client, "Waterworks trouble since Monday and my back hurts.")[0] == "urgent"
