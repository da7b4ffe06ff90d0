"""Importing merchant content: articles, products, and the schemas for data files.

Plain Python with no Flask and no database: parsers return validated data (or
raise an error that lists every problem), and the caller decides what to store.

    >>> from shop_reco.importing import find_claims
    >>> find_claims("Support during daily activity.", "en")
    []
"""

from __future__ import annotations

from shop_reco.importing.articles import (
    ArticleDoc,
    ArticleImportError,
    SectionDoc,
    SourceDoc,
    parse_article,
)
from shop_reco.importing.claims import find_claims, product_text_claims
from shop_reco.importing.products import ProductClaim, ProductFile, ProductImportError, parse_products, read_products

__all__ = [
    "ArticleDoc",
    "ArticleImportError",
    "ProductClaim",
    "ProductFile",
    "ProductImportError",
    "SectionDoc",
    "SourceDoc",
    "find_claims",
    "parse_article",
    "parse_products",
    "product_text_claims",
    "read_products",
]
