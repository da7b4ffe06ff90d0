"""Admin pages for products and exercises: list, create and edit.

Product copy is checked for treatment and cure claims (``find_claims``); a
product whose copy makes one is saved only after the merchant ticks "I have
reviewed the wording". Every save is validated by the same schemas as the
data files and imports, and recorded as a revision by the storage layer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from shop_reco import vocabulary
from shop_reco.admin.content import (
    INVALID,
    commit_content,
    current_actor,
    edit_token,
    offered_locales,
    render_form,
    stale_message,
)
from shop_reco.admin.content_forms import (
    FORM_ERRORS,
    ExerciseSchema,
    FieldErrors,
    FormValues,
    ProductSchema,
    exercise_data,
    exercise_values,
    exercise_values_from_form,
    load_form,
    product_claims,
    product_data,
    product_values,
    product_values_from_form,
)
from shop_reco.admin.security import on_csrf_failure
from shop_reco.extension import get_session
from shop_reco.recommending.catalog import text_for
from shop_reco.storage.content import (
    EXERCISE_FIELDS,
    PRODUCT_FIELDS,
    snapshot_of,
    upsert_exercise,
    upsert_product,
)
from shop_reco.storage.models import Exercise, Product, Source

if TYPE_CHECKING:
    from shop_reco.extension import RecoState

CLAIMS_REVIEWED = "claims_reviewed"


def register(bp: Blueprint, state: RecoState) -> None:
    default_locale = str(state.settings["SHOP_RECO_DEFAULT_LOCALE"])

    @bp.get("/products")
    def products() -> str:
        """Every product with its name, price, availability and a flag on copy that makes claims."""
        query = request.args.get("q", "").strip()
        rows = get_session().scalars(select(Product).order_by(Product.sku)).all()
        locales = offered_locales()
        listed = []
        for row in rows:
            name = text_for(row.text, default_locale).get("name", row.sku)
            if query and query.casefold() not in f"{row.sku} {name}".casefold():
                continue
            claims = product_claims(product_values(row, locales), locales)
            phrases = sorted({phrase for found in claims.values() for phrase in found})
            listed.append({"row": row, "name": name, "claims": phrases})
        return render_template("shop_reco/admin/content/products.html", products=listed, query=query)

    @bp.route("/products/new", methods=["GET", "POST"])
    @on_csrf_failure(lambda: _product_page(product_values_from_form(request.form, offered_locales()), {}, None))
    def product_new() -> Any:
        locales = offered_locales()
        if request.method == "GET":
            return _product_page(product_values(None, locales), {}, None)
        return _save_product(product_values_from_form(request.form, locales), None)

    @bp.route("/products/<sku>/edit", methods=["GET", "POST"])
    @on_csrf_failure(_rerender_product)
    def product_edit(sku: str) -> Any:
        row = _one(Product, Product.sku == sku)
        locales = offered_locales()
        if request.method == "GET":
            return _product_page(product_values(row, locales), {}, row)
        return _save_product(product_values_from_form(request.form, locales), row)

    @bp.get("/exercises")
    def exercises() -> str:
        """Every exercise with its kind, target areas and how often."""
        rows = get_session().scalars(select(Exercise).order_by(Exercise.kind, Exercise.slug)).all()
        listed = [{"row": r, "name": text_for(r.text, default_locale).get("name", r.slug)} for r in rows]
        return render_template("shop_reco/admin/content/exercises.html", exercises=listed)

    @bp.route("/exercises/new", methods=["GET", "POST"])
    @on_csrf_failure(lambda: _exercise_page(exercise_values_from_form(request.form, offered_locales()), {}, None))
    def exercise_new() -> Any:
        locales = offered_locales()
        if request.method == "GET":
            return _exercise_page(exercise_values(None, locales), {}, None)
        return _save_exercise(exercise_values_from_form(request.form, locales), None)

    @bp.route("/exercises/<slug>/edit", methods=["GET", "POST"])
    @on_csrf_failure(_rerender_exercise)
    def exercise_edit(slug: str) -> Any:
        row = _one(Exercise, Exercise.slug == slug)
        locales = offered_locales()
        if request.method == "GET":
            return _exercise_page(exercise_values(row, locales), {}, row)
        return _save_exercise(exercise_values_from_form(request.form, locales), row)


def _rerender_product(sku: str) -> Any:
    """The product form as posted (after a stale CSRF token): nothing is written."""
    row = _one(Product, Product.sku == sku)
    values = product_values_from_form(request.form, offered_locales())
    return _product_page(values, {}, row, token=request.form.get("token"))


def _rerender_exercise(slug: str) -> Any:
    row = _one(Exercise, Exercise.slug == slug)
    values = exercise_values_from_form(request.form, offered_locales())
    return _exercise_page(values, {}, row, token=request.form.get("token"))


def _one(model: type[Any], where: Any) -> Any:
    row = get_session().scalars(select(model).where(where)).one_or_none()
    if row is None:
        abort(404)
    return row


# -- products -----------------------------------------------------------------------------------------


def _product_page(
    values: FormValues, errors: FieldErrors, row: Product | None, status: int = 200, token: str | None = None
) -> Any:
    locales = offered_locales()
    return render_form(
        "product_form.html",
        values=values,
        errors=errors,
        status=status,
        product=row,
        claims=product_claims(values, locales),
        token=token or (edit_token(snapshot_of(row, PRODUCT_FIELDS)) if row else ""),
    )


def _save_product(values: FormValues, row: Product | None) -> Any:
    session = get_session()
    locales = offered_locales()
    errors: FieldErrors = {}
    token = request.form.get("token", "")
    if row is None:
        if values["sku"] and session.scalars(select(Product.id).where(Product.sku == values["sku"])).first():
            errors["sku"] = [f"A product with the SKU {values['sku']!r} already exists; edit it instead."]
    else:
        values["sku"] = row.sku
        current = edit_token(snapshot_of(row, PRODUCT_FIELDS))
        if token != current:
            errors[FORM_ERRORS] = [stale_message("product")]
            token = current
    data = product_data(values, locales, row.text if row else None)
    loaded, schema_errors = load_form(ProductSchema(), data, values)
    for name, messages in schema_errors.items():
        errors.setdefault(name, []).extend(messages)
    if product_claims(values, locales) and CLAIMS_REVIEWED not in request.form:
        errors[CLAIMS_REVIEWED] = [
            "The copy says the product treats or cures. Reword it, or tick the box to confirm "
            "you have reviewed the wording."
        ]
    if errors or loaded is None:
        return _product_page(values, errors, row, INVALID, token)
    _, changed = upsert_product(session, loaded, current_actor())
    commit_content()
    flash(
        f"Product {loaded['sku']} {'saved' if changed else 'unchanged: nothing to save'}.",
        "success" if changed else "info",
    )
    return redirect(url_for(".product_edit", sku=loaded["sku"]))


# -- exercises ----------------------------------------------------------------------------------------


def _exercise_page(
    values: FormValues, errors: FieldErrors, row: Exercise | None, status: int = 200, token: str | None = None
) -> Any:
    return render_form(
        "exercise_form.html",
        values=values,
        errors=errors,
        status=status,
        exercise=row,
        kinds=vocabulary.EXERCISE_KINDS,
        areas=vocabulary.AREAS,
        token=token or (edit_token(snapshot_of(row, EXERCISE_FIELDS)) if row else ""),
    )


def _save_exercise(values: FormValues, row: Exercise | None) -> Response | Any:
    session = get_session()
    locales = offered_locales()
    errors: FieldErrors = {}
    token = request.form.get("token", "")
    if row is None:
        slug = values["slug"]
        if slug and session.scalars(select(Exercise.id).where(Exercise.slug == slug)).first():
            errors["slug"] = [f"An exercise with the slug {slug!r} already exists; edit it instead."]
    else:
        values["slug"] = row.slug
        current = edit_token(snapshot_of(row, EXERCISE_FIELDS))
        if token != current:
            errors[FORM_ERRORS] = [stale_message("exercise")]
            token = current
    data = exercise_data(values, locales, row.text if row else None)
    loaded, schema_errors = load_form(ExerciseSchema(), data, values)
    for name, messages in schema_errors.items():
        errors.setdefault(name, []).extend(messages)
    if loaded is not None:
        unknown = _unknown_sources(loaded["sources"], row.sources if row else ())
        if unknown:
            errors.setdefault("sources", []).append(f"no source with the key {', '.join(unknown)}")
    if errors or loaded is None:
        return _exercise_page(values, errors, row, INVALID, token)
    _, changed = upsert_exercise(session, loaded, current_actor())
    commit_content()
    flash(
        f"Exercise {loaded['slug']} {'saved' if changed else 'unchanged: nothing to save'}.",
        "success" if changed else "info",
    )
    return redirect(url_for(".exercise_edit", slug=loaded["slug"]))


def _unknown_sources(keys: list[str], already: Iterable[str] = ()) -> list[str]:
    """Newly cited source keys that no source has (keys the record already cited are left alone)."""
    new = [k for k in keys if k not in set(already)]
    if not new:
        return []
    known = set(get_session().scalars(select(Source.key).where(Source.key.in_(new))))
    return [k for k in new if k not in known]
