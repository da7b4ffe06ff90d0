"""The demo storefront: a small shop that mounts shop_reco exactly as a host would.

    flask --app shop_reco.demo run          # after `flask --app shop_reco.demo shop-reco db upgrade`

``create_app(test_config)`` follows Flask's tutorial factory; the extension is
mounted at ``/reco`` and the shop's own pages use its template helpers.
"""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

from flask import Flask, abort, redirect, render_template, request, session, url_for
from sqlalchemy import select

from shop_reco import ShopReco, settings, vocabulary
from shop_reco.answering.outage import database_not_ready, database_unavailable
from shop_reco.demo.admin_login import register_demo_login
from shop_reco.demo.embedding import register_embed_demo
from shop_reco.demo.sample_events import register_sample_events
from shop_reco.recommending.catalog import text_for
from shop_reco.state import get_session
from shop_reco.storage.database import (
    RETRY_AFTER_SECONDS,
    DatabaseNotReady,
    DatabaseUnavailable,
    database_unreachable,
    schema_missing,
)
from shop_reco.storage.models import Article, Product
from shop_reco.web.request_checks import valid_path_key
from shop_reco.widgets.formatting import format_price


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the demo shop. ``test_config`` overrides config (and ``INSTANCE_PATH`` the instance folder)."""
    test_config = dict(test_config or {})
    instance_path = test_config.pop("INSTANCE_PATH", None) or os.environ.get("SHOP_RECO_DEMO_INSTANCE")
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("SHOP_RECO_DEMO_SECRET", "demo-only-not-secret"),
        SHOP_RECO_URL_PREFIX="/reco",
        SHOP_RECO_WIDGET_PAGE_TEMPLATE="shop_reco/demo/widget_page.html",
    )
    # Any SHOP_RECO_* setting from the environment, typed (SHOP_RECO_CORS_ORIGINS=http://a,http://b).
    app.config.update(settings.from_environ(os.environ))
    app.config.update(test_config)
    register_demo_login(app)  # the admin with a demo login (merchant / demo); before ShopReco reads settings
    ShopReco(app)
    _register_shop_pages(app)
    _register_not_ready_page(app)
    register_embed_demo(app)
    register_sample_events(app)
    return app


def _register_not_ready_page(app: Flask) -> None:
    """A 503 page that says which commands set the demo's database up, or to try again, instead of a 500.

    The demo is the host here, so an app-wide handler is its own to register; a shop
    would show its own maintenance page. The log line comes from shop_reco.
    """
    from sqlalchemy.exc import DBAPIError

    def not_ready_page(unavailable: bool = False) -> tuple[str, int, dict[str, str]]:
        headers = {"Cache-Control": "no-store"}
        if unavailable:
            headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        page = render_template("shop_reco/demo/not_ready.html", locale=_locale(), unavailable=unavailable)
        return page, 503, headers

    @app.errorhandler(DatabaseNotReady)
    def _not_ready(_exc: DatabaseNotReady) -> tuple[str, int, dict[str, str]]:
        return not_ready_page()

    @app.errorhandler(DatabaseUnavailable)
    def _unavailable(_exc: DatabaseUnavailable) -> tuple[str, int, dict[str, str]]:
        return not_ready_page(unavailable=True)

    @app.errorhandler(DBAPIError)
    def _database_error(exc: DBAPIError) -> tuple[str, int, dict[str, str]]:
        if schema_missing(exc):
            database_not_ready(exc)
            return not_ready_page()
        if database_unreachable(exc):
            database_unavailable(exc)  # one log line per outage
            return not_ready_page(unavailable=True)
        raise exc


def _locale() -> str:
    wanted = request.args.get("lang")
    if wanted in vocabulary.LOCALES:
        session["lang"] = wanted
    return str(session.get("lang") or request.accept_languages.best_match(vocabulary.LOCALES) or "en")


def _product_view(p: Product, locale: str) -> dict[str, Any]:
    text = text_for(p.text, locale)
    return {
        "sku": p.sku,
        "name": text.get("name", p.sku),
        "description": text.get("description", ""),
        "price": f"{p.price:.2f}",
        "currency": p.currency,
        "price_text": format_price(p.price, p.currency, locale),
        "image_url": p.image_url,
        "in_stock": p.in_stock,
    }


def _register_shop_pages(app: Flask) -> None:
    @app.get("/")
    def home() -> str:
        locale = _locale()
        products = get_session().scalars(select(Product).where(Product.active.is_(True)).order_by(Product.sku))
        articles = get_session().scalars(select(Article).where(Article.locale == locale).order_by(Article.slug))
        return render_template(
            "shop_reco/demo/home.html",
            locale=locale,
            products=[_product_view(p, locale) for p in products],
            articles=list(articles),
        )

    @app.get("/products/<sku>")
    def product_page(sku: str) -> str:
        if not valid_path_key(sku):  # before any query: PostgreSQL refuses NUL in a parameter
            abort(404)
        locale = _locale()
        product = get_session().scalars(select(Product).where(Product.sku == sku)).one_or_none()
        if product is None or not product.active:
            abort(404)
        return render_template("shop_reco/demo/product.html", locale=locale, product=_product_view(product, locale))

    @app.get("/articles/<slug>")
    def article_page(slug: str) -> str:
        if not valid_path_key(slug):
            abort(404)
        locale = _locale()
        article = (
            get_session().scalars(select(Article).where(Article.slug == slug, Article.locale == locale)).one_or_none()
        )
        if article is None:
            abort(404)
        return render_template("shop_reco/demo/article.html", locale=locale, article=article)

    @app.get("/finder")
    def finder_page() -> str:
        return render_template("shop_reco/demo/finder.html", locale=_locale())

    @app.route("/cart/add", methods=["GET", "POST"])
    def cart_add() -> Any:
        sku = request.values.get("sku", "")
        if not valid_path_key(sku):
            abort(404)
        product = get_session().scalars(select(Product).where(Product.sku == sku)).one_or_none()
        if product is None:
            abort(404)
        cart = dict(session.get("cart", {}))
        cart[sku] = int(cart.get(sku, 0)) + 1
        session["cart"] = cart
        return redirect(url_for("cart_page"))

    @app.get("/cart")
    def cart_page() -> str:
        locale = _locale()
        cart = {sku: qty for sku, qty in session.get("cart", {}).items() if valid_path_key(sku)}
        rows = []
        total = Decimal("0")
        currency = "EUR"
        for p in get_session().scalars(select(Product).where(Product.sku.in_(list(cart)))):
            qty = int(cart[p.sku])
            rows.append({**_product_view(p, locale), "qty": qty})
            total += p.price * qty
            currency = p.currency
        shown = format_price(total, currency, locale)
        return render_template("shop_reco/demo/cart.html", locale=locale, rows=rows, total=shown)
