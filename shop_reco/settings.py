"""Every ``SHOP_RECO_*`` configuration key, declared once with its default and doc.

Constructor options of :class:`~shop_reco.ShopReco` win over the app's config,
which wins over these defaults. ``flask shop-reco config`` and the README list them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from shop_reco import vocabulary


class ConfigError(ValueError):
    """A ``SHOP_RECO_*`` value is invalid; the message names the key and the fix."""


@dataclass(frozen=True, slots=True)
class Setting:
    key: str
    default: Any
    doc: str
    check: Callable[[Any], bool] | None = None
    expect: str = ""


def _is_str(v: Any) -> bool:
    return isinstance(v, str)


def _is_opt_str(v: Any) -> bool:
    return v is None or isinstance(v, str)


def _is_bool(v: Any) -> bool:
    return isinstance(v, bool)


def _is_pos_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0


def _is_pos_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v > 0


def _is_str_list(v: Any) -> bool:
    return isinstance(v, (list, tuple)) and all(isinstance(x, str) for x in v)


def _is_locales(v: Any) -> bool:
    return _is_str_list(v) and len(v) > 0 and all(x in vocabulary.LOCALES for x in v)


def _is_prefix(v: Any) -> bool:
    return isinstance(v, str) and v.startswith("/") and not v.endswith("/") and len(v) > 1


def _is_opt_callable(v: Any) -> bool:
    return v is None or callable(v)


def _is_contacts(v: Any) -> bool:
    """``{locale: [{"label": str, "number": str | None}, ...]}`` with phone numbers of digits, '+' and spaces."""
    if not isinstance(v, Mapping) or not all(locale in vocabulary.LOCALES for locale in v):
        return False
    for entries in v.values():
        if not isinstance(entries, (list, tuple)):
            return False
        for entry in entries:
            if not isinstance(entry, Mapping) or set(entry) - {"label", "number"}:
                return False
            if not isinstance(entry.get("label"), str) or not entry["label"].strip():
                return False
            number = entry.get("number")
            if number is not None and not (isinstance(number, str) and re.fullmatch(r"\+?[0-9][0-9 ]*", number)):
                return False
    return True


#: Who to call when an answer is urgent, per locale (English has no number: it cannot know the country).
DEFAULT_URGENT_CONTACTS: dict[str, list[dict[str, str | None]]] = {
    "en": [{"label": "Call your local emergency number", "number": None}],
    "sv": [
        {"label": "Ring 112 vid nödläge", "number": "112"},
        {"label": "Ring 1177 för sjukvårdsrådgivning", "number": "1177"},
    ],
}


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "SHOP_RECO_ENABLED", True, "Switch the whole extension off without removing it.", _is_bool, "True or False"
    ),
    Setting(
        "SHOP_RECO_DATABASE_URL",
        None,
        "SQLAlchemy URL of shop_reco's database; default: a SQLite file shop_reco.db in the app's instance folder.",
        _is_opt_str,
        "a SQLAlchemy URL string such as 'postgresql+psycopg://user@host/db'",
    ),
    Setting(
        "SHOP_RECO_ENGINE_OPTIONS",
        {},
        "Extra keyword arguments for sqlalchemy.create_engine.",
        lambda v: isinstance(v, Mapping),
        "a dict",
    ),
    Setting("SHOP_RECO_URL_PREFIX", "/reco", "Where the blueprints are mounted.", _is_prefix, "a path like '/reco'"),
    Setting(
        "SHOP_RECO_DEFAULT_LOCALE",
        "en",
        "Locale used when none is given or detected.",
        lambda v: v in vocabulary.LOCALES,
        f"one of {list(vocabulary.LOCALES)}",
    ),
    Setting(
        "SHOP_RECO_LOCALES",
        list(vocabulary.LOCALES),
        "Locales the shop offers.",
        _is_locales,
        f"a non-empty list drawn from {list(vocabulary.LOCALES)}",
    ),
    Setting(
        "SHOP_RECO_MAX_DESCRIPTION_CHARS",
        2000,
        "Longest description accepted (characters).",
        _is_pos_int,
        "a positive integer",
    ),
    Setting(
        "SHOP_RECO_MAX_BODY_BYTES",
        16 * 1024,
        "Largest JSON request body accepted by the API (bytes).",
        _is_pos_int,
        "a positive integer",
    ),
    Setting(
        "SHOP_RECO_DEFAULT_EXERCISES",
        6,
        "How many exercises an answer holds by default.",
        _is_pos_int,
        "a positive integer",
    ),
    Setting(
        "SHOP_RECO_DEFAULT_PRODUCTS",
        3,
        "How many products an answer holds by default.",
        _is_pos_int,
        "a positive integer",
    ),
    Setting(
        "SHOP_RECO_PRODUCTS_ON_CONSULT",
        False,
        "Show products (never exercises) when a red flag advises seeing a professional.",
        _is_bool,
        "True or False",
    ),
    Setting(
        "SHOP_RECO_RULES_TTL",
        1.0,
        "Seconds between checks of the rules revision in the database (cross-process cache invalidation).",
        _is_pos_number,
        "a number of seconds >= 0",
    ),
    Setting(
        "SHOP_RECO_CORS_ORIGINS",
        [],
        "Shop origins allowed to call the API from a browser (never '*').",
        lambda v: _is_str_list(v) and "*" not in v,
        "a list of origins like ['https://shop.example'] (never '*')",
    ),
    Setting(
        "SHOP_RECO_FRAME_ANCESTORS",
        [],
        "Origins allowed to frame the iframe widgets (CSP frame-ancestors).",
        _is_str_list,
        "a list of origins",
    ),
    Setting(
        "SHOP_RECO_WIDGET_VISITOR_STORAGE",
        False,
        "Let widget.js make and keep its own visitor id in localStorage (for experiments); only with consent.",
        _is_bool,
        "True or False",
    ),
    Setting(
        "SHOP_RECO_WIDGET_MAX_AGE",
        300,
        "Seconds browsers and CDNs may cache product and article widgets (then revalidate by ETag).",
        _is_pos_int,
        "a positive integer",
    ),
    Setting(
        "SHOP_RECO_WIDGET_PAGE_TEMPLATE",
        "shop_reco/widgets/page.html",
        "Template of the finder's no-JavaScript result page; extend your layout from it.",
        _is_str,
        "a template name",
    ),
    Setting(
        "SHOP_RECO_WIDGET_PAGE_CSP",
        "default-src 'self'; img-src 'self' https: data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'self'",
        "That page's Content-Security-Policy; loosen it if your layout loads scripts or fonts elsewhere.",
        _is_str,
        "a CSP header value",
    ),
    Setting(
        "SHOP_RECO_CART_URL_TEMPLATE",
        "/cart/add?sku={sku}",
        "How widgets build add-to-cart links; '{sku}' is replaced.",
        _is_str,
        "a string containing '{sku}'",
    ),
    Setting(
        "SHOP_RECO_ARTICLE_URL_TEMPLATE",
        "/articles/{slug}",
        "Where the shop shows an article, for links to its sections; '{slug}' is replaced.",
        _is_str,
        "a string containing '{slug}'",
    ),
    Setting(
        "SHOP_RECO_SCREENING",
        "always",
        "When the finder asks the red-flag screen before any routine: 'always', 'when_uncertain' or 'off'.",
        lambda v: v in ("always", "when_uncertain", "off"),
        "one of 'always', 'when_uncertain', 'off'",
    ),
    Setting(
        "SHOP_RECO_URGENT_CONTACTS",
        DEFAULT_URGENT_CONTACTS,
        "Who to call when an answer is urgent, per locale: {locale: [{'label': ..., 'number': '112' or None}]}.",
        _is_contacts,
        "a dict like {'sv': [{'label': 'Ring 112', 'number': '112'}]} (numbers: digits, '+' and spaces)",
    ),
    Setting("SHOP_RECO_RATELIMIT_ENABLED", True, "Rate-limit the public API.", _is_bool, "True or False"),
    Setting(
        "SHOP_RECO_RATELIMIT",
        "60/minute;1000/hour",
        "One budget per client for POST /recommendations and both finder forms (limits syntax).",
        _is_str,
        "e.g. '60/minute'",
    ),
    Setting(
        "SHOP_RECO_RATELIMIT_STORAGE_URI",
        "memory://",
        "Where rate-limit counters live; use redis://host:6379 when several processes serve the shop.",
        _is_str,
        "a storage URI such as 'redis://127.0.0.1:6379'",
    ),
    Setting(
        "SHOP_RECO_STORE_DESCRIPTIONS",
        False,
        "Opt in to storing raw description text (health data) for SHOP_RECO_RETENTION_DAYS.",
        _is_bool,
        "True or False",
    ),
    Setting(
        "SHOP_RECO_ANSWER_CACHE_SIZE",
        4096,
        "Answers memoized per understood profile and rules revision in each process; 0 turns the memo off.",
        lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
        "an integer >= 0",
    ),
    Setting(
        "SHOP_RECO_ANSWER_LOG_FLUSH_SECONDS",
        1.0,
        "Seconds between batched writes of the answer log (what was shown); 0 writes each answer in its request.",
        _is_pos_number,
        "a number of seconds >= 0",
    ),
    Setting(
        "SHOP_RECO_ANSWER_LOG_MAX_PENDING",
        5000,
        "Answer log rows a process queues at most; the request that fills the queue writes it.",
        _is_pos_int,
        "a positive integer",
    ),
    Setting(
        "SHOP_RECO_RETENTION_DAYS",
        30,
        "Days raw descriptions are kept when storing is on.",
        _is_pos_int,
        "a positive integer",
    ),
    Setting(
        "SHOP_RECO_ADMIN_AUTH",
        None,
        "Callable returning the admin's id or None; the admin answers 403 until this is set.",
        _is_opt_callable,
        "a callable or None",
    ),
    Setting(
        "SHOP_RECO_ADMIN_BASE_TEMPLATE",
        "shop_reco/admin/base.html",
        "Template the admin pages extend; point it at your own to restyle.",
        _is_str,
        "a template name",
    ),
)

BY_KEY: dict[str, Setting] = {s.key: s for s in SETTINGS}
#: Every key starts with it; an ``app.config`` key that does and is not a setting is a typo.
PREFIX = "SHOP_RECO_"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def from_environ(environ: Mapping[str, str]) -> dict[str, Any]:
    """``SHOP_RECO_*`` environment variables as typed config values (for app factories).

    Booleans accept 1/0/true/false/yes/no/on/off, lists are comma-separated,
    numbers are parsed; callables cannot come from the environment.
    """
    out: dict[str, Any] = {}
    for key, raw in environ.items():
        setting = BY_KEY.get(key)
        if setting is None or setting.key == "SHOP_RECO_ADMIN_AUTH":
            continue
        default = setting.default
        value: Any = raw
        if isinstance(default, bool):
            lowered = raw.strip().lower()
            if lowered not in _TRUE | _FALSE:
                raise ConfigError(f"{key}={raw!r} is invalid: expected one of {sorted(_TRUE | _FALSE)}")
            value = lowered in _TRUE
        elif isinstance(default, int):
            value = _number(key, raw, int)
        elif isinstance(default, float):
            value = _number(key, raw, float)
        elif isinstance(default, list):
            value = [part.strip() for part in raw.split(",") if part.strip()]
        elif isinstance(default, dict):
            import json

            value = json.loads(raw)
        out[key] = value
    return out


def _number(key: str, raw: str, kind: type) -> Any:
    try:
        return kind(raw)
    except ValueError:
        raise ConfigError(f"{key}={raw!r} is invalid: expected a number") from None


def _did_you_mean(name: str, valid: Iterable[str]) -> str:
    """``" (did you mean X?)"`` for the closest valid name, or '' when none is close.

    Names are compared without the common prefix, which would make every key look close.
    """
    by_suffix = {v.removeprefix(PREFIX): v for v in valid}
    close = difflib.get_close_matches(name.removeprefix(PREFIX), list(by_suffix), n=1, cutoff=0.6)
    return f" (did you mean {by_suffix[close[0]]}?)" if close else ""


def resolve(config: Mapping[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
    """Merge defaults, app config and constructor options; validate every value.

    ``options`` use lowercase names without the prefix (``url_prefix="/x"``).
    Raises :class:`ConfigError` naming the key and what it expects, and for a
    ``SHOP_RECO_*`` key in ``config`` that is no setting (a typo would otherwise
    be ignored silently), the closest valid key.
    """
    resolved: dict[str, Any] = {}
    unknown = [k for k in options if f"SHOP_RECO_{k.upper()}" not in BY_KEY]
    if unknown:
        valid = sorted(s.key[len(PREFIX) :].lower() for s in SETTINGS)
        raise ConfigError(f"unknown ShopReco option(s) {unknown}{_did_you_mean(unknown[0], valid)}; valid: {valid}")
    misspelt = sorted(k for k in config if isinstance(k, str) and k.startswith(PREFIX) and k not in BY_KEY)
    if misspelt:
        raise ConfigError(
            "; ".join(f"{key} in app.config is not a shop_reco setting{_did_you_mean(key, BY_KEY)}" for key in misspelt)
            + ". The README's Configuration table lists every key."
        )
    for s in SETTINGS:
        option = s.key[len(PREFIX) :].lower()
        value = options[option] if option in options else config.get(s.key, s.default)
        if s.check is not None and not s.check(value):
            raise ConfigError(f"{s.key}={value!r} is invalid: expected {s.expect}")
        resolved[s.key] = value
    if resolved["SHOP_RECO_DEFAULT_LOCALE"] not in resolved["SHOP_RECO_LOCALES"]:
        raise ConfigError(
            f"SHOP_RECO_DEFAULT_LOCALE={resolved['SHOP_RECO_DEFAULT_LOCALE']!r} must be one of "
            f"SHOP_RECO_LOCALES={resolved['SHOP_RECO_LOCALES']!r}"
        )
    if "{sku}" not in resolved["SHOP_RECO_CART_URL_TEMPLATE"]:
        raise ConfigError("SHOP_RECO_CART_URL_TEMPLATE must contain '{sku}'")
    return resolved
