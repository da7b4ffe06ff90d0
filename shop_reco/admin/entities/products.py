"""Products: ``/products`` (list, create, edit, delete, deactivate), their revisions and their export.

Product copy is checked for treatment and cure claims (``find_claims``); a
product whose copy makes one is saved only after the merchant ticks "I have
reviewed the wording", in the form and in an imported file alike.
Deactivating retires a product without deleting it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from shop_reco.admin.catalog_pages import CatalogEntity
from shop_reco.admin.content import commit_content, current_actor, offered_locales
from shop_reco.admin.content_forms import (
    FieldErrors,
    FormValues,
    ProductSchema,
    product_claims,
    product_data,
    product_values,
    product_values_from_form,
)
from shop_reco.admin.entity import Claim
from shop_reco.importing.claims import product_text_claims
from shop_reco.state import get_session
from shop_reco.storage.admin_queries import find_product, products_by_sku
from shop_reco.storage.content import PRODUCT_FIELDS, upsert_product
from shop_reco.storage.models import Product

#: The tick box that keeps copy reading as a treatment claim (the form's and the import's).
CLAIMS_REVIEWED: Final = "claims_reviewed"


class ProductEntity(CatalogEntity[Product]):
    """``/products``: copy that reads as a treatment claim needs a review tick; deactivating retires one."""

    name, label, a_label, key_field, key_label = "product", "Product", "A product", "sku", "SKU"
    transfer_kind = "products"
    model, fields, form_template = Product, PRODUCT_FIELDS, "product_form.html"
    schema = ProductSchema

    def find_row(self, session: Session, key: str) -> Product | None:
        return find_product(session, key)

    def list_rows(self) -> Sequence[Product]:
        return products_by_sku(get_session())

    def export_rows(self, session: Session) -> Sequence[Product]:
        return products_by_sku(session)

    def form_values(self, row: Product | None) -> FormValues:
        return product_values(row, offered_locales())

    def values_from_form(self, form: MultiDict[str, str]) -> FormValues:
        return product_values_from_form(form, offered_locales())

    def data_from_values(self, values: Mapping[str, Any], kept_text: Mapping[str, Any] | None) -> dict[str, Any]:
        return product_data(values, offered_locales(), kept_text)

    def upsert(self, session: Session, data: Mapping[str, Any], actor: str | None) -> tuple[Product, bool]:
        return upsert_product(session, data, actor)

    def import_claims(self, records: Sequence[Any]) -> list[Claim]:
        """The same check as the product form, so an import cannot bring in wording the form would stop."""
        return [
            Claim(f"products[{i}].{name}", product["sku"], tuple(phrases))
            for i, product in enumerate(records)
            for name, phrases in product_text_claims(product["text"]).items()
        ]

    # -- pages ------------------------------------------------------------------------------------------

    def register_pages(self, bp: Blueprint) -> None:
        super().register_pages(bp)
        bp.add_url_rule("/products/<sku>/deactivate", "product_deactivate", self.deactivate, methods=["POST"])

    def listing(self) -> str:
        """Every product with its name, price, availability and a flag on copy that makes claims."""
        query = request.args.get("q", "").strip()
        locales = offered_locales()
        listed = []
        for row in self.list_rows():
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


ENTITY: Final = ProductEntity()
