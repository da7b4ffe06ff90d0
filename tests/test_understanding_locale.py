"""Locale: detected from the text when not given; unknown locales fail with the supported list."""

from __future__ import annotations

import pytest

from shop_reco.understanding import UnknownLocaleError, analyze, detect_locale, tag_text


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("My lower back aches after sitting.", "en"),
        ("What exercises help with hip pain?", "en"),
        ("Jag har ont i ländryggen när jag sitter länge.", "sv"),
        ("Ont i höften.", "sv"),
        ("Stel nacke", "sv"),
        ("Jag har ischias och det gör ont", "sv"),
        ("", "en"),
        ("12345 !!!", "en"),
    ],
)
def test_detect_locale(text: str, locale: str) -> None:
    assert detect_locale(text) == locale


def test_analyze_detects_the_locale_when_none_is_given() -> None:
    profile = analyze("Domningar i foten och ont i ryggen.")
    assert profile.locale == "sv"
    assert profile.red_flags == ("numbness",)
    assert analyze("Numb foot and a sore back.").locale == "en"


def test_a_given_locale_wins_over_detection() -> None:
    profile = analyze("Jag har ont", "en")
    assert profile.locale == "en"
    assert profile.symptoms == ()


@pytest.mark.parametrize("locale", ["SV", "sv-SE", "sv_SE", " sv "])
def test_locale_variants_are_accepted(locale: str) -> None:
    assert analyze("Ont i höften.", locale).locale == "sv"


@pytest.mark.parametrize("locale", ["de", "", "english", "xx-SV"])
def test_unknown_locale_lists_the_supported_ones(locale: str) -> None:
    with pytest.raises(UnknownLocaleError) as info:
        analyze("My back hurts.", locale)
    assert "en, sv" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_tag_text_checks_the_locale_too() -> None:
    with pytest.raises(UnknownLocaleError):
        tag_text("Stretch your hips.", "fr")


def test_a_description_must_be_text() -> None:
    with pytest.raises(TypeError, match="str"):
        analyze(None, "en")  # type: ignore[arg-type]
