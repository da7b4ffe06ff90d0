"""POST /recommendations with the red-flag screen: answers raise, never lower; every answer carries the screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from shop_reco import vocabulary
from shop_reco.extension import get_session
from shop_reco.storage.models import Recommendation
from tests.conftest import make_app

URL = "/reco/api/v1/recommendations"
ORDINARY = "My lower back aches after sitting at my desk all day"
ALL_NO = {code: False for code in vocabulary.RED_FLAGS}


def post(client: FlaskClient, description: str = ORDINARY, **body: object):  # type: ignore[no-untyped-def]
    reply = client.post(URL, json={"description": description, **body})
    assert reply.status_code == 200, reply.get_json()
    return reply.get_json()


def test_every_answer_carries_the_screen_in_its_locale_urgent_questions_first(client: FlaskClient) -> None:
    for locale in vocabulary.LOCALES:
        body = post(client, locale=locale)
        screen = body["screening"]
        assert screen["status"] == "unanswered" and screen["ask"] is True
        codes = [q["code"] for q in screen["questions"]]
        assert set(codes) == set(vocabulary.RED_FLAGS)
        levels = [q["level"] for q in screen["questions"]]
        assert levels.index("consult") > max(i for i, lvl in enumerate(levels) if lvl == "urgent")
        assert all(q["mentioned"] is False for q in screen["questions"])
    english = post(client, locale="en")["screening"]["questions"][0]["text"]
    swedish = post(client, locale="sv")["screening"]["questions"][0]["text"]
    assert "urine" in english and "kissa" in swedish


def test_yes_on_the_screen_raises_that_red_flag_as_if_written(client: FlaskClient) -> None:
    body = post(client, locale="en", screening={**ALL_NO, "fever": True})
    assert body["safety"]["level"] == "urgent"
    assert body["safety"]["red_flags"] == [{"code": "fever", "level": "urgent", "phrase": None, "source": "screen"}]
    assert body["exercises"] == [] and body["products"] == []
    assert body["screening"]["status"] == "flagged" and body["screening"]["ask"] is False


def test_a_consult_answer_from_the_screen_shows_no_exercises(client: FlaskClient) -> None:
    body = post(client, locale="en", screening={"cancer_history": True})
    assert body["safety"]["level"] == "consult" and body["exercises"] == []
    assert body["safety"]["red_flags"][0]["source"] == "screen"


def test_no_on_the_screen_never_cancels_a_red_flag_in_the_text(client: FlaskClient) -> None:
    body = post(client, "I can't control my bladder and my lower back hurts", locale="en", screening=ALL_NO)
    assert body["safety"]["level"] == "urgent"
    assert [(f["code"], f["source"]) for f in body["safety"]["red_flags"]] == [("bladder_bowel", "text")]
    assert body["safety"]["red_flags"][0]["phrase"]
    assert body["exercises"] == [] and body["products"] == []


def test_all_no_is_clear_and_shows_the_routine(client: FlaskClient) -> None:
    body = post(client, locale="en", screening=ALL_NO)
    assert body["screening"]["status"] == "clear" and body["screening"]["ask"] is False
    assert body["safety"]["level"] == "none" and body["exercises"]


def test_some_answers_only_leave_the_screen_unanswered(client: FlaskClient) -> None:
    body = post(client, locale="en", screening={"fever": False})
    assert body["screening"]["status"] == "unanswered" and body["safety"]["level"] == "none"


def test_the_text_marks_the_questions_it_touched(client: FlaskClient) -> None:
    body = post(client, "My back aches and I keep running to the toilet at night", locale="en")
    touched = {q["code"] for q in body["screening"]["questions"] if q["mentioned"]}
    assert {"bladder_bowel", "night_pain"} <= touched


def test_urgent_text_is_not_screened_first(client: FlaskClient) -> None:
    body = post(client, "I can't control my bladder and my groin is numb", locale="en")
    assert body["safety"]["level"] == "urgent" and body["screening"]["ask"] is False


@pytest.mark.parametrize(
    ("screening", "problem"),
    [
        ({"fevre": True}, "fevre"),
        ({"fever": "yes"}, "fever"),
        ({"fever": 1}, "fever"),
        ({"fever": None}, "fever"),
        (["fever"], None),
        ("fever", None),
        ({"area:hip": True}, "area:hip"),
        (None, None),
    ],
)
def test_a_bad_screening_is_a_400_naming_the_field(client: FlaskClient, screening: object, problem: str | None) -> None:
    reply = client.post(URL, json={"description": ORDINARY, "screening": screening})
    assert reply.status_code == 400
    errors = reply.get_json()["errors"]
    assert list(errors) == ["screening"]
    if problem is not None:
        assert problem in errors["screening"]


def test_urgent_answers_say_whom_to_call_in_the_locale(client: FlaskClient) -> None:
    swedish = post(client, "Jag har ont i ryggen", locale="sv", screening={"fever": True})
    assert [(c["number"], c["href"]) for c in swedish["safety"]["contacts"]] == [
        ("112", "tel:112"),
        ("1177", "tel:1177"),
    ]
    english = post(client, locale="en", screening={"trauma": True})
    assert english["safety"]["contacts"] == [
        {"label": "Call your local emergency number", "number": None, "href": None}
    ]
    assert post(client, locale="en")["safety"]["contacts"] == []


def test_a_shop_sets_its_own_urgent_contacts(database_url: str, tmp_path: Path) -> None:
    contacts = {"en": [{"label": "Call 999 in an emergency", "number": "999"}]}
    app = make_app(database_url, tmp_path, SHOP_RECO_URGENT_CONTACTS=contacts)
    try:
        runner = app.test_cli_runner()
        for args in (["shop-reco", "db", "upgrade"], ["shop-reco", "demo-data"]):
            assert runner.invoke(args=args).exit_code == 0
        body = post(app.test_client(), locale="en", screening={"fever": True})
        assert body["safety"]["contacts"] == [{"label": "Call 999 in an emergency", "number": "999", "href": "tel:999"}]
    finally:
        app.extensions["shop_reco"].close()


def test_a_vague_text_says_what_we_cover_and_keeps_the_general_routine_labelled(client: FlaskClient) -> None:
    for text in ("my knee hurts", "everything hurts", "qwrt zzkx blorp"):
        body = post(client, text, locale="en")
        assert body["scope"]["understood"] is False
        assert "lower back" in body["scope"]["message"] and "body map" in body["scope"]["message"]
        assert body["scope"]["areas"] == list(vocabulary.AREAS)
        assert body["fallback"] is True
    understood = post(client, locale="en")
    assert understood["scope"] == {"understood": True, "message": None, "areas": list(vocabulary.AREAS)}


def test_the_log_keeps_the_raised_codes_never_the_answers_or_text(app) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    rec_id = post(client, locale="en", screening={**ALL_NO, "fever": True})["id"]
    app.extensions["shop_reco"].answer_log.flush()
    with app.app_context():
        row = get_session().scalars(select(Recommendation).where(Recommendation.id == rec_id)).one()
        assert row.safety_level == "urgent"
        assert "red_flag:fever" in row.concepts
        assert row.description is None
        assert {item["type"] for item in row.items} <= {"section"}  # the safety section at most


def test_the_openapi_document_describes_the_screen(client: FlaskClient) -> None:
    doc = client.get("/reco/api/v1/openapi.json").get_json()
    schemas = doc["components"]["schemas"]
    ref = schemas["RecommendationRequest"]["properties"]["screening"]
    ref = ref.get("$ref") or ref["allOf"][0]["$ref"]
    answers = schemas[ref.rsplit("/", 1)[1]]
    assert set(answers["properties"]) == set(vocabulary.RED_FLAGS)  # only the codes: a client can't send others
    assert {p["type"] for p in answers["properties"].values()} == {"boolean"}
    assert answers.get("additionalProperties") is False
    answer = schemas["Recommendation"]["properties"]
    assert {"screening", "scope", "safety"} <= set(answer)


@pytest.mark.parametrize("mode", ["when_uncertain", "off"])
def test_the_setting_decides_when_the_finder_asks_first(database_url: str, tmp_path: Path, mode: str) -> None:
    app = make_app(database_url, tmp_path, SHOP_RECO_SCREENING=mode)
    try:
        runner = app.test_cli_runner()
        for args in (["shop-reco", "db", "upgrade"], ["shop-reco", "demo-data"]):
            assert runner.invoke(args=args).exit_code == 0
        client = app.test_client()
        assert post(client, locale="en")["screening"]["ask"] is False
        touched = post(client, "My back aches and I keep running to the toilet", locale="en")["screening"]
        assert touched["ask"] is (mode == "when_uncertain")
        assert touched["status"] == "unanswered" and len(touched["questions"]) == len(vocabulary.RED_FLAGS)
    finally:
        app.extensions["shop_reco"].close()


# -- a property over the whole API: no screen answer lowers the safety level -------------------

RANK = {level: i for i, level in enumerate(vocabulary.SAFETY_LEVELS)}
PHRASES = [
    "my lower back aches after sitting",
    "no numbness",
    "I can't control my bladder",
    "I had a fever last week",
    "my left leg is numb",
    "ont i ländryggen",
    "jag har feber",
    "not sure",
]


@pytest.fixture(scope="module")
def module_client(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One SQLite app for the property below (Hypothesis runs many examples against one app)."""
    tmp = tmp_path_factory.mktemp("screen-property")
    app = make_app(f"sqlite:///{tmp / 'reco.db'}", tmp)
    runner = app.test_cli_runner()
    for args in (["shop-reco", "db", "upgrade"], ["shop-reco", "demo-data"]):
        assert runner.invoke(args=args).exit_code == 0
    yield app.test_client()
    app.extensions["shop_reco"].close()


@settings(max_examples=60)
@given(
    text=st.one_of(
        st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=80),
        st.lists(st.sampled_from(PHRASES), min_size=1, max_size=4).map(", ".join),
    ),
    locale=st.sampled_from(vocabulary.LOCALES),
    answers=st.dictionaries(st.sampled_from(list(vocabulary.RED_FLAGS)), st.booleans(), min_size=1),
)
def test_over_the_api_no_screen_answer_lowers_the_safety_level(
    module_client: FlaskClient, text: str, locale: str, answers: dict[str, bool]
) -> None:
    if not text.strip():
        text = "x"
    plain = module_client.post(URL, json={"description": text, "locale": locale}).get_json()
    screened = module_client.post(URL, json={"description": text, "locale": locale, "screening": answers}).get_json()
    before, after = plain["safety"]["level"], screened["safety"]["level"]
    assert RANK[after] >= RANK[before]
    for code, yes in answers.items():
        if yes:
            assert RANK[after] >= RANK[vocabulary.RED_FLAGS[code]]
            assert code in {f["code"] for f in screened["safety"]["red_flags"]}
    if after != "none":
        assert screened["exercises"] == []
