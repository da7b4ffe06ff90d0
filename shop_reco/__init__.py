"""shop_reco: discomfort-aware recommendations for Flask storefronts.

A shopper describes their discomfort in their own words; shop_reco understands
the text, applies the merchant's rules and safety gate, and recommends
exercises, ergonomic products and the article sections that explain them.

    >>> from flask import Flask
    >>> from shop_reco import ShopReco
    >>> app = Flask(__name__)
    >>> reco = ShopReco(app)          # or ShopReco() then reco.init_app(app)
"""

from __future__ import annotations

__version__ = "0.1.0"

from shop_reco.extension import ShopReco  # noqa: E402

__all__ = ["ShopReco", "__version__"]
