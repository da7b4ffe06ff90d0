"""Importing a merchant's product catalogue from JSON or CSV, all-or-nothing.

Every row is validated (``ProductSchema`` / ``ProductRowSchema``) before
anything is returned; one bad row raises ``ProductImportError`` listing every
problem with its line and field, so the caller never writes half a file.
``read_products`` also lists copy that reads as a treatment or cure claim
(``find_claims``, as the admin product form does), for the caller to refuse
or confirm.

    >>> rows = parse_products(
    ...     "sku,name,price,currency,url,concepts,locale\\n"
    ...     "seat-cushion,Seat cushion,45,EUR,/products/seat-cushion,trigger:sitting,en\\n"
    ...     "seat-cushion,Sittdyna,45,EUR,/products/seat-cushion,trigger:sitting,sv\\n"
    ... )
    >>> rows[0]["price"], sorted(rows[0]["text"])
    ('45.00', ['en', 'sv'])
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final, NoReturn

from marshmallow import Schema, ValidationError

from shop_reco.importing.claims import product_text_claims
from shop_reco.importing.schemas import ProductRowSchema, ProductSchema

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "MAX_PRODUCT_FILE_BYTES",
    "ProductClaim",
    "ProductFile",
    "ProductImportError",
    "parse_products",
    "read_products",
]

FORMATS: Final = ("json", "csv")
CSV_COLUMNS: Final = (
    "sku",
    "name",
    "description",
    "price",
    "currency",
    "url",
    "image_url",
    "in_stock",
    "active",
    "concepts",
    "locale",
)
REQUIRED_CSV_COLUMNS: Final = ("sku", "name", "price", "currency", "url")
MAX_PRODUCT_FILE_BYTES: Final = 5 * 1024 * 1024
#: Fields that are the same for every locale of one SKU.
SHARED_FIELDS: Final = ("price", "currency", "url", "image_url", "in_stock", "active", "concepts")
#: Errors about the whole file (encoding, syntax, header) use this line number and field.
FILE_LINE: Final = 0
FILE_FIELD: Final = "_file"

Error = dict[str, Any]


@dataclass(frozen=True, slots=True)
class _RowProblem:
    """A CSV record that cannot even be read as a row (bad quoting, wrong cell count)."""

    field: str
    message: str


class ProductImportError(ValueError):
    """One or more rows are invalid; nothing should be written.

    ``errors`` is a list of ``{"line": n, "field": name, "message": text}``:
    ``line`` is the CSV line (the header is line 1) or the JSON array index + 1,
    and 0 for problems with the whole file.
    """

    def __init__(self, errors: list[Error]):
        self.errors = errors
        shown = "; ".join(f"line {e['line']}, {e['field']}: {e['message']}" for e in errors[:5])
        more = f"; and {len(errors) - 5} more" if len(errors) > 5 else ""
        count = f"{len(errors)} problem{'s' if len(errors) != 1 else ''}"
        super().__init__(f"{count} in the product file, nothing was imported: {shown}{more}")


@dataclass(frozen=True, slots=True)
class ProductClaim:
    """Product copy that reads as a treatment or cure claim, and where it is in the file.

    ``field`` is the CSV column or flat JSON field (``description``), or the
    nested JSON path (``text.sv.description``); ``locale`` is the copy's language.
    """

    line: int
    sku: str
    locale: str
    field: str
    phrases: tuple[str, ...]

    def __str__(self) -> str:
        said = ", ".join(f"“{p}”" for p in self.phrases)
        return f"line {self.line}, sku {self.sku}, {self.field} ({self.locale}): {said}"


@dataclass(frozen=True, slots=True)
class ProductFile:
    """A valid product file: the merged products and the claims their copy makes."""

    products: list[dict[str, Any]]
    claims: tuple[ProductClaim, ...]


def parse_products(data: bytes | str, *, fmt: str | None = None) -> list[dict[str, Any]]:
    """The products of a valid file (``read_products(...).products``); see :func:`read_products`."""
    return read_products(data, fmt=fmt).products


def read_products(data: bytes | str, *, fmt: str | None = None) -> ProductFile:
    """Validate and merge product rows into ``products.json``-shaped dicts, and find their claims.

    ``fmt`` is ``json`` or ``csv``; ``None`` guesses from the first character.
    JSON is a list (or ``{"products": [...]}``) of nested products (with
    ``text: {locale: {name, description}}``) or flat rows (``name``,
    ``description``, ``locale``). CSV has the columns of ``CSV_COLUMNS``;
    ``concepts`` are separated by ``;`` or spaces. Rows of one SKU in several
    locales are merged into its ``text`` and must agree on price, URL etc.
    """
    text = _decode(data)
    if fmt is None:
        fmt = "json" if text.lstrip()[:1] in ("[", "{") else "csv"
    if fmt not in FORMATS:
        _fail(f"unknown product file format {fmt!r}; supported formats: {', '.join(FORMATS)}")
    rows = _json_rows(text) if fmt == "json" else _csv_rows(text)

    errors: list[Error] = []
    loaded: list[tuple[int, dict[str, Any], frozenset[str]]] = []
    for line, raw in rows:
        if isinstance(raw, _RowProblem):
            errors.append(_error(line, raw.field, raw.message))
            continue
        if not isinstance(raw, Mapping):
            errors.append(_error(line, "_row", "must be an object with product fields"))
            continue
        nested = "text" in raw
        schema: Schema = ProductSchema() if nested else ProductRowSchema()
        try:
            loaded.append((line, schema.load(raw), _given(raw)))
        except ValidationError as exc:
            for field, message in _flatten(exc.messages):
                # A flat row's field is its column: "concepts", not "concepts.1".
                errors.append(_error(line, field if nested else field.split(".")[0], message))
    products, origins = _merge(loaded, errors)
    if errors:
        raise ProductImportError(errors)
    return ProductFile(products, _claims(products, origins))


def _claims(
    products: list[dict[str, Any]], origins: Mapping[tuple[str, str], tuple[int, bool]]
) -> tuple[ProductClaim, ...]:
    """Every claim, named by the line and field (column, or nested path) the merchant wrote it in."""
    found: list[ProductClaim] = []
    for product in products:
        sku = product["sku"]
        for path, phrases in product_text_claims(product["text"]).items():
            _, locale, part = path.split(".")
            line, nested = origins[sku, locale]
            found.append(ProductClaim(line, sku, locale, path if nested else part, tuple(phrases)))
    return tuple(sorted(found, key=lambda c: c.line))  # stable: name before description


def _decode(data: bytes | str) -> str:
    if isinstance(data, bytes):
        if len(data) > MAX_PRODUCT_FILE_BYTES:
            _fail(f"the file is too large ({len(data):,} bytes); the limit is {MAX_PRODUCT_FILE_BYTES:,}")
        if b"\x00" in data:
            _fail("the file looks binary (it contains NUL bytes); upload a JSON or CSV text file")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            _fail(f"the file is not UTF-8 (undecodable byte at position {exc.start}); save it as UTF-8")
    elif len(data) > MAX_PRODUCT_FILE_BYTES:
        _fail(f"the file is too large; the limit is {MAX_PRODUCT_FILE_BYTES:,} bytes")
    data = data.lstrip("\ufeff")
    if not data.strip():
        _fail("the file is empty")
    return data


def _json_rows(text: str) -> Iterator[tuple[int, Any]]:
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        _fail(f"not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}")
    if isinstance(parsed, dict) and set(parsed) == {"products"}:
        parsed = parsed["products"]
    if not isinstance(parsed, list):
        _fail('expected a JSON list of products (or {"products": [...]})')
    return ((index + 1, item) for index, item in enumerate(parsed))


def _csv_rows(text: str) -> Iterator[tuple[int, dict[str, str] | _RowProblem]]:
    """Rows as dicts of their non-blank cells (blank cells take the schema's default)."""
    first_line = text.lstrip().split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader)]
    problems = [
        _error(1, name or f"column {i + 1}", f"unknown column; expected some of: {', '.join(CSV_COLUMNS)}")
        for i, name in enumerate(header)
        if name not in CSV_COLUMNS
    ]
    problems += [_error(1, name, "this column appears twice") for name in sorted(set(header)) if header.count(name) > 1]
    problems += [_error(1, name, "required column is missing") for name in REQUIRED_CSV_COLUMNS if name not in header]
    if problems:
        raise ProductImportError(problems)
    return _csv_records(reader, header)


def _csv_records(reader: Any, header: list[str]) -> Iterator[tuple[int, dict[str, str] | _RowProblem]]:
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield line, _RowProblem(FILE_FIELD, f"unreadable CSV: {exc}")
            return
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            yield (
                line,
                _RowProblem("_row", f"has {len(cells)} cells but the header has {len(header)} columns"),
            )
            continue
        yield line, {name: cell.strip() for name, cell in zip(header, cells, strict=True) if cell.strip()}


def _given(raw: Mapping[str, Any]) -> frozenset[str]:
    """The shared fields a row states itself (not left to defaults)."""
    return frozenset(name for name in SHARED_FIELDS if raw.get(name) not in (None, ""))


def _merge(
    loaded: list[tuple[int, dict[str, Any], frozenset[str]]], errors: list[Error]
) -> tuple[list[dict[str, Any]], dict[tuple[str, str], tuple[int, bool]]]:
    """One product per SKU, text merged across locales; conflicts are reported as errors.

    Also returns where each ``(sku, locale)`` text came from: its line, and whether
    that row was nested (``text: {...}``) or flat (``name``, ``description``, ``locale``).
    """
    products: dict[str, dict[str, Any]] = {}
    stated: dict[str, dict[str, int]] = {}  # sku -> field -> line that stated it
    text_lines: dict[tuple[str, str], int] = {}  # (sku, locale) -> line
    origins: dict[tuple[str, str], tuple[int, bool]] = {}
    for line, row, given in loaded:
        sku = row["sku"]
        if "text" in row:
            text = row["text"]
        else:
            text = {row["locale"]: {"name": row["name"], "description": row["description"]}}
        if sku not in products:
            products[sku] = {"sku": sku, **{name: row[name] for name in SHARED_FIELDS}, "text": {}}
            stated[sku] = {name: line for name in given}
        else:
            product = products[sku]
            for name in SHARED_FIELDS:
                if name not in given:
                    continue
                if name not in stated[sku]:
                    product[name], stated[sku][name] = row[name], line
                elif _comparable(product[name]) != _comparable(row[name]):
                    errors.append(_error(line, name, f"differs from line {stated[sku][name]} for the same sku {sku!r}"))
        for locale, block in text.items():
            if (sku, locale) in text_lines:
                errors.append(
                    _error(
                        line,
                        "locale" if "text" not in row else f"text.{locale}",
                        f"sku {sku!r} already has {locale} text on line {text_lines[sku, locale]}",
                    )
                )
                continue
            text_lines[sku, locale] = line
            origins[sku, locale] = (line, "text" in row)
            products[sku]["text"][locale] = block
    return list(products.values()), origins


def _comparable(value: Any) -> Any:
    return sorted(value) if isinstance(value, list) else value


def _flatten(messages: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """marshmallow's nested error dict as (dotted field, message) pairs.

    The ``key``/``value`` levels that ``fields.Dict`` adds are left out:
    ``text.sv.name``, not ``text.sv.value.name``.
    """
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            if key in ("key", "value") and prefix.startswith("text."):
                yield from _flatten(value, prefix)
            else:
                yield from _flatten(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(messages, list | tuple):
        for message in messages:
            if isinstance(message, Mapping | list | tuple):
                yield from _flatten(message, prefix)
            else:
                yield prefix or "_row", str(message)
    else:
        yield prefix or "_row", str(messages)


def _error(line: int, field: str, message: str) -> Error:
    return {"line": line, "field": field, "message": message}


def _fail(message: str) -> NoReturn:
    """Raise a whole-file error (line 0)."""
    raise ProductImportError([_error(FILE_LINE, FILE_FIELD, message)])
