"""The shared flow of catalogue entities (products, exercises): pages, rollback, usage, import/export.

Both kinds share :class:`CatalogEntity` and differ only where the kind does
(:mod:`shop_reco.admin.entities.products`, :mod:`~shop_reco.admin.entities.exercises`):
the form's fields, the extra checks, what the list shows. Every save is
validated by the same schemas as the data files and imports, carries a
fingerprint of the record as the form showed it (a save over someone else's
newer edit is shown again, not written), and is recorded as a revision by the
storage layer.

Deleting asks for confirmation on its own page and is refused while a rule
still names the item (:func:`shop_reco.storage.usage.usage_of`): the
merchant edits that rule first, or deactivates the product instead. A delete
is recorded with the record's last state, and moves the content revision like
every content write, so every worker stops answering with the item. A
rollback goes through the same check.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, ClassVar, Generic, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from shop_reco.admin.content import (
    INVALID,
    commit_content,
    current_actor,
    edit_token,
    record_change,
    render_form,
    stale_message,
)
from shop_reco.admin.content_forms import FORM_ERRORS, FieldErrors, FormValues, load_form
from shop_reco.admin.entity import AdminEntity, Problem, RollbackRefused, duplicate_problems, schema_records
from shop_reco.admin.security import on_csrf_failure
from shop_reco.recommending.catalog import text_for
from shop_reco.state import get_session, get_state
from shop_reco.storage.admin_queries import count_rows
from shop_reco.storage.content import snapshot_of
from shop_reco.storage.models import Exercise, Product
from shop_reco.storage.usage import Usage, usage_of

#: The delete page's tick box, and the value it posts.
CONFIRM, CONFIRMED = "confirm", "yes"
#: Status of a delete refused because rules still name the item (nothing is deleted).
IN_USE = 409

RowT = TypeVar("RowT", Product, Exercise)


class CatalogEntity(AdminEntity, Generic[RowT]):
    """One kind of catalogue item, with its pages under ``/<name>s``.

    Endpoints are ``<name>s`` (the list), ``<name>_new``, ``<name>_edit``
    and ``<name>_delete``; the URL names the item by ``key_field``. The
    name is also the revision's entity and the item type in rules.
    """

    a_label: ClassVar[str]  # "A product"
    key_field: ClassVar[str]  # "sku"
    key_label: ClassVar[str]  # "SKU"
    model: ClassVar[type[Any]]
    fields: ClassVar[tuple[str, ...]]  # what revisions record
    form_template: ClassVar[str]
    rolls_back = True

    @property
    def plural(self) -> str:
        return f"{self.name}s"

    # -- what differs by kind ---------------------------------------------------------------------------

    @abstractmethod
    def listing(self) -> str:
        """The list page."""

    @abstractmethod
    def find_row(self, session: Session, key: str) -> RowT | None:
        """The stored item with ``key``, or None."""

    @abstractmethod
    def export_rows(self, session: Session) -> Sequence[RowT]:
        """Every item, in the export file's order."""

    @abstractmethod
    def values_from_form(self, form: MultiDict[str, str]) -> FormValues:
        """The form as posted."""

    @abstractmethod
    def data_from_values(self, values: Mapping[str, Any], kept_text: Mapping[str, Any] | None) -> dict[str, Any]:
        """The form's values in the schema's shape, keeping the text of locales the shop no longer offers."""

    def form_data(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return self.data_from_values(values, None)

    def form_context(self, values: FormValues) -> dict[str, Any]:
        """What else the form template shows."""
        return {}

    def more_errors(self, values: FormValues, loaded: dict[str, Any] | None, row: RowT | None) -> FieldErrors:
        """Problems the schema cannot see, by field."""
        return {}

    def deactivate_url(self, row: RowT) -> str | None:
        """Where the delete page offers to retire the item without deleting it (None: no such offer)."""
        return None

    # -- revisions, usage, import and export ----------------------------------------------------------

    def current_state(self, key: str) -> dict[str, Any] | None:
        row = self.find_row(get_session(), key)
        return snapshot_of(row, self.fields) if row is not None else None

    def write_state(self, key: str, state: dict[str, Any] | None) -> None:
        """Write ``state`` as a rollback; an item a rule still names is not deleted."""
        session = get_session()
        row = self.find_row(session, key)
        before = snapshot_of(row, self.fields) if row is not None else None
        if state is None:
            if row is None:
                return
            usage = self.usage(key)
            if usage.blocks_delete:
                names = ", ".join(f"“{r.name}”" for r in usage.rules)
                raise RollbackRefused(f"This would delete {self.name} {key}, which rules still use: {names}.")
            session.delete(row)
        else:
            values = {f: state[f] for f in self.fields if f in state}
            if "price" in values:
                values["price"] = Decimal(str(values["price"]))
            if row is None:
                row = self.model(**{self.key_field: key})
                session.add(row)
            for name, value in values.items():
                setattr(row, name, value)
            session.flush()
        after = snapshot_of(row, self.fields) if state is not None else None
        record_change(self.name, key, "rollback", before, after)

    def usage(self, key: str) -> Usage:
        return usage_of(get_session(), self.name, key)

    def export(self, session: Session) -> list[dict[str, Any]]:
        return [
            {self.key_field: self.key_of(row), **snapshot_of(row, self.fields)} for row in self.export_rows(session)
        ]

    def count(self, session: Session) -> int:
        return count_rows(session, self.model)

    def load_records(self, items: list[Any], locales: Sequence[str], problems: list[Problem]) -> list[Any]:
        assert self.schema is not None and self.transfer_kind is not None
        records = schema_records(self.transfer_kind, items, self.schema(), problems)
        entries = [(i, (r[self.key_field],), str(r[self.key_field])) for i, r in enumerate(records)]
        duplicate_problems(self.transfer_kind, entries, self.key_field, problems)
        return records

    def import_records(self, session: Session, records: Sequence[Any], actor: str | None) -> int:
        return sum(self.upsert(session, data, actor)[1] for data in records)

    # -- the pages ----------------------------------------------------------------------------------------

    def register_pages(self, bp: Blueprint) -> None:
        base, both = f"/{self.plural}", ["GET", "POST"]

        def listing() -> str:
            return self.listing()

        @on_csrf_failure(lambda: self.page(self.values_from_form(request.form), {}, None))
        def new() -> Any:
            if request.method == "GET":
                return self.page(self.form_values(None), {}, None)
            return self.save(self.values_from_form(request.form), None)

        @on_csrf_failure(self.rerender)
        def edit(**view_args: str) -> Any:
            row = self.find(view_args[self.key_field])
            if request.method == "GET":
                return self.page(self.form_values(row), {}, row)
            return self.save(self.values_from_form(request.form), row)

        def delete(**view_args: str) -> Any:
            return self.delete(self.find(view_args[self.key_field]))

        bp.add_url_rule(base, self.plural, listing)
        bp.add_url_rule(f"{base}/new", f"{self.name}_new", new, methods=both)
        bp.add_url_rule(f"{base}/<{self.key_field}>/edit", f"{self.name}_edit", edit, methods=both)
        bp.add_url_rule(f"{base}/<{self.key_field}>/delete", f"{self.name}_delete", delete, methods=both)

    def url(self, page: str, key: str) -> str:
        """The URL of the item's ``page`` ("edit", "delete")."""
        where: dict[str, Any] = {self.key_field: key}
        return url_for(f".{self.name}_{page}", **where)

    def key_of(self, row: RowT) -> str:
        return str(getattr(row, self.key_field))

    def name_of(self, row: RowT) -> str:
        default_locale = str(get_state().settings["SHOP_RECO_DEFAULT_LOCALE"])
        return str(text_for(row.text, default_locale).get("name") or self.key_of(row))

    def find(self, key: str) -> RowT:
        row = self.find_row(get_session(), key)
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
            **{self.name: row},
            **self.form_context(values),
        )

    def rerender(self, **view_args: str) -> Any:
        """The edit form as posted (after a stale CSRF token): nothing is written."""
        row = self.find(view_args[self.key_field])
        values = self.values_from_form(request.form)
        return self.page(values, {}, row, token=request.form.get("token"))

    def save(self, values: FormValues, row: RowT | None) -> Any:
        session = get_session()
        errors: FieldErrors = {}
        token = request.form.get("token", "")
        if row is None:
            key = values[self.key_field]
            if key and self.find_row(session, key) is not None:
                errors[self.key_field] = [
                    f"{self.a_label} with the {self.key_label} {key!r} already exists; edit it instead."
                ]
        else:
            values[self.key_field] = self.key_of(row)
            current = self.token_of(row)
            if token != current:
                errors[FORM_ERRORS] = [stale_message(self.name)]
                token = current
        data = self.data_from_values(values, row.text if row is not None else None)
        assert self.schema is not None
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
        usage = self.usage(key)
        if request.method == "GET":
            return self.delete_page(row, usage, {})
        if usage.blocks_delete:
            return self.delete_page(row, usage, {}, status=IN_USE, refused=True)
        if request.form.get(CONFIRM) != CONFIRMED:
            errors = {CONFIRM: [f"Tick “Yes, delete this {self.name}” to delete it."]}
            return self.delete_page(row, usage, errors, status=INVALID)
        before = snapshot_of(row, self.fields)
        get_session().delete(row)
        record_change(self.name, key, "delete", before, None)
        commit_content()
        flash(f"{self.label} {key} deleted. Its last version is kept in Revisions.", "success")
        return redirect(url_for(f".{self.plural}"))

    def delete_page(
        self, row: RowT, usage: Usage, errors: FieldErrors, status: int = 200, refused: bool = False
    ) -> tuple[str, int]:
        key = self.key_of(row)
        page = render_template(
            "shop_reco/admin/content/delete.html",
            entity=self.name,
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
