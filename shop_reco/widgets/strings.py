"""The widgets' UI text in every locale and the body map's shapes, from data files.

``strings.json`` holds every word the widgets show (labels, chips, body-map
areas) per locale; ``bodymap.json`` the figure's shapes. Both are checked on
first use, so a missing translation fails loudly in tests, not in a shop.

    >>> ui_text("sv")["submit"]
    'Visa mina förslag'
    >>> compose_description("Aches after sitting", ["lower_back", "hip"], [], "en")
    'Aches after sitting. It hurts in my lower back and hips.'
    >>> compose_description("", ["hip:right"], [], "sv")
    'Det gör ont i höger höft.'
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from shop_reco import vocabulary
from shop_reco.widgets.formatting import format_price, plural_category

DATA_DIR = Path(__file__).resolve().parent
STRINGS_FILE = DATA_DIR / "strings.json"
BODY_MAP_FILE = DATA_DIR / "bodymap.json"
#: The red-flag screen's, urgent contacts' and scope note's words (kept apart from the finder's own).
SCREENING_STRINGS_FILE = DATA_DIR / "screening_strings.json"
#: SVG elements the body map may use (the JavaScript creates exactly these).
SHAPES = frozenset({"rect", "ellipse", "circle", "path"})
FALLBACK_LOCALE = "en"
#: The sides a body-map area can be chosen on (its key is then ``hip:right``).
SIDES = ("right", "left")


class WidgetDataError(ValueError):
    """A widget data file is inconsistent; the message names the file and the key."""


@lru_cache(maxsize=1)
def _strings_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(STRINGS_FILE.read_text(encoding="utf-8"))
    reference = data[FALLBACK_LOCALE]
    for locale, block in data.items():
        if locale not in vocabulary.LOCALES:
            raise WidgetDataError(f"{STRINGS_FILE.name}: unknown locale {locale!r}")
        missing = set(reference["strings"]) ^ set(block["strings"])
        if missing:
            raise WidgetDataError(f"{STRINGS_FILE.name}: {locale!r} and 'en' differ in {sorted(missing)}")
        for group in ("chips", "areas"):
            codes = [c["code"] for c in block[group]]
            if codes != [c["code"] for c in reference[group]]:
                raise WidgetDataError(f"{STRINGS_FILE.name}: {locale!r} {group} differ from 'en'")
        unknown = {a["code"] for a in block["areas"]} - set(vocabulary.AREAS)
        if unknown:
            raise WidgetDataError(f"{STRINGS_FILE.name}: unknown area codes {sorted(unknown)}")
        sided = [(a["code"], sorted(a.get("sides", {}))) for a in block["areas"]]
        if sided != [(a["code"], sorted(a.get("sides", {}))) for a in reference["areas"]]:
            raise WidgetDataError(f"{STRINGS_FILE.name}: {locale!r} area sides differ from 'en'")
        if any(set(a.get("sides", {})) - set(SIDES) for a in block["areas"]):
            raise WidgetDataError(f"{STRINGS_FILE.name}: {locale!r} has a side other than {SIDES}")
    screening: dict[str, dict[str, str]] = json.loads(SCREENING_STRINGS_FILE.read_text(encoding="utf-8"))
    for locale, block in data.items():
        extra = screening.get(locale, {})
        if set(extra) != set(screening[FALLBACK_LOCALE]) or set(extra) & set(block["strings"]):
            raise WidgetDataError(f"{SCREENING_STRINGS_FILE.name}: {locale!r} must hold the same new keys as 'en'")
        block["strings"] = {**block["strings"], **extra}
    return data


@lru_cache(maxsize=1)
def body_map() -> dict[str, Any]:
    """The body map: ``view_box``, ``labels``, decorative ``decor`` shapes and ``regions`` per area."""
    data: dict[str, Any] = json.loads(BODY_MAP_FILE.read_text(encoding="utf-8"))
    shapes = [*data["decor"], *(s for shapes in data["regions"].values() for s in shapes)]
    bad = {s["t"] for s in shapes} - SHAPES
    if bad:
        raise WidgetDataError(f"{BODY_MAP_FILE.name}: unsupported shapes {sorted(bad)}; use {sorted(SHAPES)}")
    unknown = set(data["regions"]) - set(vocabulary.AREAS)
    if unknown:
        raise WidgetDataError(f"{BODY_MAP_FILE.name}: unknown areas {sorted(unknown)}")
    return data


@lru_cache(maxsize=1)
def data_digest() -> str:
    """A short hash of both data files, part of every widget ETag."""
    digest = hashlib.sha256(
        STRINGS_FILE.read_bytes() + BODY_MAP_FILE.read_bytes() + SCREENING_STRINGS_FILE.read_bytes()
    )
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class UiText:
    """The strings, chips and areas of one locale; ``ui["key"]`` or ``ui.t("key", n=2)``."""

    locale: str
    strings: Mapping[str, str]
    chips: tuple[Mapping[str, str], ...]
    areas: tuple[Mapping[str, Any], ...]

    def __getitem__(self, key: str) -> str:
        return self.strings[key]

    def t(self, key: str, **values: object) -> str:
        """The string ``key`` with ``{name}`` placeholders filled in."""
        return self.strings[key].format(**values)

    def join(self, words: Iterable[str]) -> str:
        """``a, b and c`` in this locale."""
        items = list(words)
        if len(items) < 2:
            return "".join(items)
        return f"{', '.join(items[:-1])} {self['list_and']} {items[-1]}"

    def price(self, amount: str, currency: str) -> str:
        """``€39.00`` (English) or ``39,00 €`` (Swedish), from CLDR."""
        return format_price(amount, currency, self.locale)

    def frequency(self, weekly: Mapping[str, Any]) -> str:
        """``1 time a week``, ``2–3 times a week`` from ``{"min": 2, "max": 3}``; empty when unknown."""
        low, high = weekly.get("min"), weekly.get("max")
        if not low and not high:
            return ""
        if not high or low == high:
            n = int(low or high or 0)
            key = f"frequency_same_{plural_category(n, self.locale)}"
            return self.t(key if key in self.strings else "frequency_same_other", n=n)
        return self.t("frequency_range", min=low or 1, max=high)

    def area_label(self, code: str) -> str:
        return next((a["label"] for a in self.areas if a["code"] == code), code)

    def area_choices(self) -> list[dict[str, str]]:
        """What the body map offers: ``{"key", "code", "side", "label"}``; hips, legs... once per side.

        >>> [c["key"] for c in ui_text("en").area_choices()][3:6]
        ['lower_back', 'hip:right', 'hip:left']
        """
        out: list[dict[str, str]] = []
        for a in self.areas:
            sides = a.get("sides") or {}
            if not sides:
                out.append({"key": a["code"], "code": a["code"], "side": "", "label": a["label"]})
            for side in SIDES:
                if side in sides:
                    label = sides[side]["label"]
                    out.append({"key": f"{a['code']}:{side}", "code": a["code"], "side": side, "label": label})
        return out

    def area_words(self, keys: Iterable[str]) -> list[str]:
        """The words for chosen areas, in body order: ``right hip``, or ``hips`` when both sides are."""
        chosen: dict[str, set[str]] = {}
        for key in keys:
            code, _, side = key.partition(":")
            chosen.setdefault(code, set()).add(side or "both")
        words: list[str] = []
        for a in self.areas:
            picked = chosen.get(a["code"])
            if not picked:
                continue
            sides = a.get("sides") or {}
            if len(picked) == 1 and (side := next(iter(picked))) in sides:
                words.append(sides[side]["words"])
            else:
                words.append(a["words"])
        return words

    def as_dict(self) -> dict[str, Any]:
        return {
            "strings": dict(self.strings),
            "chips": [dict(c) for c in self.chips],
            "areas": [dict(a) for a in self.areas],
        }


@lru_cache(maxsize=8)
def ui_text(locale: str) -> UiText:
    """The UI text of ``locale``, English when the locale has none."""
    data = _strings_data()
    block = data.get(locale) or data[FALLBACK_LOCALE]
    return UiText(
        locale=locale if locale in data else FALLBACK_LOCALE,
        strings=dict(block["strings"]),
        chips=tuple(block["chips"]),
        areas=tuple(block["areas"]),
    )


def compose_description(text: str, areas: Iterable[str], chips: Iterable[str], locale: str) -> str:
    """The shopper's text, then the chosen chips' sentences, then a sentence naming the body-map areas.

    The widget script builds the same text in the browser (chips go into the
    textarea as the shopper clicks them), so both paths are understood alike.
    """
    ui = ui_text(locale)
    parts = [text.strip()] if text.strip() else []
    chosen_chips = set(chips)
    parts += [c["text"] for c in ui.chips if c["code"] in chosen_chips and c["text"] not in text]
    words = ui.area_words(areas)
    if words:
        parts.append(ui.t("areas_sentence", areas=ui.join(words)))
    out = ""
    for part in parts:
        if out:
            out += " " if out.endswith((".", "!", "?", "…")) else ". "
        out += part
    return out
