"""Widget routes: the embed script, UI text, HTML fragments, iframe pages and the no-JS finder."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, jsonify, render_template, request
from markupsafe import Markup
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import RequestEntityTooLarge

from shop_reco.answering.answers import answer_description
from shop_reco.answering.outage import database_not_ready, database_unavailable
from shop_reco.answering.payloads import answer_payload
from shop_reco.answering.snapshot import current_snapshot
from shop_reco.resources import resource_dir
from shop_reco.storage.database import (
    RETRY_AFTER_SECONDS,
    DatabaseNotReady,
    DatabaseUnavailable,
    database_unreachable,
    schema_missing,
)
from shop_reco.web.conditional import conditional_get
from shop_reco.web.rate_limits import RateLimited, rate_limited
from shop_reco.web.request_checks import body_cut_at_limit, valid_path_key
from shop_reco.widgets import policies
from shop_reco.widgets.rendering import (
    FinderForm,
    article_for,
    asset_urls,
    pairings_for,
    render_article,
    render_finder,
    render_pairings,
    widget_locale,
)
from shop_reco.widgets.screen_form import screen_form
from shop_reco.widgets.strings import body_map, ui_text

if TYPE_CHECKING:
    from shop_reco.state import RecoState

EMBED_TEMPLATE = "shop_reco/widgets/embed.html"


#: Rendered product/article widget pages kept per revision and process (then cleared).
MAX_RENDERED_PAGES = 2048
_UNRENDERED = object()


def _html(body: str, status: int = 200) -> Response:
    return Response(body, status=status, mimetype="text/html")


def _nothing() -> Response:
    """An unknown SKU or slug: a 404 with an empty body, so an include shows no box."""
    response = _html("", 404)
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


def register_routes(bp: Blueprint, state: RecoState) -> None:
    """Every widget route on ``bp``; settings are read once, at registration."""
    settings = state.settings
    freshness = policies.widget_freshness(settings["SHOP_RECO_WIDGET_MAX_AGE"])
    max_chars = settings["SHOP_RECO_MAX_DESCRIPTION_CHARS"]
    visitor_storage = bool(settings["SHOP_RECO_WIDGET_VISITOR_STORAGE"])
    embed_csp = policies.embed_csp(state)
    # One budget with POST /recommendations: a client cannot triple it by switching forms.
    limit = rate_limited("answers", methods=["POST"])
    static_dir = resource_dir("templates") / "shop_reco" / "static"

    @bp.get("/widget.js")
    def script() -> Response:
        """The embed script: ``<script src=".../reco/widget.js" defer>`` and ``<div data-shop-reco>``."""
        source = (static_dir / "widget.js").read_bytes()
        response = Response(source, mimetype="text/javascript")
        response.set_etag(hashlib.sha256(source).hexdigest()[:24])
        swr = policies.STALE_WHILE_REVALIDATE
        response.headers["Cache-Control"] = f"public, max-age=300, stale-while-revalidate={swr}"
        response.make_conditional(request)
        return response

    @bp.get("/widgets/ui.json")
    def ui_json() -> Response:
        """Every UI string, chip and body-map shape of one locale, for the script."""
        locale = widget_locale(request.args.get("locale"))
        etag = policies.widget_etag("ui", f"{max_chars}-{int(visitor_storage)}", locale, 0)

        def build() -> Response:
            payload = {
                "locale": locale,
                **ui_text(locale).as_dict(),
                "body_map": body_map(),
                "max_chars": max_chars,
                "visitor_storage": visitor_storage,
            }
            return jsonify(payload)

        return conditional_get(etag, build, freshness)

    def answer_form(locale: str, embed: bool) -> tuple[str, int]:
        """Answer a posted form (or show an empty one) as finder HTML and a status."""
        ui = ui_text(locale)
        assets = not embed  # iframe pages link them in <head>; the result page's layout may be the host's
        if request.method != "POST":
            return render_finder(locale, embed=embed, include_assets=assets), 200
        form = FinderForm.from_request(ui).validated(ui, max_chars)
        if body_cut_at_limit():  # a chunked post cut at the limit: "too long", not a shortened text
            raise RequestEntityTooLarge()
        if form.errors:
            return render_finder(locale, form=form, embed=embed, include_assets=assets), 400
        screen = screen_form(request.form)
        answer = answer_description(form.composed(locale), locale=locale, source="widget", screening=screen.answers)
        result = answer_payload(
            answer,
            cart_template=settings["SHOP_RECO_CART_URL_TEMPLATE"],
            article_template=settings["SHOP_RECO_ARTICLE_URL_TEMPLATE"],
            contacts=settings["SHOP_RECO_URGENT_CONTACTS"],
        )
        notice = ui["screen_pick"] if screen.unanswered else None
        return render_finder(locale, form=form, result=result, embed=embed, include_assets=assets, notice=notice), 200

    def page(template: str, locale: str, widget: str, status: int, csp: str, **context: Any) -> Response:
        body = render_template(
            template, widget=Markup(widget), locale=locale, ui=ui_text(locale), assets=asset_urls(), **context
        )
        response = _html(body, status)
        response.headers["Content-Security-Policy"] = csp
        return response

    @bp.route("/widgets/finder", methods=["GET", "POST"])
    @limit
    def finder_page() -> Response:
        """The finder without JavaScript: the form posts here and the answer is rendered on the server."""
        locale = widget_locale(request.values.get("locale"))
        widget, status = answer_form(locale, embed=False)
        response = page(
            settings["SHOP_RECO_WIDGET_PAGE_TEMPLATE"],
            locale,
            widget,
            status,
            settings["SHOP_RECO_WIDGET_PAGE_CSP"],
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    def finder_again(message: str, status: int, *, readable: bool = True) -> Response:
        """The finder once more, with the shopper's text and ``message`` (a ``ui`` key) above it.

        ``readable=False``: the body could not be read (too large), so the form starts empty.
        """
        locale = widget_locale((request.values if readable else request.args).get("locale"))
        ui = ui_text(locale)
        embed = request.endpoint == f"{bp.name}.embed_finder"
        if readable:
            form = replace(FinderForm.from_request(ui), errors=(ui[message],))
        else:
            form = FinderForm(errors=(ui.t(message, max=max_chars),))
        widget = render_finder(locale, form=form, embed=embed, include_assets=not embed)
        if embed:
            response = page(EMBED_TEMPLATE, locale, widget, status, embed_csp, kind="finder")
        else:
            template = settings["SHOP_RECO_WIDGET_PAGE_TEMPLATE"]
            response = page(template, locale, widget, status, settings["SHOP_RECO_WIDGET_PAGE_CSP"])
        response.headers["Cache-Control"] = "no-store"
        return response

    @bp.errorhandler(429)
    def too_many_posts(exc: Exception) -> Response:
        """Too many finder posts: the form again, with the shopper's text and a calm message."""
        response = finder_again("error_rate_limited", 429)
        if isinstance(exc, RateLimited):
            response.headers.update(exc.refusal.headers())
        else:
            response.headers["Retry-After"] = "60"
        return response

    @bp.errorhandler(413)
    def too_large(_exc: Exception) -> Response:
        """A finder post over SHOP_RECO_MAX_BODY_BYTES: the form again, saying how long a description may be."""
        return finder_again("error_too_long", 413, readable=False)

    @bp.errorhandler(DatabaseNotReady)
    @bp.errorhandler(DatabaseUnavailable)
    def not_ready(exc: Exception) -> Response:
        """No tables yet, or no database (logged once): the finder keeps the text, other widgets show no box."""
        if request.endpoint in (f"{bp.name}.finder_page", f"{bp.name}.embed_finder"):
            response = finder_again("error_unavailable", 503)
        else:
            response = _html("", 503)
            response.headers["Cache-Control"] = "no-store"
            if request.endpoint and request.endpoint.startswith(f"{bp.name}.embed_"):
                response.headers["Content-Security-Policy"] = embed_csp
        if isinstance(exc, DatabaseUnavailable):
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @bp.errorhandler(DBAPIError)
    def database_error(exc: DBAPIError) -> Response:
        """A query past the snapshot's check met the outage or a missing table: the same 503 as above."""
        if schema_missing(exc):
            return not_ready(database_not_ready(exc))
        if database_unreachable(exc):
            return not_ready(database_unavailable(exc))
        raise exc

    @bp.route("/embed/finder", methods=["GET", "POST"])
    @limit
    def embed_finder() -> Response:
        """The finder as an iframe page."""
        locale = widget_locale(request.values.get("locale"))
        widget, status = answer_form(locale, embed=True)
        response = page(EMBED_TEMPLATE, locale, widget, status, embed_csp, kind="finder")
        response.headers["Cache-Control"] = "no-store"
        return response

    def cached_widget(kind: str, key: str, build: Any) -> Response:
        """A product or article widget: 304 for a fresh ETag, else the page, rendered once per revision.

        Rendered pages are kept on the compiled rules of the revision they show (a content
        edit starts afresh), as bytes and headers: each request gets a new Response.
        """
        if not valid_path_key(key):  # no catalogue holds it: not found, before any query
            return _nothing()
        snapshot = current_snapshot()
        locale = widget_locale(request.args.get("locale"))
        etag = policies.widget_etag(kind, key, locale, snapshot.revision)

        def rendered_page() -> Response:
            rendered: dict[tuple[str | None, str, str], Any] = snapshot.compiled.memo(("widget_pages",), dict)
            page_key = (request.endpoint, key, locale)
            kept = rendered.get(page_key, _UNRENDERED)
            if kept is _UNRENDERED:
                built = build(locale)
                kept = None if built is None else (built.get_data(), built.status_code, list(built.headers.items()))
                if len(rendered) >= MAX_RENDERED_PAGES:
                    rendered.clear()
                rendered[page_key] = kept
            if kept is None:
                return _nothing()
            body, status, headers = kept
            return Response(body, status=status, headers=headers)

        return conditional_get(etag, rendered_page, freshness)

    @bp.get("/widgets/product/<sku>")
    def product_fragment(sku: str) -> Response:
        """The product pairings as an HTML fragment, for server-side includes."""

        def build(locale: str) -> Response | None:
            payload = pairings_for(sku, locale)
            return None if payload is None else _html(render_pairings(payload, locale))

        return cached_widget("product", sku, build)

    @bp.get("/widgets/article/<slug>")
    def article_fragment(slug: str) -> Response:
        """The article with its products as an HTML fragment."""

        def build(locale: str) -> Response | None:
            payload = article_for(slug, locale)
            return None if payload is None else _html(render_article(payload, locale))

        return cached_widget("article", slug, build)

    @bp.get("/embed/product/<sku>")
    def embed_product(sku: str) -> Response:
        """The product pairings as an iframe page."""

        def build(locale: str) -> Response | None:
            payload = pairings_for(sku, locale)
            if payload is None:
                return None
            widget = render_pairings(payload, locale, embed=True, include_assets=False)
            return page(EMBED_TEMPLATE, locale, widget, 200, embed_csp, kind="product")

        return with_csp(cached_widget("product-embed", sku, build), embed_csp)

    @bp.get("/embed/article/<slug>")
    def embed_article(slug: str) -> Response:
        """The article as an iframe page."""

        def build(locale: str) -> Response | None:
            payload = article_for(slug, locale)
            if payload is None:
                return None
            widget = render_article(payload, locale, embed=True, include_assets=False)
            return page(EMBED_TEMPLATE, locale, widget, 200, embed_csp, kind="article")

        return with_csp(cached_widget("article-embed", slug, build), embed_csp)


def with_csp(response: Response, csp: str) -> Response:
    """Iframe pages keep their frame-ancestors on 304 and 404 answers too."""
    response.headers["Content-Security-Policy"] = csp
    return response
