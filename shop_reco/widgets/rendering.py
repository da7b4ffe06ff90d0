"""Server-side rendering of the widgets, shared by the Jinja global, fragments, iframes and result pages.

Every widget renders from the same JSON payloads the API serves
(``shop_reco.answering.payloads``), so the script, the iframes and the server macros
show the same things. Templates live under ``templates/shop_reco/widgets/``;
a host overrides one by putting a file of the same name in its own templates.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, g, has_request_context, render_template, request, url_for
from markupsafe import Markup

from shop_reco.answering.outage import database_unavailable
from shop_reco.answering.payloads import article_payload, pairings_payload
from shop_reco.answering.snapshot import current_snapshot
from shop_reco.recommending import UnknownItemError
from shop_reco.state import get_session, get_state
from shop_reco.storage.database import DatabaseNotReady, DatabaseUnavailable, database_unreachable
from shop_reco.storage.queries import article_record
from shop_reco.widgets.cart import check_cart_route_once
from shop_reco.widgets.strings import SIDES, UiText, body_map, compose_description, ui_text

log = logging.getLogger("shop_reco.widgets")

#: The endpoint prefix of the widgets blueprint.
BLUEPRINT = "shop_reco_widgets"
_SEQ_ATTR = "_shop_reco_widget_seq"
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")
#: Characters no shopper types or sees: removed from the finder's text (NUL included; PostgreSQL
#: refuses it). Tabs and line breaks stay. Lone surrogates cannot arrive: forms decode with U+FFFD.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def widget_locale(wanted: str | None = None) -> str:
    """The locale to show: ``wanted`` if the shop offers it, else the browser's, else the default.

    Unlike the API, widgets never refuse a locale: a host page must render.
    """
    settings = get_state().settings
    offered: list[str] = settings["SHOP_RECO_LOCALES"]
    if wanted:
        short = wanted.replace("_", "-").split("-")[0].lower()
        if short in offered:
            return short
    if has_request_context():
        best = request.accept_languages.best_match(offered)
        if best:
            return best
    return str(settings["SHOP_RECO_DEFAULT_LOCALE"])


def safe_url(url: str | None) -> str | None:
    """``url`` when it is relative or http(s); None for ``javascript:``, ``data:`` and the like.

    >>> safe_url("/products/belt"), safe_url("https://x.example/a"), safe_url(" java\\tscript:alert(1)")
    ('/products/belt', 'https://x.example/a', None)
    """
    if not url:
        return None
    scheme = _SCHEME.match(_CONTROL.sub("", url))
    if scheme and scheme.group(1).lower() not in ("http", "https"):
        return None
    return url.strip()


def first_rule(reasons: list[Mapping[str, Any]]) -> str:
    """The first rule key among an item's reasons (sent with events), or ''."""
    return next((str(r["rule"]) for r in reasons if r.get("rule")), "")


def text_blocks(body: str) -> list[dict[str, Any]]:
    """An article body as paragraphs and bullet lists: ``[{"text": ...}, {"bullets": [...]}]``.

    >>> text_blocks("Intro:\\n\\n- one\\n- two")
    [{'text': 'Intro:'}, {'bullets': ['one', 'two']}]
    """
    blocks: list[dict[str, Any]] = []
    for chunk in re.split(r"\n\s*\n", body.strip()):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        if lines and all(line.startswith(("- ", "* ")) for line in lines):
            blocks.append({"bullets": [line[2:].strip() for line in lines]})
        elif lines:
            blocks.append({"text": " ".join(lines)})
    return blocks


@dataclass(frozen=True)
class FinderForm:
    """What the shopper sent through the no-JavaScript form, kept so no input is lost."""

    description: str = ""
    areas: tuple[str, ...] = ()
    chips: tuple[str, ...] = ()
    errors: tuple[str, ...] = field(default=())

    @classmethod
    def from_request(cls, ui: UiText) -> FinderForm:
        area_codes = {a["key"] for a in ui.area_choices()} | {a["code"] for a in ui.areas}
        chip_codes = {c["code"] for c in ui.chips}
        return cls(
            description=_INVISIBLE.sub("", request.form.get("description", "")),
            areas=tuple(a for a in request.form.getlist("area") if a in area_codes),
            chips=tuple(c for c in request.form.getlist("chip") if c in chip_codes),
        )

    def composed(self, locale: str) -> str:
        return compose_description(self.description, self.areas, self.chips, locale)

    def validated(self, ui: UiText, max_chars: int) -> FinderForm:
        """This form with the error messages it deserves (none when it can be answered)."""
        errors: list[str] = []
        if not self.composed(ui.locale).strip():
            errors.append(ui["error_empty"])
        elif len(self.description) > max_chars:
            errors.append(ui.t("error_too_long", max=max_chars))
        return FinderForm(self.description, self.areas, self.chips, tuple(errors))


def _uid(kind: str) -> str:
    """An id prefix unique within the page, so several widgets can share one."""
    seq = (g.get(_SEQ_ATTR) or 0) + 1 if has_request_context() else 1
    if has_request_context():
        setattr(g, _SEQ_ATTR, seq)
    return f"shop-reco-{kind}-{seq}"


def asset_urls() -> dict[str, str]:
    return {
        "css": url_for("shop_reco.static", filename="widget.css"),
        "script": url_for(f"{BLUEPRINT}.script"),
    }


def _render(template: str, locale: str, kind: str, **context: Any) -> str:
    settings = get_state().settings
    return render_template(
        template,
        ui=ui_text(locale),
        locale=locale,
        uid=_uid(kind),
        safe_url=safe_url,
        first_rule=first_rule,
        text_blocks=text_blocks,
        body_map=body_map(),
        assets=asset_urls(),
        max_chars=settings["SHOP_RECO_MAX_DESCRIPTION_CHARS"],
        **context,
    )


def understood_areas(result: Mapping[str, Any] | None, ui: UiText) -> tuple[str, ...]:
    """The body-map keys the answer understood from the text: ``hip:right`` when a side was said."""
    profile = (result or {}).get("profile") or {}
    side = profile.get("side")
    choices = ui.area_choices()
    keys: list[str] = []
    for code in profile.get("areas") or ():
        sided = [c["key"] for c in choices if c["code"] == code and c["side"]]
        if sided and side in SIDES:
            keys.append(f"{code}:{side}")
        else:
            keys += sided or [code]
    return tuple(keys)


def selected_keys(areas: tuple[str, ...], ui: UiText) -> frozenset[str]:
    """Chosen body-map keys; a bare ``hip`` stands for both sides."""
    out: set[str] = set()
    for key in areas:
        sided = [c["key"] for c in ui.area_choices() if c["code"] == key and c["side"]]
        out.update(sided or [key])
    return frozenset(out)


def render_finder(
    locale: str,
    *,
    form: FinderForm | None = None,
    result: Mapping[str, Any] | None = None,
    embed: bool = False,
    include_assets: bool = True,
    notice: str | None = None,
) -> str:
    """The finder: the form, and the answer above it once there is one."""
    action = url_for(f"{BLUEPRINT}.embed_finder" if embed else f"{BLUEPRINT}.finder_page")
    form = form or FinderForm()
    ui = ui_text(locale)
    # After an answer the map also shows what the text was understood to mention.
    selected = selected_keys(form.areas + understood_areas(result, ui), ui)
    return _render(
        "shop_reco/widgets/finder.html",
        locale,
        "finder",
        form=form,
        selected_areas=selected,
        result=result,
        action=action,
        link_target="_top" if embed else None,
        include_assets=include_assets,
        notice=notice,
    )


def pairings_for(sku: str, locale: str) -> dict[str, Any] | None:
    """The pairings payload of a product, or None for an unknown SKU or when nothing pairs."""
    settings = get_state().settings
    template = settings["SHOP_RECO_ARTICLE_URL_TEMPLATE"]
    cart = settings["SHOP_RECO_CART_URL_TEMPLATE"]
    try:
        payload = pairings_payload(
            sku, current_snapshot().compiled, locale, article_template=template, cart_template=cart
        )
    except UnknownItemError:
        return None
    return payload if payload["exercises"] or payload["sections"] or payload["products"] else None


def article_for(slug: str, locale: str) -> dict[str, Any] | None:
    """The article payload (sections with their products), or None for an unknown slug."""
    compiled = current_snapshot().compiled  # first: it says clearly when the tables are missing
    record = article_record(get_session(), slug, locale)
    if record is None:
        return None
    cart_template = get_state().settings["SHOP_RECO_CART_URL_TEMPLATE"]
    return article_payload(record, compiled, locale, cart_template=cart_template)


def render_pairings(
    payload: Mapping[str, Any], locale: str, *, embed: bool = False, include_assets: bool = True
) -> str:
    return _render(
        "shop_reco/widgets/product.html",
        locale,
        "product",
        pairings=payload,
        link_target="_top" if embed else None,
        include_assets=include_assets,
    )


def render_article(
    payload: Mapping[str, Any],
    locale: str,
    *,
    embed: bool = False,
    include_assets: bool = True,
    heading_level: int = 2,
) -> str:
    return _render(
        "shop_reco/widgets/article.html",
        locale,
        "article",
        article=payload,
        link_target="_top" if embed else None,
        include_assets=include_assets,
        heading_level=min(max(int(heading_level), 1), 4),
    )


class WidgetTemplateGlobal:
    """``shop_reco`` in the host's templates: the widgets rendered on the server.

    ``{{ shop_reco.finder(locale="sv") }}``,
    ``{{ shop_reco.product_pairings(product.sku) }}`` and
    ``{{ shop_reco.article("hip-and-lower-back-pain") }}`` return ``Markup``;
    an unknown SKU or slug, a database not migrated yet, or any failure,
    renders nothing (logged), so a host page never breaks because of a widget.
    """

    def finder(self, locale: str | None = None) -> Markup:
        return self._safe("finder", lambda loc: render_finder(loc), locale)

    def product_pairings(self, sku: str, locale: str | None = None) -> Markup:
        def build(loc: str) -> str:
            payload = pairings_for(sku, loc)
            return "" if payload is None else render_pairings(payload, loc)

        return self._safe("product", build, locale)

    def article(self, slug: str, locale: str | None = None, heading_level: int = 2) -> Markup:
        def build(loc: str) -> str:
            payload = article_for(slug, loc)
            return "" if payload is None else render_article(payload, loc, heading_level=heading_level)

        return self._safe("article", build, locale)

    @staticmethod
    def _safe(kind: str, build: Any, locale: str | None) -> Markup:
        check_cart_route_once(current_app, get_state())
        try:
            return Markup(build(widget_locale(locale)))
        except (DatabaseNotReady, DatabaseUnavailable):  # logged once for the operator; the page renders without us
            return Markup("")
        except Exception as exc:
            if database_unreachable(exc):
                database_unavailable(exc)  # logs once per outage
                return Markup("")
            if current_app.testing:
                raise
            log.exception("shop_reco: the %s widget failed to render; rendered nothing", kind)
            return Markup("")
