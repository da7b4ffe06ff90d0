"""Importing a Google Merchant Center product feed: RSS 2.0, Atom or TSV.

Shops on Shopify, WooCommerce or Magento already export one. Each item becomes
a product row and goes through the same validation (``ProductRowSchema``) and
the same treatment-claim check as our own JSON and CSV files; one bad item
raises ``ProductImportError`` naming the item by its ``g:id``, and nothing is
returned. XML is parsed with defusedxml: no DTD, no entity expansion, no
external entities (billion laughs, XXE).

    >>> feed = '''<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"><channel>
    ... <item><g:id>seat-cushion</g:id><g:title>Seat cushion</g:title>
    ... <g:description>Memory foam for long days of sitting.</g:description>
    ... <g:link>https://shop.example/seat-cushion</g:link><g:price>45.00 EUR</g:price>
    ... <g:availability>in stock</g:availability></item></channel></rss>'''
    >>> product = read_google_feed(feed).products[0]
    >>> product["sku"], product["price"], product["currency"], product["in_stock"]
    ('seat-cushion', '45.00', 'EUR', True)

Fields read (``g:`` elements, or the TSV columns of the same names):
``id`` (the SKU), ``title``, ``description``, ``link``, ``image_link``,
``price`` ("39.00 EUR"), ``sale_price`` (the price shown when given),
``availability`` (in stock, out of stock, preorder, backorder; only "in
stock" counts as in stock), ``product_type`` and ``google_product_category``
(checked as single lines; shop_reco keeps no category). Other attributes
(brand, gtin, condition...) are ignored. Concepts come from ``tagger(title +
description, locale)``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final, NoReturn
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from marshmallow import ValidationError

from shop_reco import vocabulary
from shop_reco.importing.claims import product_text_claims
from shop_reco.importing.products import ProductClaim, ProductFile, ProductImportError
from shop_reco.importing.schemas import ProductRowSchema

__all__ = ["FEED_FIELDS", "GOOGLE_NS", "MAX_FEED_BYTES", "read_google_feed"]

GOOGLE_NS: Final = "http://base.google.com/ns/1.0"
_ATOM_NS: Final = "http://www.w3.org/2005/Atom"
#: A feed of tens of thousands of items is tens of megabytes.
MAX_FEED_BYTES: Final = 100 * 1024 * 1024
FEED_FIELDS: Final = (
    "id",
    "title",
    "description",
    "link",
    "image_link",
    "price",
    "sale_price",
    "availability",
    "product_type",
    "google_product_category",
)
_AVAILABILITY: Final = {"in stock": True, "out of stock": False, "preorder": False, "backorder": False}
#: "39.00 EUR", "39 EUR", "EUR 39.00", "1,299.00 SEK", "39,00 EUR".
_PRICE = re.compile(r"^\s*(?:(?P<a1>[\d.,]+)\s*(?P<c1>[A-Za-z]{3})|(?P<c2>[A-Za-z]{3})\s*(?P<a2>[\d.,]+))\s*$")
#: Our schema's field -> the feed attribute a merchant knows it by, for error messages.
_FEED_NAME: Final = {
    "sku": "g:id",
    "name": "g:title",
    "description": "g:description",
    "url": "g:link",
    "image_url": "g:image_link",
    "price": "g:price",
    "currency": "g:price",
    "in_stock": "g:availability",
    "concepts": "g:title",
    "locale": "locale",
}
_MAX_CATEGORY_CHARS: Final = 750  # Google's own limit for product_type

Tagger = Callable[[str, str], frozenset[str]]


def read_google_feed(data: bytes | str, *, locale: str = "en", tagger: Tagger | None = None) -> ProductFile:
    """Validate a Google product feed into ``products.json``-shaped dicts, and find their claims.

    XML (RSS 2.0 ``rss/channel/item`` or Atom ``feed/entry``, attributes in the
    ``g:`` namespace) when the text starts with ``<``, else a tab-separated
    file with a header row. Every item's text is in ``locale``.
    Raises ``ProductImportError``; an item's errors carry ``"item": g:id``.
    """
    if locale not in vocabulary.LOCALES:
        _fail(f"unknown locale {locale!r}; supported locales: {', '.join(vocabulary.LOCALES)}")
    raw = data.encode("utf-8") if isinstance(data, str) else data
    _check_size(raw)
    # XML goes to the parser as bytes, so a feed declared in another encoding (ISO-8859-1) reads right.
    items = _xml_items(raw) if raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") else _tsv_items(_decode(raw))
    schema = ProductRowSchema()
    errors: list[dict[str, Any]] = []
    products: list[tuple[dict[str, Any], int]] = []
    seen: dict[str, int] = {}
    for number, item in items:
        ident = item.get("id", "").strip()
        row, problems = _row(item, locale, tagger)
        if ident and ident in seen:
            problems.append(("g:id", f"appears twice in the feed (first as item {seen[ident]})"))
        elif ident:
            seen[ident] = number
        if not problems:
            try:
                loaded = schema.load(row)
            except ValidationError as exc:
                problems += [(_FEED_NAME.get(f, f), m) for f, m in _messages(exc.messages)]
            else:
                products.append(_product(loaded, number))
        errors += [_error(number, ident, field, message) for field, message in problems]
    if not seen and not errors:
        _fail("the feed has no items (expected rss/channel/item, feed/entry or TSV rows under a header)")
    if errors:
        raise ProductImportError(errors)
    return ProductFile([p for p, _ in products], _claims(products))


def _row(item: Mapping[str, str], locale: str, tagger: Tagger | None) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """A ``ProductRowSchema`` row from one feed item, and the problems only the feed can have."""
    problems: list[tuple[str, str]] = []
    get = {k: " ".join(v.split()) if k != "description" else v.strip() for k, v in item.items()}
    row: dict[str, Any] = {"locale": locale}
    for ours, theirs in (("sku", "id"), ("name", "title"), ("url", "link")):
        if get.get(theirs):
            row[ours] = get[theirs]
        else:
            problems.append((f"g:{theirs}", "required, and missing or empty"))
    if get.get("description"):
        row["description"] = get["description"]
    if get.get("image_link"):
        row["image_url"] = get["image_link"]
    price = _price(get.get("price", ""), "g:price", problems, required=True)
    sale = _price(get.get("sale_price", ""), "g:sale_price", problems, required=False)
    if price and sale and sale[1] != price[1]:
        problems.append(("g:sale_price", f"is in {sale[1]} but g:price is in {price[1]}"))
    if price:
        row["price"], row["currency"] = (sale or price)[0], price[1]
    availability = get.get("availability", "").lower().replace("_", " ")
    if availability not in _AVAILABILITY:
        problems.append(("g:availability", "use one of: in stock, out of stock, preorder, backorder"))
    else:
        row["in_stock"] = _AVAILABILITY[availability]
    for name in ("product_type", "google_product_category"):
        if len(get.get(name, "")) > _MAX_CATEGORY_CHARS:
            problems.append((f"g:{name}", f"must be at most {_MAX_CATEGORY_CHARS} characters"))
    if tagger is not None and not problems:
        row["concepts"] = sorted(tagger(f"{row.get('name', '')}\n\n{row.get('description', '')}", locale))
    return row, problems


def _price(value: str, field: str, problems: list[tuple[str, str]], *, required: bool) -> tuple[str, str] | None:
    """``("39.00", "EUR")`` from ``"39.00 EUR"``, or None with a problem noted."""
    if not value:
        if required:
            problems.append((field, "required: an amount and a currency, e.g. 39.00 EUR"))
        return None
    match = _PRICE.match(value)
    amount = match and (match.group("a1") or match.group("a2"))
    if not match or not amount:
        problems.append((field, f"{value!r} is not an amount and a currency, e.g. 39.00 EUR"))
        return None
    if "," in amount and "." not in amount and re.fullmatch(r"\d+,\d{1,2}", amount):
        amount = amount.replace(",", ".")  # 39,00 EUR
    amount = amount.replace(",", "")  # 1,299.00 SEK
    if not re.fullmatch(r"\d+(?:\.\d{1,2})?", amount):
        problems.append((field, f"{value!r} is not an amount and a currency, e.g. 39.00 EUR"))
        return None
    return amount, (match.group("c1") or match.group("c2")).upper()


def _product(row: Mapping[str, Any], number: int) -> tuple[dict[str, Any], int]:
    product = {
        "sku": row["sku"],
        "price": row["price"],
        "currency": row["currency"],
        "url": row["url"],
        "image_url": row["image_url"],
        "in_stock": row["in_stock"],
        "active": True,
        "concepts": row["concepts"],
        "text": {row["locale"]: {"name": row["name"], "description": row["description"]}},
    }
    return product, number


def _claims(products: list[tuple[dict[str, Any], int]]) -> tuple[ProductClaim, ...]:
    """Treatment or cure wording, named by the item number, its id and the feed attribute."""
    found: list[ProductClaim] = []
    for product, number in products:
        for path, phrases in product_text_claims(product["text"]).items():
            _, locale, part = path.split(".")
            field = "g:title" if part == "name" else "g:description"
            found.append(ProductClaim(number, product["sku"], locale, field, tuple(phrases)))
    return tuple(found)


# -- reading -------------------------------------------------------------------------------------


def _check_size(data: bytes) -> None:
    if len(data) > MAX_FEED_BYTES:
        _fail(f"the feed is too large ({len(data):,} bytes); the limit is {MAX_FEED_BYTES:,}")
    if b"\x00" in data:
        _fail("the file looks binary (it contains NUL bytes); export the feed as XML or TSV text")
    if not data.strip():
        _fail("the feed is empty")


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        _fail(f"the feed is not UTF-8 (undecodable byte at position {exc.start}); export it as UTF-8")


def _xml_items(data: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    """(item number, {attribute: text}) of each RSS item or Atom entry."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        _fail(f"the feed uses XML features refused for safety ({type(exc).__name__}): no DTDs or entities")
    except SafeET.ParseError as exc:
        line, column = exc.position
        _fail(f"not well-formed XML (line {line}, column {column}): {str(exc).split(':')[0]}")
    if root.tag == "rss":
        entries = root.findall("channel/item")
    elif root.tag == f"{{{_ATOM_NS}}}feed":
        entries = root.findall(f"{{{_ATOM_NS}}}entry")
    else:
        _fail(f"not a product feed: the root element is <{_local(root.tag)}>, expected <rss> or an Atom <feed>")
    return ((number, _xml_fields(entry)) for number, entry in enumerate(entries, start=1))


def _xml_fields(entry: Element) -> dict[str, str]:
    """An item's ``g:`` attributes; RSS/Atom's own title, link and description stand in for missing ones."""
    fields: dict[str, str] = {}
    for child in entry:
        if child.tag.startswith(f"{{{GOOGLE_NS}}}"):
            name = child.tag[len(GOOGLE_NS) + 2 :]
            if name in FEED_FIELDS and name not in fields:
                fields[name] = "".join(child.itertext())
    for child in entry:
        name = _local(child.tag)
        if child.tag.startswith(f"{{{GOOGLE_NS}}}") or name not in ("title", "link", "description", "summary"):
            continue
        if name == "link" and child.get("href") is not None:  # Atom
            if child.get("rel", "alternate") == "alternate":
                fields.setdefault("link", child.get("href", ""))
        else:
            fields.setdefault("description" if name == "summary" else name, "".join(child.itertext()))
    return fields


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _tsv_items(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {attribute: cell}) of each row; the header may write ``g:price`` or ``price``."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t")
    header = [name.strip().lower().removeprefix("g:") for name in next(reader)]
    if "id" not in header:
        _fail("not a Google feed: the TSV header has no id column (expected id, title, link, price, ...)")
    return _tsv_rows(reader, header)


def _tsv_rows(reader: Any, header: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            _fail(f"unreadable TSV at line {line}: {exc}")
        if not any(cell.strip() for cell in cells):
            continue
        yield line, {name: cell for name, cell in zip(header, cells, strict=False) if name in FEED_FIELDS}


def _messages(messages: Any, field: str = "") -> Iterator[tuple[str, str]]:
    """marshmallow's error dict of a flat row as (field, message) pairs."""
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            yield from _messages(value, field or str(key))
    elif isinstance(messages, list | tuple):
        for message in messages:
            yield from _messages(message, field)
    else:
        yield field or "_row", str(messages)


def _error(number: int, ident: str, field: str, message: str) -> dict[str, Any]:
    return {"line": number, "item": ident or f"#{number} (no g:id)", "field": field, "message": message}


def _fail(message: str) -> NoReturn:
    raise ProductImportError([{"line": 0, "field": "_file", "message": message}])
