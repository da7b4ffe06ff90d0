"""Products: ``/products`` (list, create, edit, delete, deactivate, import a file), revisions, export.

Product copy is checked for treatment and cure claims (``find_claims``); a
product whose copy makes one is saved only after the merchant ticks "I have
reviewed the wording", in the form and in an imported file alike.
Deactivating retires a product without deleting it.

Importing a product file (our JSON or CSV, or a Google Merchant Center feed)
uses the same readers and the same write path as ``flask shop-reco
import-products``: every row is validated and every treatment or cure claim
found before anything is written; one bad row (a feed item named by its
``g:id``) and nothing is imported. Claims are imported only once the merchant
ticks that the wording was reviewed; pruning deactivates the products the file
does not list.

The form's values are flat, named by the schema's error paths, so an error
lands next to its input:

    >>> from shop_reco.admin.content_forms import load_form
    >>> values = {**product_values(None, ["en"]), "sku": "cushion", "price": "-3", "url": "/p/cushion",
    ...           "text.en.name": "Cushion"}
    >>> load_form(ProductSchema(), product_data(values, ["en"]), values)[1]
    {'price': ['must not be negative']}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any, Final

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from shop_reco.admin.catalog_pages import CatalogEntity
from shop_reco.admin.content import INVALID, commit_content, current_actor, offered_locales, render_form
from shop_reco.admin.content_forms import FORM_ERRORS, FieldErrors, FormValues, form_text
from shop_reco.admin.entity import Claim
from shop_reco.admin.security import on_csrf_failure
from shop_reco.content_tagging import content_tagger
from shop_reco.importing import find_claims
from shop_reco.importing.claims import product_text_claims
from shop_reco.importing.google_feed import MAX_FEED_BYTES, read_google_feed
from shop_reco.importing.products import MAX_PRODUCT_FILE_BYTES, ProductFile, ProductImportError, read_products
from shop_reco.importing.schemas import ProductSchema
from shop_reco.state import get_session, get_state
from shop_reco.storage.admin_queries import find_product, products_by_sku
from shop_reco.storage.content import PRODUCT_FIELDS, import_products, upsert_product
from shop_reco.storage.models import Product

#: The tick box that keeps copy reading as a treatment claim (the form's and the import's).
CLAIMS_REVIEWED: Final = "claims_reviewed"


# -- the form ---------------------------------------------------------------------------------------


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
    values: FormValues = {
        name: form_text(form, name).strip() for name in ("sku", "price", "currency", "url", "image_url")
    }
    values["in_stock"] = "in_stock" in form
    values["active"] = "active" in form
    values["concepts"] = form.getlist("concepts")
    for locale in locales:
        values[f"text.{locale}.name"] = form_text(form, f"text.{locale}.name")
        values[f"text.{locale}.description"] = form_text(form, f"text.{locale}.description")
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
        bp.add_url_rule("/products/import", "product_import", product_import, methods=["GET", "POST"])

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


# -- importing a product file -------------------------------------------------------------------------

#: The format a file's extension implies under "auto".
UPLOAD_FORMATS: Final = {
    ".json": "json",
    ".csv": "csv",
    ".xml": "google",
    ".rss": "google",
    ".atom": "google",
    ".tsv": "google",
    ".txt": "google",
}
PRODUCT_FORMATS: Final = ("auto", "json", "csv", "google")


@on_csrf_failure(lambda: _import_page(_import_values(), {}))
def product_import() -> Any:
    """Upload a product file or feed; import it all, or nothing with the reasons."""
    if request.method == "GET":
        return _import_page({"fmt": "auto", "locale": str(get_state().settings["SHOP_RECO_DEFAULT_LOCALE"])}, {})
    return _import_file()


def _import_values() -> FormValues:
    form = request.form
    return {
        "fmt": form.get("fmt", "auto"),
        "locale": form.get("locale", ""),
        "prune": form.get("prune") == "y",
        "allow_claims": form.get("allow_claims") == "y",
    }


def _import_page(values: FormValues, errors: FieldErrors, status: int = 200, **context: Any) -> Any:
    return render_form("product_import.html", values=values, errors=errors, status=status, **context)


def _import_file() -> Any:
    values = _import_values()
    errors: FieldErrors = {}
    if values["fmt"] not in PRODUCT_FORMATS:
        errors["fmt"] = [f"choose one of {', '.join(PRODUCT_FORMATS)}"]
    if values["locale"] not in offered_locales():
        errors["locale"] = [f"choose one of {', '.join(offered_locales())}"]
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        errors["file"] = ["Choose a product file (.json, .csv) or a Google feed (.xml, .tsv) to upload."]
    if errors or upload is None:
        return _import_page(values, errors, INVALID)
    name = PurePosixPath((upload.filename or "").replace("\\", "/")).name
    fmt = values["fmt"]
    if fmt == "auto":
        fmt = UPLOAD_FORMATS.get(PurePosixPath(name).suffix.lower(), "")
        if not fmt:
            errors["fmt"] = [f"{name}: choose the format (the file name does not say it)"]
            return _import_page(values, errors, INVALID)
    raw = upload.read((MAX_FEED_BYTES if fmt == "google" else MAX_PRODUCT_FILE_BYTES) + 1)
    try:
        parsed: ProductFile = (
            read_google_feed(raw, locale=values["locale"], tagger=content_tagger())
            if fmt == "google"
            else read_products(raw, fmt=fmt)
        )
    except ProductImportError as exc:
        problems = [f"{_where(e)}, {e['field']}: {e['message']}" for e in exc.errors]
        return _import_page(values, {FORM_ERRORS: problems}, INVALID, refused=name)
    if parsed.claims and not values["allow_claims"]:
        return _import_page(values, {}, INVALID, refused=name, claims=[str(c) for c in parsed.claims])
    done = import_products(
        get_session(), parsed.products, actor=current_actor(), merge_text=fmt == "google", prune=values["prune"]
    )
    commit_content()
    pruned = f"; {len(done.deactivated)} not in the file deactivated" if values["prune"] else ""
    flash(f"Imported {name}: {done.read} products read, {done.changed} created or updated{pruned}.", "success")
    return redirect(url_for(".products"))


def _where(error: dict[str, Any]) -> str:
    if "item" in error:
        return f"Item {error['item']} (#{error['line']})"
    return f"Line {error['line']}" if error["line"] else "The file"


ENTITY: Final = ProductEntity()
