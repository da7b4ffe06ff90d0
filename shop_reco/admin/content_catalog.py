"""Admin pages for products and exercises: list, create, edit and delete.

Both kinds share one flow, :class:`CatalogPages`, and differ only where the
kind does (:class:`ProductPages`, :class:`ExercisePages`): the form's fields,
the extra checks, what the list shows. Every save is validated by the same
schemas as the data files and imports, carries a fingerprint of the record as
the form showed it (a save over someone else's newer edit is shown again, not
written), and is recorded as a revision by the storage layer.

Product copy is checked for treatment and cure claims (``find_claims``); a
product whose copy makes one is saved only after the merchant ticks "I have
reviewed the wording". An exercise may only cite sources that exist.

Deleting asks for confirmation on its own page and is refused while a rule
still names the item (``content_usage``): the merchant edits that rule first,
or deactivates the product instead. A delete is recorded with the record's
last state, and moves the content revision like every content write, so
every worker stops answering with the item.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from marshmallow import Schema
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from shop_reco import vocabulary
from shop_reco.admin.content import (
    INVALID,
    commit_content,
    current_actor,
    edit_token,
    offered_locales,
    record_change,
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
from shop_reco.admin.content_usage import Usage, usage_of
from shop_reco.admin.security import on_csrf_failure
from shop_reco.recommending.catalog import text_for
from shop_reco.state import get_session
from shop_reco.storage.content import (
    EXERCISE_FIELDS,
    PRODUCT_FIELDS,
    snapshot_of,
    upsert_exercise,
    upsert_product,
)
from shop_reco.storage.models import Exercise, Product, Source

if TYPE_CHECKING:
    from shop_reco.state import RecoState

CLAIMS_REVIEWED = "claims_reviewed"
#: The delete page's tick box, and the value it posts.
CONFIRM, CONFIRMED = "confirm", "yes"
#: Status of a delete refused because rules still name the item (nothing is deleted).
IN_USE = 409

RowT = TypeVar("RowT", Product, Exercise)


def register(bp: Blueprint, state: RecoState) -> None:
    default_locale = str(state.settings["SHOP_RECO_DEFAULT_LOCALE"])
    ProductPages(default_locale).register(bp)
    ExercisePages(default_locale).register(bp)


class CatalogPages(ABC, Generic[RowT]):
    """The pages of one kind of catalogue item, under ``/<entity>s``.

    Endpoints are ``<entity>s`` (the list), ``<entity>_new``, ``<entity>_edit``
    and ``<entity>_delete``; the URL names the item by ``key_field``. The
    entity is also the revision's entity and the item type in rules.
    """

    entity: str  # "product"
    label: str  # "Product", at the start of a message
    a_label: str  # "A product"
    key_field: str  # "sku"
    key_label: str  # "SKU"
    model: type[RowT]
    fields: tuple[str, ...]  # what revisions record
    form_template: str

    def __init__(self, default_locale: str) -> None:
        self.default_locale = default_locale
        self.plural = f"{self.entity}s"

    # -- what differs by kind ---------------------------------------------------------------------------

    @abstractmethod
    def listing(self) -> str:
        """The list page."""

    #: The form's values for a stored row (or a new item), and as posted.
    values: Callable[[RowT | None, Sequence[str]], FormValues]
    values_from_form: Callable[[MultiDict[str, str], Sequence[str]], FormValues]
    #: The form's values in the schema's shape, keeping the text of locales the shop no longer offers.
    to_data: Callable[[FormValues, Sequence[str], Mapping[str, Any] | None], dict[str, Any]]
    schema: Callable[[], Schema]
    upsert: Callable[[Session, Mapping[str, Any], str | None], tuple[RowT, bool]]

    def form_context(self, values: FormValues) -> dict[str, Any]:
        """What else the form template shows."""
        return {}

    def more_errors(self, values: FormValues, loaded: dict[str, Any] | None, row: RowT | None) -> FieldErrors:
        """Problems the schema cannot see, by field."""
        return {}

    def deactivate_url(self, row: RowT) -> str | None:
        """Where the delete page offers to retire the item without deleting it (None: no such offer)."""
        return None

    # -- the shared flow --------------------------------------------------------------------------------

    def register(self, bp: Blueprint) -> None:
        base, both = f"/{self.plural}", ["GET", "POST"]

        def listing() -> str:
            return self.listing()

        @on_csrf_failure(lambda: self.page(self.values_from_form(request.form, offered_locales()), {}, None))
        def new() -> Any:
            if request.method == "GET":
                return self.page(self.values(None, offered_locales()), {}, None)
            return self.save(self.values_from_form(request.form, offered_locales()), None)

        @on_csrf_failure(self.rerender)
        def edit(**view_args: str) -> Any:
            row = self.find(view_args[self.key_field])
            if request.method == "GET":
                return self.page(self.values(row, offered_locales()), {}, row)
            return self.save(self.values_from_form(request.form, offered_locales()), row)

        def delete(**view_args: str) -> Any:
            return self.delete(self.find(view_args[self.key_field]))

        bp.add_url_rule(base, self.plural, listing)
        bp.add_url_rule(f"{base}/new", f"{self.entity}_new", new, methods=both)
        bp.add_url_rule(f"{base}/<{self.key_field}>/edit", f"{self.entity}_edit", edit, methods=both)
        bp.add_url_rule(f"{base}/<{self.key_field}>/delete", f"{self.entity}_delete", delete, methods=both)

    def url(self, page: str, key: str) -> str:
        """The URL of the item's ``page`` ("edit", "delete")."""
        where: dict[str, Any] = {self.key_field: key}
        return url_for(f".{self.entity}_{page}", **where)

    def key_of(self, row: RowT) -> str:
        return str(getattr(row, self.key_field))

    def name_of(self, row: RowT) -> str:
        return str(text_for(row.text, self.default_locale).get("name") or self.key_of(row))

    def find(self, key: str) -> RowT:
        column = getattr(self.model, self.key_field)
        row = get_session().scalars(select(self.model).where(column == key)).one_or_none()
        if row is None:
            abort(404)
        return row

    def token_of(self, row: RowT) -> str:
        return edit_token(snapshot_of(row, self.fields))

    def page(
        self, values: FormValues, errors: FieldErrors, row: RowT | None, status: int = 200, token: str | None = None
    ) -> Any:
        return render_form(
            self.form_template,
            values=values,
            errors=errors,
            status=status,
            token=token or (self.token_of(row) if row is not None else ""),
            **{self.entity: row},
            **self.form_context(values),
        )

    def rerender(self, **view_args: str) -> Any:
        """The edit form as posted (after a stale CSRF token): nothing is written."""
        row = self.find(view_args[self.key_field])
        values = self.values_from_form(request.form, offered_locales())
        return self.page(values, {}, row, token=request.form.get("token"))

    def save(self, values: FormValues, row: RowT | None) -> Any:
        session = get_session()
        locales = offered_locales()
        errors: FieldErrors = {}
        token = request.form.get("token", "")
        if row is None:
            key = values[self.key_field]
            column = getattr(self.model, self.key_field)
            if key and session.scalars(select(self.model.id).where(column == key)).first():
                errors[self.key_field] = [
                    f"{self.a_label} with the {self.key_label} {key!r} already exists; edit it instead."
                ]
        else:
            values[self.key_field] = self.key_of(row)
            current = self.token_of(row)
            if token != current:
                errors[FORM_ERRORS] = [stale_message(self.entity)]
                token = current
        data = self.to_data(values, locales, row.text if row is not None else None)
        loaded, schema_errors = load_form(self.schema(), data, values)
        for found in (schema_errors, self.more_errors(values, loaded, row)):
            for name, messages in found.items():
                errors.setdefault(name, []).extend(messages)
        if errors or loaded is None:
            return self.page(values, errors, row, INVALID, token)
        _, changed = self.upsert(session, loaded, current_actor())
        commit_content()
        key = loaded[self.key_field]
        flash(
            f"{self.label} {key} {'saved' if changed else 'unchanged: nothing to save'}.",
            "success" if changed else "info",
        )
        return redirect(self.url("edit", key))

    def delete(self, row: RowT) -> Any:
        """GET: the confirmation page. POST: delete, unless a rule names the item or the box is unticked."""
        key = self.key_of(row)
        usage = usage_of(get_session(), self.entity, key)
        if request.method == "GET":
            return self.delete_page(row, usage, {})
        if usage.blocks_delete:
            return self.delete_page(row, usage, {}, status=IN_USE, refused=True)
        if request.form.get(CONFIRM) != CONFIRMED:
            errors = {CONFIRM: [f"Tick “Yes, delete this {self.entity}” to delete it."]}
            return self.delete_page(row, usage, errors, status=INVALID)
        before = snapshot_of(row, self.fields)
        get_session().delete(row)
        record_change(self.entity, key, "delete", before, None)
        commit_content()
        flash(f"{self.label} {key} deleted. Its last version is kept in Revisions.", "success")
        return redirect(url_for(f".{self.plural}"))

    def delete_page(
        self, row: RowT, usage: Usage, errors: FieldErrors, status: int = 200, refused: bool = False
    ) -> tuple[str, int]:
        key = self.key_of(row)
        page = render_template(
            "shop_reco/admin/content/delete.html",
            entity=self.entity,
            plural=self.plural,
            name=self.name_of(row),
            key=key,
            key_label=self.key_label,
            usage=usage,
            errors=errors,
            refused=refused,
            inactive=getattr(row, "active", True) is False,
            delete_url=self.url("delete", key),
            edit_url=self.url("edit", key),
            deactivate_url=self.deactivate_url(row),
        )
        return page, status


class ProductPages(CatalogPages[Product]):
    """``/products``: copy that reads as a treatment claim needs a review tick; deactivating retires one."""

    entity, label, a_label, key_field, key_label = "product", "Product", "A product", "sku", "SKU"
    model, fields, form_template = Product, PRODUCT_FIELDS, "product_form.html"
    values, values_from_form = staticmethod(product_values), staticmethod(product_values_from_form)
    to_data, schema, upsert = staticmethod(product_data), ProductSchema, staticmethod(upsert_product)

    def register(self, bp: Blueprint) -> None:
        super().register(bp)
        bp.add_url_rule("/products/<sku>/deactivate", "product_deactivate", self.deactivate, methods=["POST"])

    def listing(self) -> str:
        """Every product with its name, price, availability and a flag on copy that makes claims."""
        query = request.args.get("q", "").strip()
        rows = get_session().scalars(select(Product).order_by(Product.sku)).all()
        locales = offered_locales()
        listed = []
        for row in rows:
            name = self.name_of(row)
            if query and query.casefold() not in f"{row.sku} {name}".casefold():
                continue
            claims = product_claims(product_values(row, locales), locales)
            phrases = sorted({phrase for found in claims.values() for phrase in found})
            listed.append({"row": row, "name": name, "claims": phrases})
        return render_template("shop_reco/admin/content/products.html", products=listed, query=query)

    def form_context(self, values: FormValues) -> dict[str, Any]:
        return {"claims": product_claims(values, offered_locales())}

    def more_errors(self, values: FormValues, loaded: dict[str, Any] | None, row: Product | None) -> FieldErrors:
        if product_claims(values, offered_locales()) and CLAIMS_REVIEWED not in request.form:
            return {
                CLAIMS_REVIEWED: [
                    "The copy says the product treats or cures. Reword it, or tick the box to confirm "
                    "you have reviewed the wording."
                ]
            }
        return {}

    def deactivate_url(self, row: Product) -> str | None:
        return url_for(".product_deactivate", sku=row.sku) if row.active else None

    def deactivate(self, sku: str) -> Any:
        """Retire a product without deleting it: it stays in the catalogue, and rules that name it skip it."""
        self.find(sku)
        _, changed = upsert_product(get_session(), {"sku": sku, "active": False}, current_actor())
        commit_content()
        if changed:
            flash(
                f"Product {sku} deactivated: it is no longer recommended, and rules that name it skip it. "
                "Tick “Active” below to bring it back.",
                "success",
            )
        else:
            flash(f"Product {sku} was already inactive.", "info")
        return redirect(url_for(".product_edit", sku=sku))


class ExercisePages(CatalogPages[Exercise]):
    """``/exercises``: an exercise may cite only sources that exist."""

    entity, label, a_label, key_field, key_label = "exercise", "Exercise", "An exercise", "slug", "slug"
    model, fields, form_template = Exercise, EXERCISE_FIELDS, "exercise_form.html"
    values, values_from_form = staticmethod(exercise_values), staticmethod(exercise_values_from_form)
    to_data, schema, upsert = staticmethod(exercise_data), ExerciseSchema, staticmethod(upsert_exercise)

    def listing(self) -> str:
        """Every exercise with its kind, target areas and how often."""
        rows = get_session().scalars(select(Exercise).order_by(Exercise.kind, Exercise.slug)).all()
        listed = [{"row": row, "name": self.name_of(row)} for row in rows]
        return render_template("shop_reco/admin/content/exercises.html", exercises=listed)

    def form_context(self, values: FormValues) -> dict[str, Any]:
        return {"kinds": vocabulary.EXERCISE_KINDS, "areas": vocabulary.AREAS}

    def more_errors(self, values: FormValues, loaded: dict[str, Any] | None, row: Exercise | None) -> FieldErrors:
        if loaded is None:
            return {}
        unknown = _unknown_sources(loaded["sources"], row.sources if row else ())
        return {"sources": [f"no source with the key {', '.join(unknown)}"]} if unknown else {}


def _unknown_sources(keys: list[str], already: Iterable[str] = ()) -> list[str]:
    """Newly cited source keys that no source has (keys the record already cited are left alone)."""
    new = [k for k in keys if k not in set(already)]
    if not new:
        return []
    known = set(get_session().scalars(select(Source.key).where(Source.key.in_(new))))
    return [k for k in new if k not in known]
