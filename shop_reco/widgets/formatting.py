"""Prices and plurals the way CLDR writes them, through Babel: "€39.00" in English, "39,00 €" in Swedish.

Only ``babel.numbers`` is imported (about 0.4 MB); a locale's CLDR data is
read the first time a widget formats a price in it (about 3 MB a locale,
measured as worker RSS), so an API-only worker never loads any. widget.js
does the same in the browser with ``Intl.NumberFormat`` and ``Intl.PluralRules``.

    >>> format_price("39.00", "EUR", "en"), format_price("39.00", "EUR", "sv")
    ('€39.00', '39,00\\xa0€')
    >>> plural_category(1, "en"), plural_category(2, "sv")
    ('one', 'other')
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel.core import Locale, UnknownLocaleError
from babel.numbers import UnknownCurrencyError, format_currency

FALLBACK_LOCALE = "en"
_ISO_CODE = re.compile(r"[A-Z]{3}")


@lru_cache(maxsize=16)
def _locale(code: str) -> Locale:
    try:
        return Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(FALLBACK_LOCALE)


def format_price(amount: str | Decimal | float, currency: str, locale: str) -> str:
    """``amount`` in ``currency`` as the locale writes it; ``39.00 EURO`` for a code not shaped like ISO 4217."""
    if not _ISO_CODE.fullmatch(currency):
        return f"{amount} {currency}"
    try:
        value = Decimal(str(amount))
        return str(format_currency(value, currency, locale=_locale(locale)))
    except (InvalidOperation, UnknownCurrencyError, ValueError):
        return f"{amount} {currency}"


def plural_category(n: int, locale: str) -> str:
    """CLDR's plural category of ``n`` in ``locale``: ``one``, ``few``, ``many`` or ``other``."""
    return str(_locale(locale).plural_form(n))
