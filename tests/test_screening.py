"""The red-flag screen's core: its questions, what the text touched, its status, and that it only raises safety."""

from __future__ import annotations

import copy
import json
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop_reco import vocabulary
from shop_reco.recommending import screening
from shop_reco.recommending.safety import assess
from shop_reco.recommending.screening import (
    ALWAYS,
    CLEAR,
    FLAGGED,
    OFF,
    UNANSWERED,
    WHEN_UNCERTAIN,
    ScreeningDataError,
    check_screening_data,
    red_flag_codes,
    scope_message,
    screen_status,
    screening_block,
    screening_data,
    understood,
    with_screen_answers,
)
from shop_reco.settings import ConfigError, resolve
from shop_reco.understanding import analyze

RANK = {level: i for i, level in enumerate(vocabulary.SAFETY_LEVELS)}
ALL_FALSE = {code: False for code in vocabulary.RED_FLAGS}
#: Words a shopper would not know, kept out of the questions.
JARGON = ("incontinen", "saddle", "anaesthe", "anesthe", "cauda", "bilateral", "perine", "retention", "sadel")


def raw_data() -> dict:  # type: ignore[type-arg]
    text = resources.files("shop_reco.recommending").joinpath("screening.json").read_text(encoding="utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


# -- the data -----------------------------------------------------------------------------------


def test_every_red_flag_has_a_plain_question_in_every_locale() -> None:
    for locale in vocabulary.LOCALES:
        block = screening_block(None, "", locale)
        assert [q.code for q in block.questions] == list(red_flag_codes())
        assert {q.code for q in block.questions} == set(vocabulary.RED_FLAGS)
        for q in block.questions:
            assert q.text.endswith("?") and q.text[0].isupper(), q.text
            assert not any(word in q.text.lower() for word in JARGON), q.text
            assert "_" not in q.text  # no internal name shown


def test_the_data_names_exactly_the_vocabularys_red_flags() -> None:
    data = raw_data()
    for part in ("questions", "topics"):
        for locale in vocabulary.LOCALES:
            assert set(data[part][locale]) == set(vocabulary.RED_FLAGS), (part, locale)
    asked = {q.code for q in screening_block(None, "", "en").questions}
    assert asked == set(vocabulary.RED_FLAGS)


@pytest.mark.parametrize(
    "breaks",
    [
        lambda d: d["questions"]["sv"].pop("fever"),
        lambda d: d["topics"]["en"].update({"fevre": ["fever"]}),
        lambda d: d["questions"].pop("sv"),
        lambda d: d["areas"]["en"].pop("hip"),
    ],
    ids=["missing-question", "unknown-code", "missing-locale", "missing-area"],
)
def test_data_that_does_not_fit_the_vocabulary_is_refused_with_the_key(breaks) -> None:  # type: ignore[no-untyped-def]
    data = copy.deepcopy(raw_data())
    breaks(data)
    with pytest.raises(ScreeningDataError, match="screening.json"):
        check_screening_data(data)


def test_urgent_questions_come_first() -> None:
    levels = [vocabulary.RED_FLAGS[c] for c in red_flag_codes()]
    assert levels == sorted(levels, key=lambda lvl: RANK[lvl], reverse=True)
    assert levels[0] == vocabulary.URGENT


# -- what the text touched ----------------------------------------------------------------------


def mentioned(text: str, locale: str = "en") -> set[str]:
    block = screening_block(analyze(text, locale), text, locale)
    return {q.code for q in block.questions if q.mentioned}


@pytest.mark.parametrize(
    ("text", "locale", "codes"),
    [
        ("I keep needing the toilet and my back aches at night", "en", {"bladder_bowel", "night_pain"}),
        ("No numbness, just a sore lower back", "en", {"numbness"}),  # a denied red flag still touched it
        ("My back hurts since I fell off my bike", "en", {"trauma"}),
        ("I've had a temperature and shivers for two days", "en", {"fever"}),
        ("I had cancer ten years ago, now my hip aches", "en", {"cancer_history"}),
        ("jag har ont i ryggen och har gått ner i vikt", "en", {"weight_loss"}),  # Swedish on an English page
        ("my groin feels odd", "sv", {"saddle_anesthesia"}),
    ],
)
def test_a_question_is_marked_mentioned_when_the_text_touched_its_topic(
    text: str, locale: str, codes: set[str]
) -> None:
    assert codes <= mentioned(text, locale)


def test_an_ordinary_description_mentions_no_red_flag_topic() -> None:
    assert mentioned("My lower back aches after sitting at my desk all day") == set()


@pytest.mark.parametrize(
    ("text", "locale", "codes"),
    [
        ("Pins and needles down both legs when I stand", "en", {"tingling", "bilateral_legs"}),
        ("my knee gave way on the stairs and it wakes me up", "en", {"weakness", "night_pain"}),
        ("har tappat känseln i foten", "sv", {"numbness"}),  # a stem ends the phrase: "känsel*"
        ("ont i båda   benen", "sv", {"bilateral_legs"}),  # any run of spaces between the words
    ],
)
def test_a_phrase_topic_is_found_where_its_words_stand_together(text: str, locale: str, codes: set[str]) -> None:
    assert codes <= mentioned(text, locale)


@pytest.mark.parametrize(
    ("text", "locale", "code"),
    [
        ("I sit on the ＴＯＩＬＥＴ for ages", "en", "bladder_bowel"),  # full-width letters, as a phone may type
        ("ont i ba\u030ada benen", "sv", "bilateral_legs"),  # "å" as "a" and a combining ring
        ("ont i båda\nbenen", "sv", "bilateral_legs"),  # a phrase's words on two lines
        ("sover dåligt, VAKNAR av smärtan", "sv", "night_pain"),
    ],
)
def test_a_topic_is_touched_however_its_letters_are_written(text: str, locale: str, code: str) -> None:
    """The screen reads the words as the analyzer does (casefolded, NFKC): what looks alike is alike."""
    assert code in mentioned(text, locale)


@given(text=st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_a_topic_is_touched_alike_in_plain_ascii_text_and_in_text_with_other_letters(text: str) -> None:
    """Plain ASCII text is split on a faster path than other text: it finds the same words."""
    ascii_text = f"{text} Shivering, pee_log"  # a topic by its stem; "pee_log" is one word, not "pee"
    other_letters = f"{ascii_text} é"  # a word no topic has, and the text is no longer ASCII
    assert mentioned(ascii_text) == mentioned(other_letters)
    assert "fever" in mentioned(ascii_text)


@pytest.mark.parametrize(("topic", "message"), [("", "has no word"), ("*", "has no word"), ("ab*", "shorter than 3")])
def test_a_topic_that_cannot_be_read_is_refused_naming_it(
    monkeypatch: pytest.MonkeyPatch, topic: str, message: str
) -> None:
    data = copy.deepcopy(raw_data())
    data["topics"]["en"]["fever"].append(topic)
    monkeypatch.setattr(screening, "screening_data", lambda: data)
    with pytest.raises(ScreeningDataError, match=message):
        screening._topic_index.__wrapped__()


def test_words_met_once_are_remembered_within_a_bound() -> None:
    for n in range(30_000):  # more distinct words than the index keeps: it starts afresh, and still finds
        assert mentioned(f"zz{n} and my bladder") >= {"bladder_bowel"}


@pytest.mark.parametrize(
    ("text", "locale", "code"),
    [
        ("both knees ache after my legs got tired", "en", "bilateral_legs"),  # "both" and "legs", not "both legs"
        ("needles for acupuncture and pins in my hip", "en", "tingling"),
        ("my legs, both sore from the gym", "en", "bilateral_legs"),
        ("benen är båda trötta", "sv", "bilateral_legs"),
    ],
)
def test_a_phrase_topics_words_apart_or_out_of_order_are_not_the_topic(text: str, locale: str, code: str) -> None:
    assert code not in mentioned(text, locale)


# -- status and when to ask --------------------------------------------------------------------


def test_status_is_clear_only_when_every_question_was_answered_no() -> None:
    assert screen_status(None) == UNANSWERED
    assert screen_status({}) == UNANSWERED
    assert screen_status({"fever": False}) == UNANSWERED
    assert screen_status(ALL_FALSE) == CLEAR
    assert screen_status({**ALL_FALSE, "night_pain": True}) == FLAGGED
    assert screen_status({"fever": True}) == FLAGGED


def block_for(text: str, answers=None, mode: str = ALWAYS):  # type: ignore[no-untyped-def]
    return screening_block(analyze(text, "en"), text, "en", answers, mode=mode)


def test_always_asks_every_unanswered_shopper_but_not_an_urgent_one() -> None:
    assert block_for("My lower back aches after sitting").ask
    assert not block_for("My lower back aches after sitting", ALL_FALSE).ask
    assert not block_for("I can't control my bladder and my back hurts").ask  # urgent advice comes first
    assert block_for("My lower back hurts and my left leg is numb").ask  # consult: the screen may find more


def test_when_uncertain_asks_only_a_text_that_touched_a_topic_without_a_clear_answer() -> None:
    assert not block_for("My lower back aches after sitting", mode=WHEN_UNCERTAIN).ask
    assert block_for("My back aches and I keep running to the toilet", mode=WHEN_UNCERTAIN).ask
    assert block_for("my back hurts, I'm worried about my weight", mode=WHEN_UNCERTAIN).ask
    assert not block_for("No numbness, my lower back aches after sitting", mode=WHEN_UNCERTAIN).ask


def test_off_never_asks() -> None:
    assert not block_for("My back aches and I keep running to the toilet", mode=OFF).ask


def test_a_failed_analysis_is_never_screened_first() -> None:
    assert not screening_block(None, "anything", "en").ask


# -- the answers raise, never lower -------------------------------------------------------------


def test_yes_raises_the_red_flag_as_if_written_with_no_phrase_and_the_screen_as_source() -> None:
    profile = analyze("My lower back aches after sitting", "en")
    safety = assess(with_screen_answers(profile, {"fever": True, "night_pain": False}), "en")
    assert safety.level == vocabulary.URGENT
    assert [(f.code, f.phrase, f.source) for f in safety.red_flags] == [("fever", None, "screen")]


def test_no_never_cancels_a_red_flag_found_in_the_text() -> None:
    profile = analyze("I can't control my bladder and my back hurts", "en")
    safety = assess(with_screen_answers(profile, ALL_FALSE), "en")
    assert safety.level == vocabulary.URGENT
    assert [(f.code, f.source) for f in safety.red_flags] == [("bladder_bowel", "text")]
    assert safety.red_flags[0].phrase


PHRASES = [
    "my lower back aches",
    "after sitting all day",
    "no numbness",
    "I can't control my bladder",
    "I had a fever",
    "my left leg is numb",
    "jag har feber",
    "ont i ländryggen",
    "kan inte hålla urinen",
    "not sure",
    "both legs",
    "it wakes me at night",
]
descriptions = st.one_of(
    st.text(max_size=120),
    st.lists(st.sampled_from(PHRASES), min_size=1, max_size=5).map(", ".join),
)
answer_sets = st.dictionaries(st.sampled_from(list(vocabulary.RED_FLAGS)), st.booleans())


@given(text=descriptions, locale=st.sampled_from(vocabulary.LOCALES), answers=answer_sets)
def test_no_screen_answer_ever_lowers_the_safety_level(text: str, locale: str, answers: dict[str, bool]) -> None:
    profile = analyze(text, locale)
    before = assess(profile, locale).level
    after = assess(with_screen_answers(profile, answers), locale).level
    assert RANK[after] >= RANK[before]  # neither a yes nor a no lowers it
    for code, yes in answers.items():
        if yes:
            assert RANK[after] >= RANK[vocabulary.RED_FLAGS[code]]
    if not any(answers.values()):
        assert after == before  # a no changes nothing at all


# -- vague and out of scope ------------------------------------------------------------------


@pytest.mark.parametrize("text", ["my knee hurts", "everything hurts", "qwrt zzkx blorp", "ont överallt"])
def test_a_text_with_no_area_or_trigger_we_know_is_not_understood(text: str) -> None:
    assert not understood(analyze(text, "en"))


def test_a_description_with_an_area_or_a_trigger_is_understood() -> None:
    assert understood(analyze("My hip hurts", "en"))
    assert understood(analyze("It hurts after sitting", "en"))


def test_the_scope_message_names_every_area_we_cover_in_the_locale() -> None:
    names = screening_data()["areas"]
    for locale in vocabulary.LOCALES:
        text = scope_message(locale)
        assert all(names[locale][code] in text for code in vocabulary.AREAS)
        assert "_" not in text and "{" not in text


# -- settings ---------------------------------------------------------------------------------


def test_the_settings_default_to_always_and_refuse_a_typo() -> None:
    assert resolve({}, {})["SHOP_RECO_SCREENING"] == "always"
    with pytest.raises(ConfigError, match="SHOP_RECO_SCREENING"):
        resolve({"SHOP_RECO_SCREENING": "sometimes"}, {})


def test_urgent_contacts_default_to_112_and_1177_in_swedish_and_refuse_a_bad_number() -> None:
    contacts = resolve({}, {})["SHOP_RECO_URGENT_CONTACTS"]
    assert [c["number"] for c in contacts["sv"]] == ["112", "1177"]
    assert contacts["en"][0]["number"] is None and "emergency number" in contacts["en"][0]["label"]
    with pytest.raises(ConfigError, match="SHOP_RECO_URGENT_CONTACTS"):
        resolve({"SHOP_RECO_URGENT_CONTACTS": {"sv": [{"label": "Ring", "number": "javascript:x"}]}}, {})
    with pytest.raises(ConfigError, match="SHOP_RECO_URGENT_CONTACTS"):
        resolve({"SHOP_RECO_URGENT_CONTACTS": {"de": []}}, {})
