"""Admin content forms: flat form values to and from the importing schemas' data shapes.

A form is a flat mapping of input name to value: strings, lists (checkbox
groups) and booleans (single checkboxes). Input names are the schemas' error
paths (``price``, ``text.sv.name``, ``sections.2.body``), so a validation
error lands next to the input it is about, and an invalid form is shown
again with exactly what the merchant typed.

    >>> values = {**product_values(None, ["en"]), "sku": "cushion", "price": "-3", "url": "/p/cushion",
    ...           "text.en.name": "Cushion"}
    >>> load_form(ProductSchema(), product_data(values, ["en"]), values)[1]
    {'price': ['must not be negative']}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from marshmallow import Schema, ValidationError
from werkzeug.datastructures import MultiDict

from shop_reco import vocabulary
from shop_reco.importing import find_claims
from shop_reco.importing.anchors import unique_anchor
from shop_reco.importing.schemas import ArticleSchema, ExerciseSchema, ProductSchema

__all__ = [
    "ArticleSchema",
    "ExerciseSchema",
    "FieldErrors",
    "FormValues",
    "ProductSchema",
    "article_data",
    "article_values",
    "article_values_from_form",
    "concept_choices",
    "exercise_data",
    "exercise_values",
    "exercise_values_from_form",
    "flatten_messages",
    "load_form",
    "product_claims",
    "product_data",
    "product_values",
    "product_values_from_form",
]

FormValues = dict[str, Any]
FieldErrors = dict[str, list[str]]

#: Where errors go that belong to no input of the form.
FORM_ERRORS: Final = "_form"
#: Concept groups offered for tagging content (red flags are the shopper's, never content's).
TAG_GROUPS: Final = ("area", "symptom", "trigger")
DOSE_AMOUNTS: Final = ("sets", "reps", "hold_seconds", "minutes")
EXERCISE_LISTS: Final = ("steps", "cues", "cautions")
EXERCISE_LINES: Final = ("name", "summary", "dose")


def concept_choices(groups: Sequence[str] = TAG_GROUPS) -> list[tuple[str, list[str]]]:
    """``[(group, ["group:code", ...]), ...]`` for the concept pickers."""
    return [(group, [f"{group}:{code}" for code in vocabulary.GROUPS[group]]) for group in groups]


def _text(form: MultiDict[str, str], name: str) -> str:
    return form.get(name, "").replace("\r\n", "\n")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _key_list(text: str) -> list[str]:
    return [part for part in text.replace(",", " ").split() if part]


def _integer(text: str) -> int | str | None:
    """``""`` is no value, digits are a number; anything else stays text for the schema to refuse."""
    text = text.strip()
    if not text:
        return None
    return int(text) if text.isascii() and text.isdigit() else text


# -- errors -----------------------------------------------------------------------------------------


def flatten_messages(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    """marshmallow's nested messages as ``(dotted path, message)`` pairs.

    The ``key``/``value`` levels that ``fields.Dict`` adds are left out
    (``text.sv.name``, not ``text.sv.value.name``); ``_schema`` is dropped.
    """
    out: list[tuple[str, str]] = []
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            key = str(key)
            if key in ("key", "value", "_schema"):
                out += flatten_messages(value, prefix)
            else:
                out += flatten_messages(value, f"{prefix}.{key}" if prefix else key)
    elif isinstance(messages, list | tuple):
        for message in messages:
            out += flatten_messages(message, prefix)
    else:
        out.append((prefix, str(messages)))
    return out


def place_errors(
    pairs: Iterable[tuple[str, str]], inputs: Iterable[str], rename: Mapping[str, str] | None = None
) -> FieldErrors:
    """Attach each message to the longest input name its path starts with (else the form)."""
    names = set(inputs)
    errors: FieldErrors = {}
    for path, message in pairs:
        if rename:
            path = _renamed(path, rename)
        parts = path.split(".") if path else []
        target = FORM_ERRORS
        for n in range(len(parts), 0, -1):
            candidate = ".".join(parts[:n])
            if candidate in names:
                target = candidate
                break
        if message not in errors.setdefault(target, []):
            errors[target].append(message)
    return errors


def _renamed(path: str, rename: Mapping[str, str]) -> str:
    for old, new in rename.items():
        if path == old or path.startswith(old + "."):
            return new + path[len(old) :]
    return path


def load_form(
    schema: Schema,
    data: Mapping[str, Any],
    values: Mapping[str, Any],
    rename: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any] | None, FieldErrors]:
    """Validate ``data`` with ``schema``: ``(loaded, {})`` or ``(None, errors by input name)``."""
    try:
        return schema.load(data), {}
    except ValidationError as exc:
        inputs = set(values) | _groups(values)
        return None, place_errors(flatten_messages(exc.messages), inputs, rename)


def _groups(values: Mapping[str, Any]) -> set[str]:
    """Every dotted prefix of an input name (``text.en``, ``dose``), so fieldsets can show errors too."""
    groups: set[str] = set()
    for name in values:
        parts = name.split(".")
        groups.update(".".join(parts[:n]) for n in range(1, len(parts)))
    return groups


# -- products ---------------------------------------------------------------------------------------


def product_values(row: Any | None, locales: Sequence[str]) -> FormValues:
    """The form for a stored product (or an empty one)."""
    values: FormValues = {
        "sku": row.sku if row else "",
        "price": f"{row.price:.2f}" if row else "",
        "currency": row.currency if row else "EUR",
        "url": row.url if row else "",
        "image_url": row.image_url if row else "",
        "in_stock": row.in_stock if row else True,
        "active": row.active if row else True,
        "concepts": list(row.concepts) if row else [],
    }
    text = row.text if row else {}
    for locale in locales:
        block = text.get(locale, {})
        values[f"text.{locale}.name"] = block.get("name", "")
        values[f"text.{locale}.description"] = block.get("description", "")
    return values


def product_values_from_form(form: MultiDict[str, str], locales: Sequence[str]) -> FormValues:
    values: FormValues = {name: _text(form, name).strip() for name in ("sku", "price", "currency", "url", "image_url")}
    values["in_stock"] = "in_stock" in form
    values["active"] = "active" in form
    values["concepts"] = form.getlist("concepts")
    for locale in locales:
        values[f"text.{locale}.name"] = _text(form, f"text.{locale}.name")
        values[f"text.{locale}.description"] = _text(form, f"text.{locale}.description")
    return values


def product_data(
    values: Mapping[str, Any], locales: Sequence[str], kept_text: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The ``ProductSchema`` input; text of locales the form does not show is kept."""
    text = {k: v for k, v in (kept_text or {}).items() if k not in locales}
    for locale in locales:
        name, description = values[f"text.{locale}.name"], values[f"text.{locale}.description"]
        if name.strip() or description.strip():
            text[locale] = {"name": name, "description": description}
    data = {
        name: values[name]
        for name in ("sku", "price", "currency", "url", "image_url", "in_stock", "active", "concepts")
    }
    data["text"] = text
    return data


def product_claims(values: Mapping[str, Any], locales: Sequence[str]) -> dict[str, list[str]]:
    """Treatment or cure phrases in the product copy, by input name."""
    found: dict[str, list[str]] = {}
    for locale in locales:
        for part in ("name", "description"):
            name = f"text.{locale}.{part}"
            phrases = find_claims(values.get(name, ""), locale)
            if phrases:
                found[name] = phrases
    return found


# -- exercises --------------------------------------------------------------------------------------


def exercise_values(row: Any | None, locales: Sequence[str]) -> FormValues:
    dose = row.dose if row else {}
    frequency = row.weekly_frequency if row else {}
    values: FormValues = {
        "slug": row.slug if row else "",
        "kind": row.kind if row else vocabulary.EXERCISE_KINDS[0],
        "target_areas": list(row.target_areas) if row else [],
        "concepts": list(row.concepts) if row else [],
        "sources": ", ".join(row.sources) if row else "",
        "dose.per_side": bool(dose.get("per_side", False)),
        "weekly_frequency.min": str(frequency.get("min", "")),
        "weekly_frequency.max": str(frequency.get("max", "")),
    }
    for amount in DOSE_AMOUNTS:
        values[f"dose.{amount}"] = "" if dose.get(amount) is None else str(dose[amount])
    text = row.text if row else {}
    for locale in locales:
        block = text.get(locale, {})
        for part in EXERCISE_LINES:
            values[f"text.{locale}.{part}"] = block.get(part, "")
        for part in EXERCISE_LISTS:
            values[f"text.{locale}.{part}"] = "\n".join(block.get(part, []))
    return values


def exercise_values_from_form(form: MultiDict[str, str], locales: Sequence[str]) -> FormValues:
    values: FormValues = {
        "slug": _text(form, "slug").strip(),
        "kind": _text(form, "kind"),
        "target_areas": form.getlist("target_areas"),
        "concepts": form.getlist("concepts"),
        "sources": _text(form, "sources"),
        "dose.per_side": "dose.per_side" in form,
        "weekly_frequency.min": _text(form, "weekly_frequency.min").strip(),
        "weekly_frequency.max": _text(form, "weekly_frequency.max").strip(),
    }
    for amount in DOSE_AMOUNTS:
        values[f"dose.{amount}"] = _text(form, f"dose.{amount}").strip()
    for locale in locales:
        for part in (*EXERCISE_LINES, *EXERCISE_LISTS):
            values[f"text.{locale}.{part}"] = _text(form, f"text.{locale}.{part}")
    return values


def exercise_data(
    values: Mapping[str, Any], locales: Sequence[str], kept_text: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The ``ExerciseSchema`` input: numbers parsed, one list item per line, blank locales left out."""
    dose: dict[str, Any] = {amount: _integer(values[f"dose.{amount}"]) for amount in DOSE_AMOUNTS}
    dose["per_side"] = values["dose.per_side"]
    frequency = {
        bound: number
        for bound in ("min", "max")
        if (number := _integer(values[f"weekly_frequency.{bound}"])) is not None
    }
    text = {k: v for k, v in (kept_text or {}).items() if k not in locales}
    for locale in locales:
        block: dict[str, Any] = {part: values[f"text.{locale}.{part}"] for part in EXERCISE_LINES}
        block.update({part: _lines(values[f"text.{locale}.{part}"]) for part in EXERCISE_LISTS})
        if any(block.values()):
            text[locale] = block
    return {
        "slug": values["slug"],
        "kind": values["kind"],
        "target_areas": values["target_areas"],
        "concepts": values["concepts"],
        "dose": dose,
        "weekly_frequency": frequency,
        "sources": _key_list(values["sources"]),
        "text": text,
    }


# -- articles ---------------------------------------------------------------------------------------


def article_values(row: Any) -> FormValues:
    """The form for a stored article: its fields, each section, and one blank slot to add a section."""
    values: FormValues = {
        "title": row.title,
        "summary": row.summary,
        "sources": ", ".join(row.sources),
        "section_count": len(row.sections) + 1,
    }
    for i, section in enumerate(row.sections):
        values.update(
            _section_values(i, section.anchor, section.heading, section.body, section.kind, list(section.concepts))
        )
    values.update(_section_values(len(row.sections), "", "", "", "section", []))
    return values


def _section_values(i: int, anchor: str, heading: str, body: str, kind: str, concepts: list[str]) -> FormValues:
    return {
        f"sections.{i}.anchor": anchor,
        f"sections.{i}.heading": heading,
        f"sections.{i}.body": body,
        f"sections.{i}.kind": kind,
        f"sections.{i}.concepts": concepts,
        f"sections.{i}.delete": False,
    }


def article_values_from_form(form: MultiDict[str, str]) -> FormValues:
    try:
        count = min(max(int(form.get("section_count", "0")), 0), 500)
    except ValueError:
        count = 0
    values: FormValues = {
        "title": _text(form, "title"),
        "summary": _text(form, "summary"),
        "sources": _text(form, "sources"),
        "section_count": count,
    }
    for i in range(count):
        prefix = f"sections.{i}"
        values.update(
            _section_values(
                i,
                _text(form, f"{prefix}.anchor").strip(),
                _text(form, f"{prefix}.heading").strip(),
                _text(form, f"{prefix}.body"),
                _text(form, f"{prefix}.kind").strip(),
                form.getlist(f"{prefix}.concepts"),
            )
        )
        values[f"sections.{i}.delete"] = f"sections.{i}.delete" in form
    return values


def article_data(values: Mapping[str, Any], slug: str, locale: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The ``ArticleSchema`` input, and how its section indexes map back to the form's.

    Sections marked for deletion and the blank "add a section" slot are left out,
    so ``sections.3`` in an error may be the form's ``sections.4``.
    """
    sections: list[dict[str, Any]] = []
    rename: dict[str, str] = {}
    for i in range(values["section_count"]):
        prefix = f"sections.{i}"
        if values[f"{prefix}.delete"]:
            continue
        heading, body, anchor = (values[f"{prefix}.{p}"] for p in ("heading", "body", "anchor"))
        if not (heading.strip() or body.strip() or anchor):
            continue  # the blank slot
        rename[f"sections.{len(sections)}"] = prefix
        sections.append(
            {
                "anchor": anchor or _anchor_for(heading, {s["anchor"] for s in sections}),
                "heading": heading,
                "body": body,
                "kind": values[f"{prefix}.kind"],
                "concepts": values[f"{prefix}.concepts"],
            }
        )
    data = {
        "slug": slug,
        "locale": locale,
        "title": values["title"],
        "summary": values["summary"],
        "sources": _key_list(values["sources"]),
        "sections": sections,
    }
    return data, rename


def _anchor_for(heading: str, taken: set[str]) -> str:
    return unique_anchor(heading, taken)
