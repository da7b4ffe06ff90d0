"""Widget routes: the embed script, UI text, HTML fragments, iframe pages and the no-JS finder.

Every view and error handler is a module function, mounted from :data:`ROUTES`
and :data:`ERROR_HANDLERS` by :func:`register_routes`; what differs per app
(settings, the iframe CSP) comes from ``get_state()`` at request time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from typing import Any, NamedTuple, cast

from flask import Blueprint, Response, jsonify, render_template, request
from markupsafe import Markup
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import RequestEntityTooLarge

from shop_reco.answering.answers import answer_description
from shop_reco.answering.outage import database_not_ready, database_unavailable
from shop_reco.answering.payloads import answer_payload
from shop_reco.answering.snapshot import current_snapshot
from shop_reco.resources import resource_dir
from shop_reco.state import get_state
from shop_reco.storage.database import (
    RETRY_AFTER_SECONDS,
    DatabaseNotReady,
    DatabaseUnavailable,
    database_unreachable,
    schema_missing,
)
from shop_reco.web.conditional import Freshness, conditional_get
from shop_reco.web.rate_limits import RateLimited, rate_limited
from shop_reco.web.request_checks import body_cut_at_limit, valid_path_key
from shop_reco.widgets import policies
from shop_reco.widgets.rendering import (
    BLUEPRINT,
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

EMBED_TEMPLATE = "shop_reco/widgets/embed.html"


#: Rendered product/article widget pages kept per revision and process (then cleared).
MAX_RENDERED_PAGES = 2048
_UNRENDERED = object()


class RenderedKey(NamedTuple):
    """A rendered widget page: which view, which SKU or slug, which locale."""

    endpoint: str | None
    key: str
    locale: str


class RenderedPage(NamedTuple):
    """A rendered widget page as kept: its body, status and headers (each request gets a new Response)."""

    body: bytes
    status: int
    headers: list[tuple[str, str]]


def _html(body: str, status: int = 200) -> Response:
    return Response(body, status=status, mimetype="text/html")


def _nothing() -> Response:
    """An unknown SKU or slug: a 404 with an empty body, so an include shows no box."""
    response = _html("", 404)
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


def _settings() -> dict[str, Any]:
    return get_state().settings


def _embed_csp() -> str:
    return policies.embed_csp(get_state())  # cached per setting; checked once at mounting


def _freshness() -> Freshness:
    return policies.widget_freshness(_settings()["SHOP_RECO_WIDGET_MAX_AGE"])


#: One budget with POST /recommendations: a client cannot triple it by switching forms.
_limited = rate_limited("answers", methods=["POST"])


def script() -> Response:
    """The embed script: ``<script src=".../reco/widget.js" defer>`` and ``<div data-shop-reco>``."""
    source = (resource_dir("templates") / "shop_reco" / "static" / "widget.js").read_bytes()
    response = Response(source, mimetype="text/javascript")
    response.set_etag(hashlib.sha256(source).hexdigest()[:24])
    swr = policies.STALE_WHILE_REVALIDATE
    response.headers["Cache-Control"] = f"public, max-age=300, stale-while-revalidate={swr}"
    response.make_conditional(request)
    return response


def ui_json() -> Response:
    """Every UI string, chip and body-map shape of one locale, for the script."""
    settings = _settings()
    max_chars = settings["SHOP_RECO_MAX_DESCRIPTION_CHARS"]
    visitor_storage = bool(settings["SHOP_RECO_WIDGET_VISITOR_STORAGE"])
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

    return conditional_get(etag, build, _freshness())


def answer_form(locale: str, embed: bool) -> tuple[str, int]:
    """Answer a posted form (or show an empty one) as finder HTML and a status."""
    settings = _settings()
    ui = ui_text(locale)
    assets = not embed  # iframe pages link them in <head>; the result page's layout may be the host's
    if request.method != "POST":
        return render_finder(locale, embed=embed, include_assets=assets), 200
    form = FinderForm.from_request(ui).validated(ui, settings["SHOP_RECO_MAX_DESCRIPTION_CHARS"])
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


@_limited
def finder_page() -> Response:
    """The finder without JavaScript: the form posts here and the answer is rendered on the server."""
    settings = _settings()
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
    settings = _settings()
    locale = widget_locale((request.values if readable else request.args).get("locale"))
    ui = ui_text(locale)
    embed = request.endpoint == f"{BLUEPRINT}.embed_finder"
    if readable:
        form = replace(FinderForm.from_request(ui), errors=(ui[message],))
    else:
        form = FinderForm(errors=(ui.t(message, max=settings["SHOP_RECO_MAX_DESCRIPTION_CHARS"]),))
    widget = render_finder(locale, form=form, embed=embed, include_assets=not embed)
    if embed:
        response = page(EMBED_TEMPLATE, locale, widget, status, _embed_csp(), kind="finder")
    else:
        template = settings["SHOP_RECO_WIDGET_PAGE_TEMPLATE"]
        response = page(template, locale, widget, status, settings["SHOP_RECO_WIDGET_PAGE_CSP"])
    response.headers["Cache-Control"] = "no-store"
    return response


def too_many_posts(exc: Exception) -> Response:
    """Too many finder posts: the form again, with the shopper's text and a calm message."""
    response = finder_again("error_rate_limited", 429)
    if isinstance(exc, RateLimited):
        response.headers.update(exc.refusal.headers())
    else:
        response.headers["Retry-After"] = "60"
    return response


def too_large(_exc: Exception) -> Response:
    """A finder post over SHOP_RECO_MAX_BODY_BYTES: the form again, saying how long a description may be."""
    return finder_again("error_too_long", 413, readable=False)


def not_ready(exc: Exception) -> Response:
    """No tables yet, or no database (logged once): the finder keeps the text, other widgets show no box."""
    if request.endpoint in (f"{BLUEPRINT}.finder_page", f"{BLUEPRINT}.embed_finder"):
        response = finder_again("error_unavailable", 503)
    else:
        response = _html("", 503)
        response.headers["Cache-Control"] = "no-store"
        if request.endpoint and request.endpoint.startswith(f"{BLUEPRINT}.embed_"):
            response.headers["Content-Security-Policy"] = _embed_csp()
    if isinstance(exc, DatabaseUnavailable):
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def database_error(exc: DBAPIError) -> Response:
    """A query past the snapshot's check met the outage or a missing table: the same 503 as above."""
    if schema_missing(exc):
        return not_ready(database_not_ready(exc))
    if database_unreachable(exc):
        return not_ready(database_unavailable(exc))
    raise exc


@_limited
def embed_finder() -> Response:
    """The finder as an iframe page."""
    locale = widget_locale(request.values.get("locale"))
    widget, status = answer_form(locale, embed=True)
    response = page(EMBED_TEMPLATE, locale, widget, status, _embed_csp(), kind="finder")
    response.headers["Cache-Control"] = "no-store"
    return response


def cached_widget(kind: str, key: str, build: Callable[[str], Response | None]) -> Response:
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
        rendered: dict[RenderedKey, RenderedPage | None] = snapshot.compiled.memo(("widget_pages",), dict)
        page_key = RenderedKey(request.endpoint, key, locale)
        found = rendered.get(page_key, _UNRENDERED)
        if found is _UNRENDERED:
            built = build(locale)
            kept = (
                None if built is None else RenderedPage(built.get_data(), built.status_code, [*built.headers.items()])
            )
            if len(rendered) >= MAX_RENDERED_PAGES:
                rendered.clear()
            rendered[page_key] = kept
        else:
            kept = cast("RenderedPage | None", found)
        if kept is None:
            return _nothing()
        return Response(kept.body, status=kept.status, headers=kept.headers)

    return conditional_get(etag, rendered_page, _freshness())


def product_fragment(sku: str) -> Response:
    """The product pairings as an HTML fragment, for server-side includes."""

    def build(locale: str) -> Response | None:
        payload = pairings_for(sku, locale)
        return None if payload is None else _html(render_pairings(payload, locale))

    return cached_widget("product", sku, build)


def article_fragment(slug: str) -> Response:
    """The article with its products as an HTML fragment."""

    def build(locale: str) -> Response | None:
        payload = article_for(slug, locale)
        return None if payload is None else _html(render_article(payload, locale))

    return cached_widget("article", slug, build)


def embed_product(sku: str) -> Response:
    """The product pairings as an iframe page."""
    csp = _embed_csp()

    def build(locale: str) -> Response | None:
        payload = pairings_for(sku, locale)
        if payload is None:
            return None
        widget = render_pairings(payload, locale, embed=True, include_assets=False)
        return page(EMBED_TEMPLATE, locale, widget, 200, csp, kind="product")

    return with_csp(cached_widget("product-embed", sku, build), csp)


def embed_article(slug: str) -> Response:
    """The article as an iframe page."""
    csp = _embed_csp()

    def build(locale: str) -> Response | None:
        payload = article_for(slug, locale)
        if payload is None:
            return None
        widget = render_article(payload, locale, embed=True, include_assets=False)
        return page(EMBED_TEMPLATE, locale, widget, 200, csp, kind="article")

    return with_csp(cached_widget("article-embed", slug, build), csp)


class Route(NamedTuple):
    """One widget URL: its rule, view (whose name is the endpoint) and methods."""

    rule: str
    view: Callable[..., Response]
    methods: tuple[str, ...] = ("GET",)


#: Every widget route, mounted under ``SHOP_RECO_URL_PREFIX``.
ROUTES = (
    Route("/widget.js", script),
    Route("/widgets/ui.json", ui_json),
    Route("/widgets/finder", finder_page, ("GET", "POST")),
    Route("/embed/finder", embed_finder, ("GET", "POST")),
    Route("/widgets/product/<sku>", product_fragment),
    Route("/widgets/article/<slug>", article_fragment),
    Route("/embed/product/<sku>", embed_product),
    Route("/embed/article/<slug>", embed_article),
)

#: The widgets blueprint's error handlers: the finder keeps the shopper's text; other widgets show no box.
ERROR_HANDLERS: tuple[tuple[type[Exception] | int, Callable[..., Response]], ...] = (
    (429, too_many_posts),
    (413, too_large),
    (DatabaseNotReady, not_ready),
    (DatabaseUnavailable, not_ready),
    (DBAPIError, database_error),
)


def register_routes(bp: Blueprint) -> None:
    """Every widget route and error handler on ``bp`` (endpoint names are the views' names)."""
    for route in ROUTES:
        bp.add_url_rule(route.rule, view_func=route.view, methods=list(route.methods))
    for error, handler in ERROR_HANDLERS:
        bp.register_error_handler(error, handler)


def with_csp(response: Response, csp: str) -> Response:
    """Iframe pages keep their frame-ancestors on 304 and 404 answers too."""
    response.headers["Content-Security-Policy"] = csp
    return response
