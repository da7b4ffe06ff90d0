"""The content the recommender chooses from, as plain immutable records.

The storage layer builds a ``Catalog`` from the database (or a test builds one
by hand); the recommender never touches the database or Flask.
Per-locale text is a mapping ``{locale: {...}}``; ``text_for`` picks a locale
with a fallback to English.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


def text_for(text: Mapping[str, Mapping[str, Any]], locale: str, fallback: str = "en") -> Mapping[str, Any]:
    """The text block for ``locale``, else the fallback locale's, else any, else {}."""
    if locale in text:
        return text[locale]
    if fallback in text:
        return text[fallback]
    return next(iter(text.values()), {})


@dataclass(frozen=True, slots=True)
class ExerciseItem:
    slug: str
    kind: str  # stretch | strength | core | aerobic
    target_areas: tuple[str, ...]
    concepts: frozenset[str]
    # {"sets": 2, "reps": 10, "hold_seconds": 30, "per_side": true, "minutes": 30}
    dose: Mapping[str, Any]
    # {"min": 2, "max": 3} sessions a week
    weekly_frequency: Mapping[str, int]
    # {locale: {"name", "summary", "steps": [...], "cues": [...], "cautions": [...], "dose": "..."}}
    text: Mapping[str, Mapping[str, Any]]
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ProductItem:
    sku: str
    price: str  # decimal as text, e.g. "49.00"
    currency: str
    url: str
    image_url: str
    in_stock: bool
    active: bool
    concepts: frozenset[str]
    # {locale: {"name", "description"}}
    text: Mapping[str, Mapping[str, Any]]

    @property
    def available(self) -> bool:
        return self.active and self.in_stock


@dataclass(frozen=True, slots=True)
class SectionItem:
    article: str  # article slug
    locale: str
    anchor: str
    heading: str
    position: int
    concepts: frozenset[str]
    body: str = ""


@dataclass(frozen=True, slots=True)
class Catalog:
    exercises: Mapping[str, ExerciseItem] = field(default_factory=dict)
    products: Mapping[str, ProductItem] = field(default_factory=dict)
    sections: tuple[SectionItem, ...] = ()
