"""shop_reco: discomfort-aware recommendations for Flask storefronts.

A shopper describes their discomfort in their own words; shop_reco understands
the text, applies the merchant's rules and safety gate, and recommends
exercises, ergonomic products and the article sections that explain them.

    >>> from flask import Flask
    >>> from shop_reco import ShopReco
    >>> app = Flask(__name__)
    >>> reco = ShopReco(app)          # or ShopReco() then reco.init_app(app)

The extension (and with it Flask and SQLAlchemy) loads on first use of
``ShopReco``, so ``shop_reco.understanding`` and ``shop_reco.recommending``
import without either installed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["ShopReco", "__version__"]

if TYPE_CHECKING:
    from shop_reco.extension import ShopReco


def __getattr__(name: str) -> Any:
    """Load the extension when ``ShopReco`` is first asked for (PEP 562)."""
    if name == "ShopReco":
        from shop_reco.extension import ShopReco

        globals()["ShopReco"] = ShopReco
        return ShopReco
    raise AttributeError(f"module 'shop_reco' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), "ShopReco"])
