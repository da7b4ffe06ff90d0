"""The concept codes shared by the analyzer, rules, content tags, the API and events.

Codes are plain strings so they travel through JSON unchanged; this module is
the one place that lists them. A concept is named ``group:code`` wherever the
group is not clear from context (rule indexes, content tags), e.g.
``area:lower_back`` or ``trigger:sitting``.
"""

from __future__ import annotations

from typing import Final

AREAS: Final = (
    "lower_back",
    "hip",
    "buttock",
    "thigh",
    "leg",
    "upper_back",
    "neck",
    "shoulder",
)
SYMPTOMS: Final = (
    "pain",
    "stiffness",
    "tightness",
    "radiating_pain",
    "spasm",
    "numbness",
    "tingling",
    "weakness",
)
TRIGGERS: Final = (
    "sitting",
    "standing",
    "poor_posture",
    "screen_use",
    "lifting",
    "bending",
    "twisting",
    "high_impact",
    "walking",
    "lying_down",
    "stairs",
)

URGENT: Final = "urgent"
CONSULT: Final = "consult"
NONE: Final = "none"
SAFETY_LEVELS: Final = (NONE, CONSULT, URGENT)

#: Red flag code -> the safety level it raises.
RED_FLAGS: Final = {
    "bladder_bowel": URGENT,
    "saddle_anesthesia": URGENT,
    "fever": URGENT,
    "trauma": URGENT,
    # Cauda equina signs in the legs: pain, numbness or weakness in both legs (NICE CKS).
    "bilateral_legs": URGENT,
    "numbness": CONSULT,
    "tingling": CONSULT,
    "weakness": CONSULT,
    "weight_loss": CONSULT,
    "cancer_history": CONSULT,
    "night_pain": CONSULT,
}

SIDES: Final = ("left", "right", "both")
SEVERITIES: Final = ("mild", "moderate", "severe")
EXERCISE_KINDS: Final = ("stretch", "strength", "core", "aerobic")
LOCALES: Final = ("en", "sv")

#: What a storefront event records (``POST /events``): the item was shown, clicked or added to the cart.
EVENT_KINDS: Final = ("impression", "click", "add_to_cart")
#: The kinds of recommendable item, in rules (``ItemRef.type``), answers and events.
ITEM_TYPES: Final = ("exercise", "product", "section")
#: The widgets a storefront embeds; events say which one they came from.
WIDGETS: Final = ("finder", "product", "article")

#: Concept groups, as used in ``group:code`` names and in rule conditions.
GROUPS: Final = {
    "area": AREAS,
    "symptom": SYMPTOMS,
    "trigger": TRIGGERS,
    "red_flag": tuple(RED_FLAGS),
}


def concept(group: str, code: str) -> str:
    """Return the qualified concept name, checking both parts.

    >>> concept("area", "hip")
    'area:hip'
    """
    if group not in GROUPS:
        raise ValueError(f"unknown concept group {group!r}; expected one of {sorted(GROUPS)}")
    if code not in GROUPS[group]:
        raise ValueError(f"unknown {group} code {code!r}; expected one of {list(GROUPS[group])}")
    return f"{group}:{code}"


def is_concept(name: str) -> bool:
    """True when ``name`` is a valid ``group:code`` concept."""
    group, _, code = name.partition(":")
    return code in GROUPS.get(group, ())


ALL_CONCEPTS: Final = frozenset(f"{g}:{c}" for g, codes in GROUPS.items() for c in codes)


def safety_level(red_flag_codes: list[str] | tuple[str, ...] | set[str]) -> str:
    """The overall level for a set of red flags: urgent beats consult beats none."""
    levels = {RED_FLAGS[c] for c in red_flag_codes}
    if URGENT in levels:
        return URGENT
    if CONSULT in levels:
        return CONSULT
    return NONE


def severity_from_score(score: float) -> str:
    """Map a 0-10 pain score to a severity word (<=3 mild, 4-6 moderate, >=7 severe)."""
    if score <= 3:
        return "mild"
    if score < 7:
        return "moderate"
    return "severe"


def as_dict() -> dict[str, object]:
    """The whole vocabulary as a JSON-ready mapping (served by the API)."""
    return {
        "areas": list(AREAS),
        "symptoms": list(SYMPTOMS),
        "triggers": list(TRIGGERS),
        "red_flags": [{"code": c, "level": lvl} for c, lvl in RED_FLAGS.items()],
        "safety_levels": list(SAFETY_LEVELS),
        "sides": list(SIDES),
        "severities": list(SEVERITIES),
        "exercise_kinds": list(EXERCISE_KINDS),
        "locales": list(LOCALES),
    }
