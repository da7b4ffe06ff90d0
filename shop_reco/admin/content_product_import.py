"""Admin page for importing a product file: our JSON or CSV, or a Google Merchant Center feed.

The same readers and the same write path as ``flask shop-reco import-products``:
every row is validated and every treatment or cure claim found before anything
is written; one bad row (a feed item named by its ``g:id``) and nothing is
imported. Claims are imported only once the merchant ticks that the wording was
reviewed; pruning deactivates the products the file does not list.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, Final

from flask import Blueprint, flash, redirect, request, url_for

from shop_reco.admin.content import INVALID, commit_content, current_actor, offered_locales, render_form
from shop_reco.admin.content_forms import FORM_ERRORS, FieldErrors, FormValues
from shop_reco.admin.security import on_csrf_failure
from shop_reco.content_tagging import content_tagger
from shop_reco.importing.google_feed import MAX_FEED_BYTES, read_google_feed
from shop_reco.importing.products import MAX_PRODUCT_FILE_BYTES, ProductFile, ProductImportError, read_products
from shop_reco.state import get_session, get_state
from shop_reco.storage.content import import_products

if TYPE_CHECKING:
    from shop_reco.state import RecoState

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


def register(bp: Blueprint, state: RecoState) -> None:
    bp.add_url_rule("/products/import", "product_import", product_import, methods=["GET", "POST"])


@on_csrf_failure(lambda: _page(_values(), {}))
def product_import() -> Any:
    """Upload a product file or feed; import it all, or nothing with the reasons."""
    if request.method == "GET":
        return _page({"fmt": "auto", "locale": str(get_state().settings["SHOP_RECO_DEFAULT_LOCALE"])}, {})
    return _import()


def _values() -> FormValues:
    form = request.form
    return {
        "fmt": form.get("fmt", "auto"),
        "locale": form.get("locale", ""),
        "prune": form.get("prune") == "y",
        "allow_claims": form.get("allow_claims") == "y",
    }


def _page(values: FormValues, errors: FieldErrors, status: int = 200, **context: Any) -> Any:
    return render_form("product_import.html", values=values, errors=errors, status=status, **context)


def _import() -> Any:
    values = _values()
    errors: FieldErrors = {}
    if values["fmt"] not in PRODUCT_FORMATS:
        errors["fmt"] = [f"choose one of {', '.join(PRODUCT_FORMATS)}"]
    if values["locale"] not in offered_locales():
        errors["locale"] = [f"choose one of {', '.join(offered_locales())}"]
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        errors["file"] = ["Choose a product file (.json, .csv) or a Google feed (.xml, .tsv) to upload."]
    if errors or upload is None:
        return _page(values, errors, INVALID)
    name = PurePosixPath((upload.filename or "").replace("\\", "/")).name
    fmt = values["fmt"]
    if fmt == "auto":
        fmt = UPLOAD_FORMATS.get(PurePosixPath(name).suffix.lower(), "")
        if not fmt:
            errors["fmt"] = [f"{name}: choose the format (the file name does not say it)"]
            return _page(values, errors, INVALID)
    raw = upload.read((MAX_FEED_BYTES if fmt == "google" else MAX_PRODUCT_FILE_BYTES) + 1)
    try:
        parsed: ProductFile = (
            read_google_feed(raw, locale=values["locale"], tagger=content_tagger())
            if fmt == "google"
            else read_products(raw, fmt=fmt)
        )
    except ProductImportError as exc:
        problems = [f"{_where(e)}, {e['field']}: {e['message']}" for e in exc.errors]
        return _page(values, {FORM_ERRORS: problems}, INVALID, refused=name)
    if parsed.claims and not values["allow_claims"]:
        return _page(values, {}, INVALID, refused=name, claims=[str(c) for c in parsed.claims])
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
