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


def test_a_text_clearly_in_another_language_is_read_in_that_language() -> None:
    """The page's locale is only a hint: a shopper writes in the language they write in."""
    swedish_on_english_page = analyze("Jag har ont i ländryggen när jag sitter länge", "en")
    assert swedish_on_english_page.locale == "sv"
    assert swedish_on_english_page.areas == ("lower_back",)
    assert swedish_on_english_page.triggers == ("sitting",)
    english_on_swedish_page = analyze("My neck is stiff after a day at the computer", "sv")
    assert english_on_swedish_page.locale == "en"
    assert english_on_swedish_page.symptoms == ("stiffness",)


def test_the_given_locale_wins_when_the_text_does_not_clearly_say_otherwise() -> None:
    assert analyze("höft", "sv").locale == "sv"
    assert analyze("hip", "en").locale == "en"
    assert analyze("ischias", "en").locale == "en"  # too short to tell: the page's locale stands


@pytest.mark.parametrize(
    ("text", "page", "flag"),
    [
        ("ont i ryggen och jag kan inte hålla urinen", "en", "bladder_bowel"),
        ("my back hurts and I cannot control my bladder", "sv", "bladder_bowel"),
        ("I have a fever and my lower back is very sore", "sv", "fever"),
        ("jag ramlade på isen igår och nu gör ryggen ont", "en", "trauma"),
        # Mixed text: read in one language, the other language's red flag is still found.
        ("my back hurts so much, jag kan inte kissa", "en", "bladder_bowel"),
        ("jag har ont i ryggen, also I have a fever", "sv", "fever"),
    ],
)
def test_red_flags_are_found_in_every_language_whatever_the_page(text: str, page: str, flag: str) -> None:
    assert flag in analyze(text, page).red_flags


@pytest.mark.parametrize(
    ("text", "page"),
    [
        ("my dad had cancer, my back hurts when I sit", "sv"),  # "cancer" is read in English, as his
        ("I put a sticker on my back brace", "sv"),  # "sticker" is Swedish for stinging, not here
        ("no fever, just hip pain on the stairs", "sv"),
        ("ingen feber, ont i höften när jag går i trappor", "en"),
    ],
)
def test_another_language_adds_no_red_flag_the_text_does_not_report(text: str, page: str) -> None:
    assert analyze(text, page).red_flags == ()


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


def test_another_language_is_read_for_red_flags_only_when_its_lexicon_finds_one() -> None:
    """The second reading stops after its scan when it finds no red flag word (it could add nothing)."""
    from shop_reco.understanding.analyzer import default_analyzer
    from shop_reco.understanding.tokens import tokenize

    analyzer = default_analyzer()
    models = analyzer._models
    for text, other, expect in (
        ("my back aches, jag sitter mycket", "sv", None),
        ("my back aches och jag kan inte kissa", "sv", "bladder_bowel"),
    ):
        norms, starts, ends = tokenize(text)
        found = analyzer._analyze_in(models[other], other, text, norms, starts, ends, red_flags_only=True)
        assert (found.red_flags[0] if found is not None and found.red_flags else None) == expect, text
    assert "bladder_bowel" in analyze("my back aches och jag kan inte kissa", "en").red_flags
