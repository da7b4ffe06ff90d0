"""Context: negation, someone else's history, questions and worries, and the past."""

from __future__ import annotations

import pytest

from shop_reco.understanding import analyze


def flags(text: str, locale: str = "en") -> tuple[str, ...]:
    return analyze(text, locale).red_flags


@pytest.mark.parametrize(
    ("text", "reported", "denied"),
    [
        ("No numbness but both legs feel weak.", {"bilateral_legs"}, {"numbness"}),
        ("No numbness but my left leg feels weak.", {"weakness"}, {"numbness"}),
        ("No numbness or tingling.", set(), {"numbness", "tingling"}),
        ("No numbness, tingling or weakness in my legs.", set(), {"numbness", "tingling", "weakness"}),
        ("Without any numbness, just pain.", set(), {"numbness"}),
        ("I don't have numbness although my foot tingles.", {"tingling"}, {"numbness"}),
        ("No fever, no chills, but I fell yesterday.", {"trauma"}, {"fever"}),
        ("Numbness? No. Tingling? Sometimes.", {"tingling"}, {"numbness"}),
        ("The numbness is gone now.", set(), {"numbness"}),
        ("Never had any bladder problems.", set(), {"bladder_bowel"}),
        ("There's no loss of bladder control.", set(), {"bladder_bowel"}),
        ("Lower back pain, no numbness, and my left leg feels weak.", {"weakness"}, {"numbness"}),
    ],
)
def test_negation_has_a_scope(text: str, reported: set[str], denied: set[str]) -> None:
    found = set(flags(text))
    assert reported <= found
    assert not denied & found


def test_negated_findings_stay_in_matches_to_explain_them() -> None:
    profile = analyze("No numbness, just a dull ache.", "en")
    numbness = [m for m in profile.matches if m.code == "numbness"]
    assert numbness and all(m.negated for m in numbness)
    assert numbness[0].phrase == "numbness"
    assert profile.symptoms == ("pain",)


def test_negation_does_not_reach_past_a_new_clause() -> None:
    profile = analyze("No numbness and my back hurts.", "en")
    assert profile.areas == ("lower_back",)
    assert profile.symptoms == ("pain",)


def test_negation_does_not_spill_over_a_comma_onto_other_findings() -> None:
    profile = analyze("No numbness, pain in my hip when sitting.", "en")
    assert profile.symptoms == ("pain",)
    assert profile.areas == ("hip",)
    assert profile.red_flags == ()


@pytest.mark.parametrize(
    ("text", "reported", "denied"),
    [
        ("Inga domningar men båda benen känns svaga.", {"bilateral_legs"}, {"numbness"}),
        ("Inga domningar men vänster ben känns svagt.", {"weakness"}, {"numbness"}),
        ("Inga domningar eller stickningar.", set(), {"numbness", "tingling"}),
        ("Ingen feber.", set(), {"fever"}),
        ("Benen domnar inte men ryggen värker.", set(), {"numbness"}),
        ("Jag har inte tappat i vikt utan att försöka.", set(), {"weight_loss"}),
        ("Domningar? Nej.", set(), {"numbness"}),
        ("Domningarna har försvunnit.", set(), {"numbness"}),
    ],
)
def test_swedish_negation(text: str, reported: set[str], denied: set[str]) -> None:
    found = set(flags(text, "sv"))
    assert reported <= found
    assert not denied & found


@pytest.mark.parametrize(
    "text",
    [
        "My dad had bladder problems.",
        "My mother had cancer.",
        "Cancer runs in my family.",
        "My brother's groin went numb after his fall.",
        "My dad had bladder problems and my lower back aches after sitting.",
        "My dad fell off a ladder. Lower back pain after sitting all day.",
        "my son fell off his bike and my back aches from carrying him",
        "My dad (70) had cancer and my lower back aches.",
        "my wife's sciatica is bad and my back is stiff",
        "My wife has sciatica and numbness in her foot, and my own back is stiff in the mornings.",
    ],
)
def test_someone_elses_findings_are_not_the_shoppers(text: str) -> None:
    """A relative's history, or a relative's symptoms beside the writer's own complaint, raise nothing."""
    profile = analyze(text, "en")
    assert profile.red_flags == ()
    assert any(m.experiencer == "other" for m in profile.matches)


@pytest.mark.parametrize(
    ("text", "locale", "red_flags", "areas"),
    [
        ("My wife has sciatica and numbness in her foot.", "en", {"numbness"}, set()),
        ("My grandma fell and broke her hip.", "en", {"trauma"}, {"hip"}),
        ("My husband fell off a ladder yesterday. His back hurts a lot.", "en", {"trauma"}, {"lower_back"}),
        ("my mum had cancer and she has back pain now", "en", {"cancer_history"}, {"lower_back"}),
        ("my husband's lower back aches after his shifts", "en", set(), {"lower_back"}),
        ("Min man föll ner från stegen igår och har jätteont i ryggen.", "sv", {"trauma"}, {"lower_back"}),
        ("Min sambo har ryggskott och nu är det bortdomnat i skrevet.", "sv", {"saddle_anesthesia"}, {"lower_back"}),
        ("Min fru har ont i ländryggen när hon sitter länge.", "sv", set(), {"lower_back"}),
        # the complaint goes on in their clause without a subject of its own
        ("my husband was treated for prostate cancer and now has hip pain", "en", {"cancer_history"}, {"hip"}),
        ("Min mamma ramlade i trappan i förrgår och har nu ont i höften.", "sv", {"trauma"}, {"hip"}),
        # an age after the relative ("my father (82)", "my mum, 82,") and the clause after a comma
        ("My father (82) has back pain and now he cannot pass urine", "en", {"bladder_bowel"}, {"lower_back"}),
        ("My mum, 82, has back pain and fell yesterday", "en", {"trauma"}, {"lower_back"}),
        ("my son (16) got kneed in the back playing football, still sore", "en", {"trauma"}, {"lower_back"}),
        # a possessive ("my husband's back": not "he's back") and wiping said of them
        ("mum's back is sore since she fell yesterday", "en", {"trauma"}, {"lower_back"}),
        ("my partner's back is bad, he can't feel it when he wipes", "en", {"saddle_anesthesia"}, {"lower_back"}),
        ("Min sambo har ont i ryggen, känner inget när han torkar sig", "sv", {"saddle_anesthesia"}, {"lower_back"}),
    ],
)
def test_a_description_written_for_someone_else_is_about_them(
    text: str, locale: str, red_flags: set[str], areas: set[str]
) -> None:
    """A partner or a child writing for someone: that person's complaint is understood and their red
    flags gate the answer, as if they had written it themselves."""
    profile = analyze(text, locale)
    assert set(profile.red_flags) == red_flags
    assert areas <= set(profile.areas)
    assert profile.areas or profile.symptoms  # understood: the answer is not the vague-text note


def test_the_shopper_takes_over_after_a_relative() -> None:
    profile = analyze("My mother had cancer; my lower back is sore after gardening.", "en")
    assert profile.red_flags == ()
    assert profile.areas == ("lower_back",)
    assert profile.symptoms == ("pain",)


@pytest.mark.parametrize(
    "text",
    [
        "Lifting my kids gives me numbness in my leg.",
        "After lifting my son, numbness in my leg.",
        "När jag lyfter min son domnar benet.",
    ],
)
def test_a_relative_as_the_object_is_not_the_experiencer(text: str) -> None:
    assert "numbness" in analyze(text).red_flags


def test_a_relative_described_in_passing_is_still_the_experiencer() -> None:
    assert flags("My dad, who is 70, has bladder problems.") == ()
    assert flags("My grandma fell last year; my lower back aches when I lift her.") == ()


def test_swedish_experiencer() -> None:
    assert flags("Min pappa hade problem med blåsan.", "sv") == ()
    assert flags("Cancer finns i släkten.", "sv") == ()
    profile = analyze("Min mamma hade cancer och jag har ont i ryggen.", "sv")
    assert profile.red_flags == ()
    assert profile.areas == ("lower_back",)


@pytest.mark.parametrize(
    "text",
    [
        "Should I worry about numbness?",
        "What if I get numbness in my leg?",
        "Could it be cancer?",
        "Is it normal to have tingling?",
        "I'm worried it might be a tumour.",
        "Can sciatica cause weakness?",
    ],
)
def test_worries_and_questions_are_not_reports(text: str) -> None:
    assert flags(text) == ()


def test_a_question_still_describes_areas_and_symptoms() -> None:
    profile = analyze("What exercises help with hip and lower back pain?", "en")
    assert profile.areas == ("hip", "lower_back")
    assert profile.symptoms == ("pain",)


def test_a_report_followed_by_a_question_is_still_a_report() -> None:
    assert flags("I have numbness in my foot, should I worry?") == ("numbness",)
    assert flags("Could my numbness be from sitting too much?") == ("numbness",)


@pytest.mark.parametrize(
    "text",
    [
        "Ska jag oroa mig för domningar?",
        "Tänk om jag får feber?",
        "Kan det vara cancer?",
        "Är domningar farligt?",
    ],
)
def test_swedish_worries_are_not_reports(text: str) -> None:
    assert flags(text, "sv") == ()


def test_past_cancer_still_counts() -> None:
    profile = analyze("I had breast cancer five years ago and now my back hurts.", "en")
    assert profile.red_flags == ("cancer_history",)
    cancer = profile.evidence("red_flag:cancer_history")
    assert cancer is not None and cancer.historical and cancer.phrase == "cancer"
    assert profile.duration_weeks is None  # "five years ago" is when, not how long


def test_an_old_fall_is_history_not_an_emergency() -> None:
    profile = analyze("I fell off my bike years ago; my back has ached since Monday.", "en")
    assert profile.safety_level == "none"
    assert any(m.code == "trauma" and m.historical for m in profile.matches)


def test_a_recent_fall_is_urgent() -> None:
    assert analyze("I fell down the stairs last week and my back hurts.", "en").safety_level == "urgent"


def test_swedish_history() -> None:
    assert flags("Jag hade bröstcancer för fem år sedan.", "sv") == ("cancer_history",)
    assert analyze("Jag ramlade som barn, nu har jag ont i höften.", "sv").safety_level == "none"
