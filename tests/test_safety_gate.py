"""The safety gate: red flags decide what an answer may hold; every answer carries the disclaimer;
nothing we say about a product claims to treat or cure."""

from __future__ import annotations

import json
import string
from pathlib import Path

import pytest
from reco_samples import profile_of, rule, sample_catalog

from shop_reco import vocabulary
from shop_reco.answering.payloads import recommendation_payload
from shop_reco.recommending import compile_rules, fail_closed, recommend
from shop_reco.recommending.messages import catalog as message_catalog
from shop_reco.recommending.messages import claims_treatment

DEMO_RULES = Path(__file__).resolve().parents[1] / "shop_reco" / "demo" / "data" / "rules.json"
BACK = ("area:lower_back", "lower back")
SITTING = ("trigger:sitting", "sitting all day")
PHRASES = {
    "bladder_bowel": "can't control my bladder",
    "saddle_anesthesia": "numb between my legs",
    "fever": "fever and chills",
    "trauma": "fell off a ladder",
    "bilateral_legs": "sciatica down both legs",
    "numbness": "numb foot",
    "tingling": "pins and needles",
    "weakness": "my leg feels weak",
    "weight_loss": "lost weight without trying",
    "cancer_history": "had cancer",
    "night_pain": "wakes me at night",
}
URGENT_FLAGS = [c for c, level in vocabulary.RED_FLAGS.items() if level == vocabulary.URGENT]
CONSULT_FLAGS = [c for c, level in vocabulary.RED_FLAGS.items() if level == vocabulary.CONSULT]


@pytest.fixture
def compiled():  # type: ignore[no-untyped-def]
    """Rules that would recommend everything, at every safety level that allows them."""
    everywhere = {"safety": ["none", "consult", "urgent"]}
    rules = [
        rule(
            "back",
            all=["area:lower_back"],
            conditions=everywhere,
            exercises=[("glute-bridge", 3), ("plank", 2)],
            products=[("lumbar-support-belt", 2)],
            sections=[("strengthening", 1)],
            actions={"avoid": [{"code": "sit-ups", "text": {"en": "Skip full sit-ups."}}]},
        ),
        rule(
            "sitting",
            all=["trigger:sitting"],
            exercises=[("hip-flexor-stretch", 3)],
            products=[("ergonomic-seat-cushion", 2)],
        ),
    ]
    return compile_rules(rules, sample_catalog())


def flagged(code: str, *found: tuple[str, str], locale: str = "en"):  # type: ignore[no-untyped-def]
    return profile_of(BACK, *found, (f"red_flag:{code}", PHRASES[code]), locale=locale)


@pytest.mark.parametrize("code", URGENT_FLAGS)
@pytest.mark.parametrize("locale", ["en", "sv"])
@pytest.mark.parametrize("products_on_consult", [False, True])
def test_urgent_means_urgent_care_and_nothing_to_do_or_buy(compiled, code, locale, products_on_consult) -> None:  # type: ignore[no-untyped-def]
    result = recommend(
        flagged(code, SITTING, locale=locale),
        compiled,
        locale=locale,
        products_on_consult=products_on_consult,
    )
    assert result.safety.level == "urgent"
    assert [(f.code, f.level, f.phrase) for f in result.safety.red_flags] == [(code, "urgent", PHRASES[code])]
    assert result.safety.message and ("112" in result.safety.message or "emergency" in result.safety.message)
    assert result.exercises == () and result.products == () and result.avoid == () and result.notes == ()
    assert result.routine is None and not result.fallback
    assert [s.item.anchor for s in result.sections] == ["safety"]  # the safety section at most
    assert result.disclaimer


@pytest.mark.parametrize("code", CONSULT_FLAGS)
def test_consult_means_see_a_professional_and_no_exercises(compiled, code) -> None:  # type: ignore[no-untyped-def]
    result = recommend(flagged(code, SITTING), compiled, locale="en")
    assert result.safety.level == "consult"
    assert "before you start any exercise programme" in (result.safety.message or "")
    assert result.exercises == () and result.products == () and result.routine is None
    assert not result.fallback
    assert [s.item.anchor for s in result.sections] == ["safety"]
    assert [a.code for a in result.avoid] == ["sit-ups"]  # advice that keeps people safe still shows


def test_consult_shows_products_only_when_the_merchant_allows_it(compiled) -> None:  # type: ignore[no-untyped-def]
    result = recommend(flagged("numbness", SITTING), compiled, locale="en", products_on_consult=True)
    assert result.exercises == ()
    # Only rules that apply at "consult" give products: "sitting" keeps the default safety ["none"].
    assert [p.item.sku for p in result.products] == ["lumbar-support-belt"]
    anchors = [s.item.anchor for s in result.sections]
    assert anchors[0] == "safety" and "strengthening" not in anchors


def test_consult_in_swedish(compiled) -> None:  # type: ignore[no-untyped-def]
    result = recommend(flagged("tingling", locale="sv"), compiled, locale="sv")
    assert result.safety.message and "läkare eller fysioterapeut" in result.safety.message
    assert result.safety.red_flags[0].phrase == "pins and needles"


def test_the_more_serious_flag_wins(compiled) -> None:  # type: ignore[no-untyped-def]
    profile = profile_of(BACK, ("red_flag:numbness", "numb"), ("red_flag:fever", "fever"))
    result = recommend(profile, compiled, locale="en")
    assert result.safety.level == "urgent" and result.products == ()
    assert {f.code: f.level for f in result.safety.red_flags} == {"numbness": "consult", "fever": "urgent"}


def test_a_negated_red_flag_does_not_gate(compiled) -> None:  # type: ignore[no-untyped-def]
    profile = profile_of(BACK, negated=[("red_flag:numbness", "numbness")])
    result = recommend(profile, compiled, locale="en")
    assert result.safety.level == "none" and result.safety.message is None and result.safety.red_flags == ()
    assert result.exercises and result.products


def test_none_shows_everything_with_the_disclaimer(compiled) -> None:  # type: ignore[no-untyped-def]
    result = recommend(profile_of(BACK, SITTING), compiled, locale="en")
    assert result.safety.level == "none"
    assert result.exercises and result.products and result.sections
    assert result.disclaimer.startswith("General guidance, not medical advice")


def test_fail_closed_is_a_notice_with_nothing_to_buy() -> None:
    for locale in ("en", "sv"):
        result = fail_closed(locale)
        assert result.products == () and result.exercises == () and result.sections == ()
        assert result.degraded and result.safety.message and result.disclaimer
        assert result.safety.level == "consult"
        json.dumps(recommendation_payload(result, cart_template="/cart/{sku}", article_template="/a/{slug}"))
    assert "healthcare professional" in (fail_closed("en").safety.message or "")
    assert "kontakta vården" in (fail_closed("sv").safety.message or "")


@pytest.mark.parametrize("locale", ["en", "sv"])
@pytest.mark.parametrize(
    "found",
    [
        (),
        (BACK,),
        (BACK, SITTING),
        (("red_flag:fever", "fever"),),
        (("red_flag:numbness", "numb"),),
        (("area:neck", "neck"),),
    ],
)
def test_every_answer_carries_the_disclaimer(compiled, locale, found) -> None:  # type: ignore[no-untyped-def]
    result = recommend(profile_of(*found, locale=locale), compiled, locale=locale)
    served = recommendation_payload(result, cart_template="/cart/{sku}", article_template="/a/{slug}")
    assert result.disclaimer and served["disclaimer"] == result.disclaimer


def test_messages_exist_in_both_locales_with_the_same_placeholders() -> None:
    messages = message_catalog()
    assert set(messages["en"]) == set(messages["sv"])
    for key, en in messages["en"].items():
        assert sorted(_placeholders(en)) == sorted(_placeholders(messages["sv"][key])), key


def _placeholders(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def test_no_message_about_products_claims_a_treatment() -> None:
    for locale, block in message_catalog().items():
        for key in (
            "product_benefit",
            "reason_benefit_phrase",
            "reason_paired",
            "reason_related",
            "reason_rule",
        ):
            assert not claims_treatment(block[key]), (locale, key)


@pytest.mark.parametrize("locale", ["en", "sv"])
def test_no_product_reason_in_the_demo_rules_claims_a_treatment(locale) -> None:  # type: ignore[no-untyped-def]
    from shop_reco.recommending import load_rules

    compiled = compile_rules(load_rules(json.loads(DEMO_RULES.read_text(encoding="utf-8"))), sample_catalog())
    concepts = [
        "area:lower_back",
        "area:hip",
        "area:buttock",
        "trigger:sitting",
        "trigger:lifting",
        "trigger:standing",
        "trigger:poor_posture",
        "trigger:screen_use",
        "trigger:high_impact",
    ]
    for concept in concepts:
        result = recommend(profile_of((concept, "my words")), compiled, locale=locale)
        for item in result.products:
            for reason in item.why:
                assert not claims_treatment(reason.text), reason.text


@pytest.mark.parametrize(
    "text",
    [
        "Treats back pain",
        "cures sciatica",
        "heals your spine",
        "relieves pain",
        "behandlar ryggont",
        "botar ischias",
        "lindrar smärta",
    ],
)
def test_treatment_claims_are_recognised(text) -> None:  # type: ignore[no-untyped-def]
    assert claims_treatment(text)


@pytest.mark.parametrize("text", ["Support during daily activity", "Comfort when you sit", "Stöd i vardagen"])
def test_support_wording_is_fine(text) -> None:  # type: ignore[no-untyped-def]
    assert not claims_treatment(text)
