"""Matching: everyday, clinical, misspelt and Swedish words become concept codes, quoting the text."""

from __future__ import annotations

import json

import pytest

from shop_reco.understanding import Analyzer, LexiconError, analyze, shipped_lexicons, tag_text


@pytest.mark.parametrize(
    ("text", "field", "code"),
    [
        ("The bottom of my back hurts.", "areas", "lower_back"),
        ("A dull ache in the small of my back.", "areas", "lower_back"),
        ("Lumbar pain most days.", "areas", "lower_back"),
        ("My lower-back is sore.", "areas", "lower_back"),
        ("Sore glutes after the gym.", "areas", "buttock"),
        ("My bum aches.", "areas", "buttock"),
        ("Pain in my backside.", "areas", "buttock"),
        ("My butt hurts when I sit.", "areas", "buttock"),
        ("Tight hamstrings.", "areas", "thigh"),
        ("Tight hamstrings.", "symptoms", "tightness"),
        ("Pain between my shoulder blades.", "areas", "upper_back"),
        ("A stiff neck every morning.", "areas", "neck"),
        ("My shoulders are tense.", "areas", "shoulder"),
        ("Sciatica again.", "symptoms", "radiating_pain"),
        ("The pain shoots down my leg.", "symptoms", "radiating_pain"),
        ("It radiates into my thigh.", "symptoms", "radiating_pain"),
        ("My hip aches.", "symptoms", "pain"),
        ("My hip is sore.", "symptoms", "pain"),
        ("My back spasms.", "symptoms", "spasm"),
        ("My back seizes up.", "symptoms", "spasm"),
        ("Stiff in the mornings.", "symptoms", "stiffness"),
        ("Stiffness in my hips.", "symptoms", "stiffness"),
        ("Everything feels tight.", "symptoms", "tightness"),
        ("Numbess in my toes.", "symptoms", "numbness"),
        ("Worse after long drives.", "triggers", "sitting"),
        ("My commute kills my back.", "triggers", "sitting"),
        ("I have a desk job.", "triggers", "sitting"),
        ("Hours on my laptop.", "triggers", "screen_use"),
        ("Scrolling on my phone in bed.", "triggers", "screen_use"),
        ("Staring at a screen all day.", "triggers", "screen_use"),
        ("I slouch a lot.", "triggers", "poor_posture"),
        ("Hunched over all day.", "triggers", "poor_posture"),
        ("Sore after jogging.", "triggers", "high_impact"),
        ("Jumping hurts my hip.", "triggers", "high_impact"),
        ("It hurts when I climb stairs.", "triggers", "stairs"),
        ("I hurt it when I went to pick something up.", "triggers", "lifting"),
        ("Lifting boxes at work.", "triggers", "lifting"),
        ("Worse when I bend forward.", "triggers", "bending"),
        ("Sharp pain when I twist.", "triggers", "twisting"),
        ("Sore after hoovering.", "triggers", "bending"),
        ("Sore after vacuuming.", "triggers", "bending"),
    ],
)
def test_everyday_words_map_to_codes(text: str, field: str, code: str) -> None:
    assert code in getattr(analyze(text, "en"), field)


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("I can't control my bladder.", "bladder_bowel"),
        ("I lost control of my bladder yesterday.", "bladder_bowel"),
        ("I wet myself without noticing.", "bladder_bowel"),
        ("My groin feels numb.", "saddle_anesthesia"),
        ("It's numb between my legs.", "saddle_anesthesia"),
        ("Fever and back pain.", "fever"),
        ("Chills and a high temperature.", "fever"),
        ("I fell on the ice.", "trauma"),
        ("Pain since falling off my horse.", "trauma"),
        ("Back pain after a car accident.", "trauma"),
        ("I was hit by a car.", "trauma"),
        ("I've lost weight without trying.", "weight_loss"),
        ("Some unexplained weight loss lately.", "weight_loss"),
        ("I have cancer.", "cancer_history"),
        ("I finished treatment for a tumour last year.", "cancer_history"),
        ("I finished treatment for a tumor last year.", "cancer_history"),
        ("It wakes me at night.", "night_pain"),
        ("The pain at night is the worst.", "night_pain"),
        ("My left foot is numb.", "numbness"),
        ("Tingling in my toes.", "tingling"),
        ("My legs feel weak.", "weakness"),
    ],
)
def test_red_flags_are_found(text: str, flag: str) -> None:
    assert flag in analyze(text, "en").red_flags


@pytest.mark.parametrize("code", ["numbness", "tingling", "weakness"])
def test_neurological_symptoms_are_also_consult_red_flags(code: str) -> None:
    words = {"numbness": "numb", "tingling": "tingling", "weakness": "weak"}[code]
    profile = analyze(f"My leg feels {words}.", "en")
    assert code in profile.symptoms
    assert code in profile.red_flags
    assert profile.safety_level == "consult"


def test_numb_groin_is_saddle_anaesthesia_not_plain_numbness() -> None:
    profile = analyze("My groin feels numb.", "en")
    assert profile.red_flags == ("saddle_anesthesia",)
    assert "numbness" not in profile.symptoms
    assert profile.safety_level == "urgent"


def test_a_numb_bottom_from_cycling_is_not_urgent() -> None:
    profile = analyze("My bum goes numb on long bike rides.", "en")
    assert profile.safety_level == "consult"


@pytest.mark.parametrize(
    ("text", "field", "code"),
    [
        ("Ont i ländryggen.", "areas", "lower_back"),
        ("Värk i korsryggen.", "areas", "lower_back"),
        ("Ländryggsvärk sedan i vintras.", "areas", "lower_back"),
        ("Ländryggsvärk sedan i vintras.", "symptoms", "pain"),
        ("Höftsmärta efter löpning.", "areas", "hip"),
        ("Höftsmärta efter löpning.", "symptoms", "pain"),
        ("Höftsmärta efter löpning.", "triggers", "high_impact"),
        ("Stel nacke.", "areas", "neck"),
        ("Nackvärk vid datorn.", "areas", "neck"),
        ("Nackvärk vid datorn.", "triggers", "screen_use"),
        ("Stelhet i höfterna.", "symptoms", "stiffness"),
        ("Domningar i foten.", "symptoms", "numbness"),
        ("Foten domnar.", "symptoms", "numbness"),
        ("Stickningar i tårna.", "symptoms", "tingling"),
        ("Myrkrypningar i benen.", "symptoms", "tingling"),
        ("Benet känns svagt och svag i knät.", "symptoms", "weakness"),
        ("Det strålar ner i benet.", "symptoms", "radiating_pain"),
        ("Ischias igen.", "symptoms", "radiating_pain"),
        ("Ont när jag sitter länge.", "triggers", "sitting"),
        ("Dålig hållning.", "triggers", "poor_posture"),
        ("Ont i hoften.", "areas", "hip"),  # typed without Swedish letters
    ],
)
def test_swedish_words_and_compounds_map_to_codes(text: str, field: str, code: str) -> None:
    assert code in getattr(analyze(text, "sv"), field)


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        # a phrase typed without Swedish letters, its short words included ("nar", "ga", "pa")
        ("kanner inte nar jag behover ga pa toa o ryggen e stel", ("bladder_bowel",)),
        ("har ont i ryggen o kanner inte nar jag kissar", ("bladder_bowel",)),
        # short words alone keep their letters: "bara" is not "bära", "har" is not "här"
        ("bara lite ont i ryggen nar jag sitter", ()),
        ("har inga domningar och ingen feber", ()),
    ],
)
def test_swedish_phrases_typed_without_swedish_letters(text: str, flags: tuple[str, ...]) -> None:
    assert analyze(text, "sv").red_flags == flags
    assert analyze(text, "en").red_flags == flags  # whatever the page's language


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("Jag kan inte hålla urinen.", "bladder_bowel"),
        ("Jag har feber.", "fever"),
        ("Jag ramlade i trappan.", "trauma"),
        ("Jag har gått ner i vikt utan att försöka.", "weight_loss"),
        ("Jag har haft bröstcancer.", "cancer_history"),
        ("Domningar i underlivet.", "saddle_anesthesia"),
    ],
)
def test_swedish_red_flags_are_found(text: str, flag: str) -> None:
    assert flag in analyze(text, "sv").red_flags


def test_a_compound_with_a_side_gives_both() -> None:
    profile = analyze("Ont i vänsterhöften.", "sv")
    assert profile.areas == ("hip",)
    assert profile.side == "left"


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("Right now my hip is fine.", "en"),
        ("Back to work next week.", "en"),
        ("I fall asleep on the sofa.", "en"),
        ("It gets worse in the fall.", "en"),
        ("My core is weak.", "en"),
        ("I'm falling behind at work.", "en"),
        ("I fell in love with running.", "en"),
        ("I get chills down my spine when I stretch.", "en"),
        ("After a crash diet I crashed on the sofa.", "en"),
        ("Got hit with a bill out of nowhere.", "en"),
        ("I i alla fall har ryggsäck.", "sv"),
    ],
)
def test_look_alike_phrases_mean_nothing(text: str, locale: str) -> None:
    profile = analyze(text, locale)
    assert profile.red_flags == ()
    assert "lower_back" not in profile.areas
    assert profile.side is None


def test_every_match_quotes_the_text_exactly() -> None:
    text = "  My  LOWER‑BACK aches’n’hurts… after sitting; no numbness!"
    profile = analyze(text, "en")
    assert profile.matches
    for match in profile.matches:
        assert text[match.start : match.end] == match.phrase
    assert profile.evidence("area:lower_back").phrase == "LOWER‑BACK"


def test_multi_word_phrases_are_quoted_whole() -> None:
    profile = analyze("There is pins and needles in the small of my back.", "en")
    assert profile.evidence("symptom:tingling").phrase == "pins and needles"
    assert profile.evidence("area:lower_back").phrase == "small of my back"


def test_merchant_synonyms_extend_the_lexicon() -> None:
    analyzer = Analyzer.from_data(
        shipped_lexicons(),
        [
            {"locale": "en", "group": "area", "code": "lower_back", "phrase": "lumbosacral region"},
            {"locale": "sv", "group": "trigger", "code": "sitting", "phrase": "sitter i bilen"},
        ],
    )
    assert analyzer.analyze("Ache in the lumbosacral region.", "en").areas == ("lower_back",)
    assert "sitting" in analyzer.analyze("Ont när jag sitter i bilen.", "sv").triggers
    assert analyze("Ache in the lumbosacral region.", "en").areas == ()


def test_merchant_synonyms_are_literal() -> None:
    analyzer = Analyzer.from_data(
        shipped_lexicons(), [{"locale": "en", "group": "trigger", "code": "lifting", "phrase": "haul*"}]
    )
    assert analyzer.analyze("I haul crates all day.", "en").triggers == ()


def test_analyze_takes_extra_synonyms_too() -> None:
    synonyms = [{"locale": "en", "group": "symptom", "code": "spasm", "phrase": "charley horse"}]
    assert analyze("A charley horse in my calf.", "en", extra_synonyms=synonyms).symptoms == ("spasm",)


def test_a_bad_synonym_names_the_field() -> None:
    with pytest.raises(LexiconError, match=r"extra_synonyms\[0\]\.code"):
        Analyzer.from_data(shipped_lexicons(), [{"locale": "en", "group": "area", "code": "knee", "phrase": "kneecap"}])


def test_content_is_tagged_with_concepts_but_never_red_flags() -> None:
    tags = tag_text(
        "Avoid sitting for long periods and strengthen your glutes. See a doctor if you have "
        "numbness or lose control of your bladder."
    )
    assert {"trigger:sitting", "area:buttock"} <= tags
    assert not any(tag.startswith("red_flag:") for tag in tags)


def test_content_tags_ignore_instructions_that_sound_negative() -> None:
    assert "area:lower_back" in tag_text("Do not arch your lower back.")
    assert "area:hip" in tag_text("Ligg på rygg och sträck ut höften.", "sv")


@pytest.mark.parametrize(
    "synonyms",
    [
        ["lumbago"],
        [{"locale": "en", "group": "area"}],
        [{"locale": "de", "group": "area", "code": "hip", "phrase": "Hüfte"}],
    ],
)
def test_analyze_rejects_bad_extra_synonyms(synonyms: list[object]) -> None:
    with pytest.raises(LexiconError, match=r"extra_synonyms\[0\]"):
        analyze("My back hurts.", "en", extra_synonyms=synonyms)  # type: ignore[arg-type]


def test_a_frozen_trie_finds_exactly_what_the_unfrozen_one_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """Freezing shares leaf nodes to save memory; no description may be understood differently."""
    from shop_reco.understanding import Analyzer, shipped_lexicons
    from shop_reco.understanding.matcher import PhraseTrie
    from tests.conftest import eval_descriptions

    texts = eval_descriptions()
    frozen = Analyzer.from_data(shipped_lexicons())
    monkeypatch.setattr(PhraseTrie, "freeze", lambda self: None)
    unfrozen = Analyzer.from_data(shipped_lexicons())
    assert len(texts) > 60
    for locale, text in texts:
        assert frozen.analyze(text, locale) == unfrozen.analyze(text, locale), text


def test_a_frozen_trie_refuses_new_patterns() -> None:
    from shop_reco.understanding.lexicon import Entry
    from shop_reco.understanding.matcher import PhraseTrie

    trie = PhraseTrie(gap=3)
    trie.add(("lower", "back"), Entry.concept("area", "lower_back"))
    trie.freeze()
    with pytest.raises(RuntimeError, match="frozen"):
        trie.add(("neck",), Entry.concept("area", "neck"))


# Synonyms a merchant might add: new words, words that extend a shipped phrase ("lower back
# thing" runs through "lower back"), a shipped phrase given a second meaning, a symptom that is
# also a red flag, Swedish compounds' parts, and several sharing a first word.
LAID_OVER = [
    {"locale": "en", "group": "area", "code": "lower_back", "phrase": "lumbosacral region"},
    {"locale": "en", "group": "area", "code": "hip", "phrase": "lower back thing"},
    {"locale": "en", "group": "trigger", "code": "lifting", "phrase": "lower back"},
    {"locale": "en", "group": "symptom", "code": "numbness", "phrase": "dead feeling"},
    {"locale": "en", "group": "symptom", "code": "spasm", "phrase": "charley horse"},
    {"locale": "en", "group": "trigger", "code": "sitting", "phrase": "at my desk all day"},
    {"locale": "en", "group": "trigger", "code": "sitting", "phrase": "at my desk"},
    {"locale": "sv", "group": "trigger", "code": "sitting", "phrase": "sitter i bilen"},
    {"locale": "sv", "group": "area", "code": "buttock", "phrase": "rumpan"},
    {"locale": "sv", "group": "symptom", "code": "tingling", "phrase": "sockerdricka i benet"},
]


def test_synonyms_laid_over_an_analyzer_read_exactly_as_a_full_build() -> None:
    from shop_reco.understanding.analyzer import default_analyzer

    with open("tests/data/eval-cases.jsonl", encoding="utf-8") as cases:
        texts = [json.loads(line)["text"] for line in cases if line.strip()][:150]
    texts += [
        "My lumbosacral region aches at my desk all day",
        "the lower back thing again, and a dead feeling in my left leg",
        "Charley horse in my lower back when I sit at my desk",
        "Ont i rumpan när jag sitter i bilen, och sockerdricka i benet",
        "no dead feeling, just my lower back",
    ]
    base = default_analyzer()
    fresh = Analyzer.from_data(shipped_lexicons())
    before = [base.analyze(text) for text in texts]
    laid = base.with_synonyms(LAID_OVER)
    built = Analyzer.from_data(shipped_lexicons(), LAID_OVER)
    for text in texts:
        assert laid.analyze(text) == built.analyze(text), text
        assert laid.analyze(text, "sv") == built.analyze(text, "sv"), text
    assert laid.analyze("the lower back thing again").areas == ("hip",)
    assert laid.phrase_count("en") == built.phrase_count("en")
    # The analyzer laid over is unchanged, and still reads as one built afresh.
    assert [base.analyze(text) for text in texts] == before == [fresh.analyze(text) for text in texts]
    assert base.analyze("the lower back thing again").areas == ("lower_back",)


def test_laying_bad_synonyms_over_an_analyzer_names_the_field() -> None:
    from shop_reco.understanding.analyzer import default_analyzer

    with pytest.raises(LexiconError, match=r"extra_synonyms\[1\]\.phrase"):
        default_analyzer().with_synonyms([LAID_OVER[0], {**LAID_OVER[0], "phrase": "  "}])
