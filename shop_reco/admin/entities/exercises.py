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
    ExerciseSchema,
    FieldErrors,
    FormValues,
    exercise_data,
    exercise_values,
    exercise_values_from_form,
)
from shop_reco.recommending import Catalog
from shop_reco.state import get_session
from shop_reco.storage.admin_queries import exercises_by_kind, exercises_by_slug, find_exercise, known_source_keys
from shop_reco.storage.content import EXERCISE_FIELDS, upsert_exercise
from shop_reco.storage.models import Exercise


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
