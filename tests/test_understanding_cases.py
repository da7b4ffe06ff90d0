"""Shopper descriptions worded our own way, with what a good understanding must contain.

Each case lists only what matters for it: codes that must be present (``areas``,
``symptoms``, ``triggers``, ``red_flags``), red flags that must be absent
(``not_red_flags``), the safety level and the quantities.
"""

from __future__ import annotations

from typing import Any

import pytest

from shop_reco.understanding import analyze

CASES: list[tuple[str, str, dict[str, Any]]] = [
    # English: everyday complaints
    (
        "en",
        "Ever since I started working from home my lumbar region aches by lunchtime.",
        {"safety": "none", "areas": ["lower_back"], "symptoms": ["pain"]},
    ),
    (
        "en",
        "Stiffness across my lower back whenever I get out of the car after a long commute.",
        {"safety": "none", "areas": ["lower_back"], "symptoms": ["stiffness"], "triggers": ["sitting"]},
    ),
    (
        "en",
        "My neck and shoulders are in knots from staring at two monitors.",
        {
            "safety": "none",
            "areas": ["neck", "shoulder"],
            "symptoms": ["tightness"],
            "triggers": ["screen_use"],
        },
    ),
    (
        "en",
        "The outside of my right hip throbs after my evening jog.",
        {
            "safety": "none",
            "areas": ["hip"],
            "symptoms": ["pain"],
            "triggers": ["high_impact"],
            "side": "right",
        },
    ),
    (
        "en",
        "Carrying my toddler up the stairs leaves my back sore.",
        {"safety": "none", "areas": ["lower_back"], "triggers": ["lifting", "stairs"]},
    ),
    (
        "en",
        "Gardening all weekend and now I can barely bend over, it's seized up.",
        {"safety": "none", "triggers": ["bending"], "symptoms": ["spasm"]},
    ),
    (
        "en",
        "Hamstrings feel tight and my lower back pulls when I touch my toes.",
        {
            "safety": "none",
            "areas": ["thigh", "lower_back"],
            "symptoms": ["tightness"],
            "triggers": ["bending"],
        },
    ),
    (
        "en",
        "Pain in the bum that travels down the back of my thigh, worse sitting at my desk.",
        {"safety": "none", "areas": ["buttock"], "symptoms": ["radiating_pain"], "triggers": ["sitting"]},
    ),
    (
        "en",
        "Moderate ache in both hips for roughly six weeks.",
        {"safety": "none", "areas": ["hip"], "side": "both", "severity": "moderate", "duration_weeks": 6},
    ),
    (
        "en",
        "On a bad day it's 9 out of 10, on a good day maybe 3/10.",
        {"safety": "none", "severity": "severe"},
    ),
    (
        "en",
        "I twisted awkwardly at golf and my upper back has been in spasm since last week.",
        {
            "safety": "none",
            "areas": ["upper_back"],
            "symptoms": ["spasm"],
            "triggers": ["twisting"],
            "duration_weeks": 1,
        },
    ),
    (
        "en",
        "Any stretches for a stiff neck from looking down at my phone?",
        {"safety": "none", "areas": ["neck"], "symptoms": ["stiffness"], "triggers": ["screen_use"]},
    ),
    # English: negated, other people's and hypothetical red flags
    (
        "en",
        "Sore lower back, I don't have any tingling or numbness and my bladder is fine.",
        {"safety": "none", "areas": ["lower_back"], "not_red_flags": ["tingling", "numbness"]},
    ),
    (
        "en",
        "My husband was diagnosed with cancer last year and the stress has my shoulders tense.",
        {"safety": "none", "areas": ["shoulder"], "not_red_flags": ["cancer_history"]},
    ),
    (
        "en",
        "Is weakness in the legs something to worry about with sciatica?",
        {"safety": "none", "symptoms": ["radiating_pain"], "not_red_flags": ["weakness"]},
    ),
    (
        "en",
        "No fever and no recent falls, just a nagging hip.",
        {"safety": "none", "areas": ["hip"], "not_red_flags": ["fever", "trauma"]},
    ),
    # English: red flags
    (
        "en",
        "Since yesterday I've had trouble peeing and my back is agony.",
        {"safety": "urgent", "red_flags": ["bladder_bowel"]},
    ),
    (
        "en",
        "Numb around my private parts after lifting at work.",
        {"safety": "urgent", "red_flags": ["saddle_anesthesia"]},
    ),
    (
        "en",
        "Got rear ended on the motorway on Friday and my neck is killing me.",
        {"safety": "urgent", "red_flags": ["trauma"], "areas": ["neck"]},
    ),
    (
        "en",
        "Back pain plus I've been shivering with a temperature of 39.",
        {"safety": "urgent", "red_flags": ["fever"]},
    ),
    (
        "en",
        "Dropped 6 kilos for no reason and my spine aches at the base.",
        {"safety": "consult", "red_flags": ["weight_loss"]},
    ),
    (
        "en",
        "Previously treated for prostate cancer, now my hip hurts.",
        {"safety": "consult", "red_flags": ["cancer_history"]},
    ),
    (
        "en",
        "My right foot keeps going numb and I trip over it.",
        {"safety": "consult", "red_flags": ["numbness"], "side": "right"},
    ),
    (
        "en",
        "Constant throbbing that keeps me awake, even lying still doesn't help.",
        {"safety": "consult", "red_flags": ["night_pain"]},
    ),
    # Swedish
    (
        "sv",
        "Jobbar hemifrån och får ont i korsryggen efter en dag vid skrivbordet.",
        {"safety": "none", "areas": ["lower_back"], "symptoms": ["pain"], "triggers": ["sitting"]},
    ),
    (
        "sv",
        "Stel i nacken och axlarna av att sitta böjd över mobilen.",
        {
            "safety": "none",
            "areas": ["neck", "shoulder"],
            "symptoms": ["stiffness"],
            "triggers": ["screen_use"],
        },
    ),
    (
        "sv",
        "Höftsmärta på vänster sida när jag springer, ungefär 6 av 10.",
        {
            "safety": "none",
            "areas": ["hip"],
            "triggers": ["high_impact"],
            "side": "left",
            "severity": "moderate",
        },
    ),
    (
        "sv",
        "Spänd baksida lår och värk i ländryggen sedan två veckor.",
        {
            "safety": "none",
            "areas": ["thigh", "lower_back"],
            "symptoms": ["tightness", "pain"],
            "duration_weeks": 2,
        },
    ),
    (
        "sv",
        "Ont i skinkan som strålar ner i benet, inga stickningar.",
        {
            "safety": "none",
            "areas": ["buttock"],
            "symptoms": ["radiating_pain"],
            "not_red_flags": ["tingling"],
        },
    ),
    (
        "sv",
        "Min mamma har haft cancer men jag har bara lite stel rygg.",
        {"safety": "none", "areas": ["lower_back"], "not_red_flags": ["cancer_history"], "severity": "mild"},
    ),
    (
        "sv",
        "Jag ramlade av cykeln i förrgår och har fruktansvärt ont i ryggen.",
        {"safety": "urgent", "red_flags": ["trauma"], "severity": "severe"},
    ),
    (
        "sv",
        "Har kissat på mig två gånger och känner mig bortdomnad mellan benen.",
        {"safety": "urgent", "red_flags": ["bladder_bowel", "saddle_anesthesia"]},
    ),
    (
        "sv",
        "Svaghet i högra benet och ryggvärk.",
        {"safety": "consult", "red_flags": ["weakness"], "side": "right", "symptoms": ["pain"]},
    ),
    ("sv", "Värken väcker mig varje natt.", {"safety": "consult", "red_flags": ["night_pain"]}),
    (
        "sv",
        "Behöver jag oroa mig för myrkrypningar i fötterna?",
        {"safety": "none", "not_red_flags": ["tingling"]},
    ),
]


@pytest.mark.parametrize(("locale", "text", "expect"), CASES, ids=[c[1][:40] for c in CASES])
def test_description_is_understood(locale: str, text: str, expect: dict[str, Any]) -> None:
    profile = analyze(text, locale)
    assert profile.safety_level == expect["safety"]
    for field in ("areas", "symptoms", "triggers", "red_flags"):
        missing = set(expect.get(field, ())) - set(getattr(profile, field))
        assert not missing, f"{field} lacks {missing}: {profile}"
    assert not set(expect.get("not_red_flags", ())) & set(profile.red_flags)
    for field in ("side", "severity"):
        if field in expect:
            assert getattr(profile, field) == expect[field]
    if "duration_weeks" in expect:
        assert profile.duration_weeks == pytest.approx(expect["duration_weeks"], rel=0.15)


def test_there_are_enough_cases_in_both_locales() -> None:
    assert len(CASES) >= 30
    assert {locale for locale, _, _ in CASES} == {"en", "sv"}
    assert sum(expect["safety"] == "urgent" for _, _, expect in CASES) >= 6
