"""Hand-built catalogs, profiles and rules for the recommender's tests (no database, no Flask).

The catalog mirrors the demo content (nine exercises, three products, the
article's sections in English and Swedish) plus two products that must never
be shown: one out of stock, one inactive.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from shop_reco.recommending import Catalog, ExerciseItem, ProductItem, SectionItem, load_rule
from shop_reco.recommending.rules import Rule
from shop_reco.understanding.profile import Match, Profile

ARTICLE = "hip-and-lower-back-pain"

EXERCISES: dict[str, tuple[str, str, str, set[str]]] = {
    # slug: (kind, en name, sv name, concepts)
    "hamstring-stretch": (
        "stretch",
        "Hamstring stretch",
        "Stretch av baksida lår",
        {"area:thigh", "symptom:tightness", "trigger:bending"},
    ),
    "hip-flexor-stretch": (
        "stretch",
        "Hip flexor stretch",
        "Stretch av höftböjare",
        {"area:hip", "symptom:tightness", "trigger:sitting"},
    ),
    "piriformis-stretch": (
        "stretch",
        "Piriformis stretch",
        "Stretch av piriformis",
        {"area:buttock", "symptom:radiating_pain"},
    ),
    "glute-bridge": (
        "strength",
        "Glute bridge",
        "Höftlyft",
        {"area:buttock", "area:lower_back", "symptom:weakness"},
    ),
    "plank": ("core", "Plank", "Planka", {"area:lower_back", "trigger:poor_posture"}),
    "hip-abduction": ("strength", "Hip abduction", "Höftabduktion", {"area:hip", "trigger:stairs"}),
    "hip-extension": ("strength", "Hip extension", "Höftextension", {"area:hip", "area:buttock"}),
    "swimming": ("aerobic", "Swimming", "Simning", {"trigger:high_impact"}),
    "brisk-walking": (
        "aerobic",
        "Brisk walking",
        "Rask promenad",
        {"trigger:high_impact", "trigger:walking"},
    ),
}

PRODUCTS: dict[str, tuple[str, bool, bool, set[str]]] = {
    # sku: (en name, in_stock, active, concepts)
    "posture-shirt-women-black": (
        "Women's Posture Shirt - Black",
        True,
        True,
        {"trigger:poor_posture", "trigger:screen_use", "area:upper_back"},
    ),
    "lumbar-support-belt": (
        "Lumbar support belt",
        True,
        True,
        {"area:lower_back", "trigger:lifting", "trigger:standing"},
    ),
    "ergonomic-seat-cushion": ("Ergonomic seat cushion", True, True, {"trigger:sitting", "area:buttock"}),
    "standing-mat": ("Anti-fatigue standing mat", False, True, {"trigger:standing", "area:lower_back"}),
    "old-back-brace": ("Old back brace", True, False, {"area:lower_back", "trigger:lifting"}),
}
NEVER_SHOWN = {"standing-mat", "old-back-brace"}

SECTIONS: list[tuple[str, str, str, set[str]]] = [
    # anchor, en heading, sv heading, concepts
    (
        "stretching",
        "Stretching exercises",
        "Stretchövningar",
        {"symptom:tightness", "area:thigh", "area:hip", "area:buttock", "symptom:radiating_pain"},
    ),
    (
        "strengthening",
        "Strengthening exercises",
        "Styrkeövningar",
        {"area:lower_back", "area:buttock", "symptom:weakness", "trigger:stairs"},
    ),
    (
        "core-and-aerobic",
        "Core stability and aerobic activities",
        "Bålstabilitet och konditionsträning",
        {"trigger:high_impact", "trigger:walking", "trigger:poor_posture"},
    ),
    ("form", "Good form", "Rätt teknik", {"trigger:bending"}),
    ("how-often", "How often to exercise", "Hur ofta du ska träna", set()),
    (
        "safety",
        "Safety first",
        "Säkerhet först",
        {
            "red_flag:numbness",
            "red_flag:tingling",
            "red_flag:weakness",
            "red_flag:bladder_bowel",
            "red_flag:saddle_anesthesia",
            "red_flag:fever",
            "red_flag:trauma",
        },
    ),
    (
        "ergonomic-aids",
        "Ergonomic aids",
        "Ergonomiska hjälpmedel",
        {"trigger:sitting", "trigger:standing", "trigger:lifting", "trigger:screen_use", "area:upper_back"},
    ),
    ("what-to-avoid", "What to avoid", "Vad du bör undvika", {"trigger:twisting"}),
]


def exercise(slug: str, kind: str, names: tuple[str, str] = ("", ""), concepts: Iterable[str] = ()) -> ExerciseItem:
    en, sv = names
    return ExerciseItem(
        slug=slug,
        kind=kind,
        target_areas=tuple(c.split(":")[1] for c in concepts if c.startswith("area:")),
        concepts=frozenset(concepts),
        dose={"sets": 2, "reps": 10},
        weekly_frequency={"min": 2, "max": 3},
        text={"en": {"name": en or slug}, "sv": {"name": sv or slug}},
    )


def product(
    sku: str, name: str = "", *, in_stock: bool = True, active: bool = True, concepts: Iterable[str] = ()
) -> ProductItem:
    return ProductItem(
        sku=sku,
        price="49.00",
        currency="SEK",
        url=f"/shop/{sku}",
        image_url="",
        in_stock=in_stock,
        active=active,
        concepts=frozenset(concepts),
        text={"en": {"name": name or sku, "description": ""}, "sv": {"name": name or sku, "description": ""}},
    )


def sample_catalog(extra_products: Iterable[ProductItem] = (), bodies: Mapping[str, str] | None = None) -> Catalog:
    """The demo-like catalog in English and Swedish; ``bodies`` gives sections' text by anchor."""
    exercises = {s: exercise(s, k, (en, sv), c) for s, (k, en, sv, c) in EXERCISES.items()}
    products = {s: product(s, n, in_stock=i, active=a, concepts=c) for s, (n, i, a, c) in PRODUCTS.items()}
    products.update({p.sku: p for p in extra_products})
    sections = tuple(
        SectionItem(
            article=ARTICLE,
            locale=loc,
            anchor=anchor,
            heading=heading,
            position=pos,
            concepts=frozenset(c),
            body=(bodies or {}).get(anchor, ""),
        )
        for loc in ("en", "sv")
        for pos, (anchor, en, sv, c) in enumerate(SECTIONS)
        for heading in [en if loc == "en" else sv]
    )
    return Catalog(exercises=exercises, products=products, sections=sections)


def profile_of(
    *found: tuple[str, str],
    locale: str = "en",
    severity: str | None = None,
    duration_weeks: float | None = None,
    negated: Iterable[tuple[str, str]] = (),
) -> Profile:
    """A Profile from ``("trigger:sitting", "after sitting all day")`` pairs, as the analyzer would give.

    ``negated`` findings are kept as matches but not affirmed (e.g. "no numbness").
    """
    matches: list[Match] = []
    text_pos = 0
    for (concept, phrase), neg in [(f, False) for f in found] + [(f, True) for f in negated]:
        group, _, code = concept.partition(":")
        matches.append(Match(group, code, phrase, text_pos, text_pos + len(phrase), negated=neg))
        text_pos += len(phrase) + 1

    def codes(group: str) -> tuple[str, ...]:
        out: list[str] = []
        for m in matches:
            if m.group == group and m.affirmed and m.code not in out:
                out.append(m.code)
        return tuple(out)

    return Profile(
        locale=locale,
        areas=codes("area"),
        symptoms=codes("symptom"),
        triggers=codes("trigger"),
        red_flags=codes("red_flag"),
        severity=severity,
        duration_weeks=duration_weeks,
        matches=tuple(matches),
    )


def rule(key: str, *, all: Iterable[str] = (), any: Iterable[str] = (), **fields: Any) -> Rule:
    """A validated rule; ``exercises=[("glute-bridge", 2)]``-style shortcuts for targets."""
    actions: dict[str, Any] = dict(fields.pop("actions", {}))
    for name, id_key in (("exercises", "slug"), ("products", "sku")):
        if name in fields:
            actions[name] = [{id_key: i, "weight": w} for i, w in fields.pop(name)]
    if "sections" in fields:
        actions["sections"] = [{"article": ARTICLE, "anchor": a, "weight": w} for a, w in fields.pop("sections")]
    conditions: dict[str, Any] = dict(fields.pop("conditions", {}))
    if all:
        conditions["all"] = list(all)
    if any:
        conditions["any"] = list(any)
    data: Mapping[str, Any] = {
        "key": key,
        "name": fields.pop("name", key.replace("-", " ").capitalize()),
        "conditions": conditions,
        "actions": actions,
        **fields,
    }
    return load_rule(data)


def ids(items: Iterable[Any]) -> list[str]:
    """Slugs/SKUs/``article#anchor`` of ranked items, in order."""
    return [r.id for r in items]
