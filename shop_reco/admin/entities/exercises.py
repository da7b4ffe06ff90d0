"""Exercises: ``/exercises`` (list, create, edit, delete), their revisions and their export.

An exercise may only cite sources that exist (keys it already cited are left alone).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from flask import render_template
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from shop_reco import vocabulary
from shop_reco.admin.catalog_pages import CatalogEntity
from shop_reco.admin.content import offered_locales
from shop_reco.admin.content_forms import (
    FieldErrors,
    FormValues,
    form_text,
    integer_or_text,
    key_list,
    text_lines,
)
from shop_reco.importing.schemas import ExerciseSchema
from shop_reco.recommending import Catalog
from shop_reco.state import get_session
from shop_reco.storage.admin_queries import exercises_by_kind, exercises_by_slug, find_exercise, known_source_keys
from shop_reco.storage.content import EXERCISE_FIELDS, upsert_exercise
from shop_reco.storage.models import Exercise

DOSE_AMOUNTS: Final = ("sets", "reps", "hold_seconds", "minutes")
EXERCISE_LISTS: Final = ("steps", "cues", "cautions")
EXERCISE_LINES: Final = ("name", "summary", "dose")


# -- the form --------------------------------------------------------------------------------------


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
        "slug": form_text(form, "slug").strip(),
        "kind": form_text(form, "kind"),
        "target_areas": form.getlist("target_areas"),
        "concepts": form.getlist("concepts"),
        "sources": form_text(form, "sources"),
        "dose.per_side": "dose.per_side" in form,
        "weekly_frequency.min": form_text(form, "weekly_frequency.min").strip(),
        "weekly_frequency.max": form_text(form, "weekly_frequency.max").strip(),
    }
    for amount in DOSE_AMOUNTS:
        values[f"dose.{amount}"] = form_text(form, f"dose.{amount}").strip()
    for locale in locales:
        for part in (*EXERCISE_LINES, *EXERCISE_LISTS):
            values[f"text.{locale}.{part}"] = form_text(form, f"text.{locale}.{part}")
    return values


def exercise_data(
    values: Mapping[str, Any], locales: Sequence[str], kept_text: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The ``ExerciseSchema`` input: numbers parsed, one list item per line, blank locales left out."""
    dose: dict[str, Any] = {amount: integer_or_text(values[f"dose.{amount}"]) for amount in DOSE_AMOUNTS}
    dose["per_side"] = values["dose.per_side"]
    frequency = {
        bound: number
        for bound in ("min", "max")
        if (number := integer_or_text(values[f"weekly_frequency.{bound}"])) is not None
    }
    text = {k: v for k, v in (kept_text or {}).items() if k not in locales}
    for locale in locales:
        block: dict[str, Any] = {part: values[f"text.{locale}.{part}"] for part in EXERCISE_LINES}
        block.update({part: text_lines(values[f"text.{locale}.{part}"]) for part in EXERCISE_LISTS})
        if any(block.values()):
            text[locale] = block
    return {
        "slug": values["slug"],
        "kind": values["kind"],
        "target_areas": values["target_areas"],
        "concepts": values["concepts"],
        "dose": dose,
        "weekly_frequency": frequency,
        "sources": key_list(values["sources"]),
        "text": text,
    }


class ExerciseEntity(CatalogEntity[Exercise]):
    """``/exercises``: an exercise may cite only sources that exist."""

    name, label, a_label, key_field, key_label = "exercise", "Exercise", "An exercise", "slug", "slug"
    transfer_kind = "exercises"
    model, fields, form_template = Exercise, EXERCISE_FIELDS, "exercise_form.html"
    schema = ExerciseSchema

    def find_row(self, session: Session, key: str) -> Exercise | None:
        return find_exercise(session, key)

    def list_rows(self) -> Sequence[Exercise]:
        return exercises_by_kind(get_session())

    def export_rows(self, session: Session) -> Sequence[Exercise]:
        return exercises_by_slug(session)

    def form_values(self, row: Exercise | None) -> FormValues:
        return exercise_values(row, offered_locales())

    def values_from_form(self, form: MultiDict[str, str]) -> FormValues:
        return exercise_values_from_form(form, offered_locales())

    def data_from_values(self, values: Mapping[str, Any], kept_text: Mapping[str, Any] | None) -> dict[str, Any]:
        return exercise_data(values, offered_locales(), kept_text)

    def upsert(self, session: Session, data: Mapping[str, Any], actor: str | None) -> tuple[Exercise, bool]:
        return upsert_exercise(session, data, actor)

    def reference_warnings(self, session: Session, catalog: Catalog) -> list[str]:
        known = known_source_keys(session)
        return [
            f"exercise {e.slug}: no source {k!r}"
            for e in catalog.exercises.values()
            for k in e.sources
            if k not in known
        ]

    # -- pages ------------------------------------------------------------------------------------------

    def listing(self) -> str:
        """Every exercise with its kind, target areas and how often."""
        listed = [{"row": row, "name": self.name_of(row)} for row in self.list_rows()]
        return render_template("shop_reco/admin/content/exercises.html", exercises=listed)

    def form_context(self, values: FormValues) -> dict[str, Any]:
        return {"kinds": vocabulary.EXERCISE_KINDS, "areas": vocabulary.AREAS}

    def more_errors(self, values: FormValues, loaded: dict[str, Any] | None, row: Exercise | None) -> FieldErrors:
        if loaded is None:
            return {}
        unknown = unknown_sources(loaded["sources"], row.sources if row else ())
        return {"sources": [f"no source with the key {', '.join(unknown)}"]} if unknown else {}


def unknown_sources(keys: list[str], already: Iterable[str] = ()) -> list[str]:
    """Newly cited source keys that no source has (keys the record already cited are left alone)."""
    new = [k for k in keys if k not in set(already)]
    if not new:
        return []
    known = known_source_keys(get_session(), new)
    return [k for k in new if k not in known]


ENTITY: Final = ExerciseEntity()
