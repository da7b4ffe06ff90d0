"""The safety gate: red flags decide what an answer may contain, before any ranking shows.

* ``urgent``: an urgent-care message; no exercises, no products, no sections
  except the article's safety section.
* ``consult``: see a professional before any exercise programme; no
  exercises; products only when the merchant allows ``products_on_consult``;
  sections limited to the safety section and those explaining shown products.
* ``none``: everything the rules give.

Every answer carries the disclaimer. ``fail_closed`` is the answer when
analysis or ranking breaks: a safety notice and nothing to buy.
"""

from __future__ import annotations

from dataclasses import dataclass

from shop_reco import vocabulary
from shop_reco.recommending.catalog import SectionItem
from shop_reco.recommending.index import CompiledRules
from shop_reco.recommending.messages import message
from shop_reco.recommending.results import RankedItem, Reason, Recommendation, RedFlag, Safety
from shop_reco.understanding.profile import Profile

RED_FLAG_GROUP = "red_flag:"


@dataclass(frozen=True, slots=True)
class Gate:
    """What the safety level lets through."""

    level: str
    exercises: bool
    products: bool
    rule_sections: bool  # sections chosen by rules (else only safety/explaining sections)
    advice: bool  # avoid advice and rule notes


def gate_for(level: str, *, products_on_consult: bool = False) -> Gate:
    """The gate for a safety level (``none``, ``consult`` or ``urgent``)."""
    if level == vocabulary.URGENT:
        return Gate(level, exercises=False, products=False, rule_sections=False, advice=False)
    if level == vocabulary.CONSULT:
        return Gate(level, exercises=False, products=products_on_consult, rule_sections=False, advice=True)
    return Gate(level, exercises=True, products=True, rule_sections=True, advice=True)


def assess(profile: Profile, locale: str) -> Safety:
    """The profile's safety level, its red flags with the shopper's phrase, and the message.

    A red flag with no phrase in the text was raised by the red-flag screen
    (see :func:`shop_reco.recommending.screening.with_screen_answers`).
    """
    flags = tuple(
        RedFlag(code, vocabulary.RED_FLAGS[code], phrase, "text" if phrase is not None else "screen")
        for code in profile.red_flags
        if code in vocabulary.RED_FLAGS
        for phrase in (_phrase(profile, code),)
    )
    level = profile.safety_level
    text = None
    if level == vocabulary.URGENT:
        text = message(locale, "safety_urgent")
    elif level == vocabulary.CONSULT:
        text = message(locale, "safety_consult")
    return Safety(level, flags, text)


def _phrase(profile: Profile, code: str) -> str | None:
    match = profile.evidence(f"{RED_FLAG_GROUP}{code}")
    return match.phrase if match else None


def disclaimer(locale: str) -> str:
    """The short 'not medical advice' line every answer carries."""
    return message(locale, "disclaimer")


def safety_sections(
    profile: Profile, compiled: CompiledRules, locale: str, *, limit: int = 1
) -> list[RankedItem[SectionItem]]:
    """Article sections tagged with red-flag concepts, closest to the shopper's flags first.

    Article authors mark their "when to see a doctor" section by tagging it
    with the ``red_flag:*`` concepts it covers.
    """
    flags = {f"{RED_FLAG_GROUP}{c}" for c in profile.red_flags}
    found: list[tuple[tuple[int, int, str], SectionItem]] = []
    for section_id in compiled.sections:
        section = compiled.section(section_id, locale)
        if section is None:
            continue
        tagged = {c for c in section.concepts if c.startswith(RED_FLAG_GROUP)}
        if tagged:
            found.append(((-len(tagged & flags), section.position, section_id), section))
    found.sort(key=lambda pair: pair[0])
    return [
        RankedItem(
            section,
            0.0,
            (
                Reason("shopper", message(locale, "shopper_safety_section")),
                Reason(
                    "section",
                    message(locale, "reason_section", heading=section.heading),
                    section=f"{section.article}#{section.anchor}",
                ),
            ),
        )
        for _, section in found[:limit]
    ]


def fail_closed(locale: str, *, rules_revision: int = 0) -> Recommendation:
    """The answer when analysis or ranking failed: a safety notice, no exercises, no products.

    >>> fail_closed("en").products
    ()
    """
    return Recommendation(
        locale=locale,
        safety=Safety(vocabulary.CONSULT, (), message(locale, "fail_closed")),
        disclaimer=disclaimer(locale),
        rules_revision=rules_revision,
        degraded=True,
    )
