"""Quantities: which side, how bad (scores and words) and for how long."""

from __future__ import annotations

import pytest

from shop_reco.understanding import analyze


@pytest.mark.parametrize(
    ("text", "locale", "side"),
    [
        ("Pain in my left leg.", "en", "left"),
        ("Right buttock aches.", "en", "right"),
        ("Both legs feel heavy.", "en", "both"),
        ("Sore on the left side and the right side of my back.", "en", "both"),
        ("Numbness in my left foot but the right hip hurts too.", "en", "both"),
        ("Ont i vänster höft.", "sv", "left"),
        ("Värk i högra skinkan.", "sv", "right"),
        ("Domningar i båda benen.", "sv", "both"),
        ("My back hurts.", "en", None),
        ("Right now my back hurts.", "en", None),
        ("I left work early because my hip hurt.", "en", None),
        ("Both my hip and my lower back hurt.", "en", None),
    ],
)
def test_side(text: str, locale: str, side: str | None) -> None:
    assert analyze(text, locale).side == side


def test_someone_elses_side_is_not_the_shoppers() -> None:
    assert analyze("My dad has a bad left hip and my lower back aches.", "en").side is None


def test_a_description_written_for_someone_else_keeps_their_side() -> None:
    assert analyze("My dad has a bad left hip.", "en").side == "left"


@pytest.mark.parametrize(
    ("text", "locale", "severity", "score"),
    [
        ("Lower back pain, about 8/10 today.", "en", "severe", 8.0),
        ("Hip pain, 7 out of 10.", "en", "severe", 7.0),
        ("I'd rate the pain 3 out of ten.", "en", "mild", 3.0),
        ("Pain level 5.", "en", "moderate", 5.0),
        ("Neck pain, 2/5.", "en", "moderate", 4.0),
        ("Back pain 7.5/10.", "en", "severe", 7.5),
        ("Ont i ryggen, 8 av 10.", "sv", "severe", 8.0),
        ("Värk i höften, ungefär fyra av tio.", "sv", "moderate", 4.0),
    ],
)
def test_severity_from_a_score(text: str, locale: str, severity: str, score: float) -> None:
    profile = analyze(text, locale)
    assert (profile.severity, profile.severity_score) == (severity, score)


@pytest.mark.parametrize(
    ("text", "locale", "severity"),
    [
        ("Mild hip stiffness.", "en", "mild"),
        ("A slight ache in my back.", "en", "mild"),
        ("My knees hurt a bit.", "en", "mild"),
        ("Moderate pain in my hip.", "en", "moderate"),
        ("Severe back pain.", "en", "severe"),
        ("The pain is excruciating.", "en", "severe"),
        ("Unbearable sciatica.", "en", "severe"),
        ("Lätt värk i ländryggen.", "sv", "mild"),
        ("Svår smärta i höften.", "sv", "severe"),
        ("My posture is terrible.", "en", None),
        ("The back pain is not severe.", "en", None),
    ],
)
def test_severity_from_words(text: str, locale: str, severity: str | None) -> None:
    profile = analyze(text, locale)
    assert profile.severity == severity
    assert profile.severity_score is None


def test_a_score_beats_a_word() -> None:
    assert analyze("Mild, maybe 8/10 at its worst.", "en").severity == "severe"


@pytest.mark.parametrize(
    ("text", "locale", "weeks"),
    [
        ("Mild hip stiffness for about 3 months.", "en", 13.0),
        ("Sciatica for two years.", "en", 104.4),
        ("Back pain since yesterday.", "en", 0.14),
        ("Hip pain for a few days.", "en", 0.43),
        ("It has hurt for a couple of weeks.", "en", 2.0),
        ("Stiff for a week.", "en", 1.0),
        ("Neck pain, started 3 weeks ago.", "en", 3.0),
        ("Ont i ryggen i tre månader.", "sv", 13.0),
        ("Ont i höften sedan igår.", "sv", 0.14),
        ("Stel nacke i ett par veckor.", "sv", 2.0),
    ],
)
def test_duration_in_weeks(text: str, locale: str, weeks: float) -> None:
    assert analyze(text, locale).duration_weeks == pytest.approx(weeks, rel=0.02)


@pytest.mark.parametrize(
    "text",
    [
        "I sit 8 hours a day and my back hurts 3 days a week.",
        "I'm 45 years old with lower back pain.",
        "My 3 year old keeps me busy.",
        "I run twice a week.",
        "A week ago was fine.",
        "I had cancer five years ago.",
        "Physio in 2 weeks.",
    ],
)
def test_frequencies_ages_and_dates_are_not_durations(text: str) -> None:
    assert analyze(text, "en").duration_weeks is None


def test_quantities_quote_the_text() -> None:
    text = "Left hip pain for 3 months, 7 out of 10."
    profile = analyze(text, "en")
    quoted = {m.group: m.phrase for m in profile.matches if m.group in ("side", "severity", "duration")}
    assert quoted == {"side": "Left", "duration": "3 months", "severity": "7 out of 10"}
