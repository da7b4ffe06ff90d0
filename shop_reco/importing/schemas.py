"""Marshmallow schemas for content: the demo data files and merchant imports.

These are *load* schemas: they validate incoming data (a data file, an
imported product row) strictly — unknown fields are rejected — and return
JSON-ready dicts in the data-file shapes, which storage writes as they are.
Nothing is dumped through them: the loaded dicts are already the output shape.

    >>> ProductSchema().load({
    ...     "sku": "seat-cushion", "price": "45", "currency": "EUR",
    ...     "url": "/products/seat-cushion", "concepts": ["trigger:sitting"],
    ...     "text": {"en": {"name": "Seat cushion"}},
    ... })["price"]
    '45.00'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Final
from urllib.parse import urlsplit

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from shop_reco import vocabulary
from shop_reco.importing.documents import SECTION, SECTION_KINDS

__all__ = [
    "ArticleSchema",
    "ConceptList",
    "DoseSchema",
    "ExerciseSchema",
    "ExerciseTextSchema",
    "PlainText",
    "Price",
    "ProductRowSchema",
    "ProductSchema",
    "ProductTextSchema",
    "SafeUrl",
    "SectionSchema",
    "SourceSchema",
    "WeeklyFrequencySchema",
]

#: SKUs, exercise slugs and source keys.
KEY_PATTERN: Final = r"^[a-z0-9][a-z0-9-]{1,63}$"
ANCHOR_PATTERN: Final = r"^[a-z0-9][a-z0-9-]{0,99}$"
MAX_PRICE: Final = Decimal("9999999999.99")
MAX_URL_LENGTH: Final = 500

_HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!?]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_CONCEPT_SEPARATORS = re.compile(r"[;,\s]+")

_KEY = validate.Regexp(
    KEY_PATTERN, error="use 2-64 lowercase letters, digits and hyphens, starting with a letter or digit"
)


class PlainText(fields.String):
    """Trimmed plain text: no HTML tags, no control characters, length-checked.

    ``multiline`` allows newlines (article bodies, descriptions); other text
    must be one line.
    """

    def __init__(self, *, min_length: int = 1, max_length: int = 200, multiline: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        self.min_length = min_length
        self.max_length = max_length
        self.multiline = multiline

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> str:
        text = str(super()._deserialize(value, attr, data, **kwargs)).strip()
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if not self.multiline and ("\n" in text or "\t" in text):
            raise ValidationError("must be a single line of text")
        if _CONTROL.search(text):
            raise ValidationError("contains control characters")
        if _HTML_TAG.search(text):
            raise ValidationError("must be plain text, without HTML tags")
        if len(text) < self.min_length:
            raise ValidationError(
                "must not be empty" if self.min_length == 1 else f"must have at least {self.min_length} characters"
            )
        if len(text) > self.max_length:
            raise ValidationError(f"must be at most {self.max_length} characters (got {len(text)})")
        return text


class Price(fields.Field):
    """A non-negative amount with at most two decimals, loaded as text (``"59.00"``).

    Accepts strings and numbers (``"59"``, ``59.9``); text keeps the exact value
    that a float would blur, so data files use strings.
    """

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
            raise ValidationError("must be a decimal amount such as 59.00")
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise ValidationError(f"{value!r} is not a decimal amount such as 59.00") from exc
        if not amount.is_finite():
            raise ValidationError("must be a finite amount")
        if amount < 0:
            raise ValidationError("must not be negative")
        if amount != amount.quantize(Decimal("0.01")):
            raise ValidationError("must have at most 2 decimal places")
        if amount > MAX_PRICE:
            raise ValidationError(f"must be at most {MAX_PRICE}")
        return f"{amount:.2f}"

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else f"{Decimal(str(value)):.2f}"


class SafeUrl(fields.String):
    """A site-relative path or an ``http(s)`` URL; ``javascript:``, ``data:`` etc. are refused.

    ``relative=False`` requires an absolute ``http(s)`` URL (source links);
    ``allow_empty=True`` lets ``""`` through (a product without an image).
    """

    def __init__(self, *, relative: bool = True, allow_empty: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        self.relative = relative
        self.allow_empty = allow_empty

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> str:
        url = str(super()._deserialize(value, attr, data, **kwargs)).strip()
        if not url:
            if self.allow_empty:
                return ""
            raise ValidationError("must not be empty")
        if len(url) > MAX_URL_LENGTH:
            raise ValidationError(f"must be at most {MAX_URL_LENGTH} characters")
        if _CONTROL.search(url) or any(ch.isspace() for ch in url) or "\\" in url:
            raise ValidationError("must not contain spaces, backslashes or control characters")
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme in ("http", "https"):
            if not parts.netloc:
                raise ValidationError("an http(s) URL needs a host, e.g. https://example.com/page")
            return url
        if scheme:
            raise ValidationError(
                f"the {scheme}: scheme is not allowed; use a path like /products/x or an https:// URL"
            )
        if url.startswith("//"):
            raise ValidationError("write the scheme explicitly (https://...) or use a path starting with /")
        if not self.relative:
            raise ValidationError("must be an absolute http(s) URL")
        return url


class Concept(fields.String):
    """A qualified vocabulary concept such as ``area:lower_back``."""

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> str:
        name = str(super()._deserialize(value, attr, data, **kwargs)).strip()
        if not vocabulary.is_concept(name):
            raise ValidationError(
                f"unknown concept {name!r}; write group:code with a group of "
                f"{', '.join(vocabulary.GROUPS)} and a code from shop_reco.vocabulary (e.g. area:lower_back)"
            )
        return name


class ConceptList(fields.List):
    """Concepts as a list, or (from CSV) one string separated by ``;``, commas or spaces; de-duplicated."""

    def __init__(self, **kwargs: Any):
        super().__init__(Concept(), **kwargs)

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> list[Any | None]:
        if isinstance(value, str):
            value = [part for part in _CONCEPT_SEPARATORS.split(value) if part]
        concepts: list[Any | None] = super()._deserialize(value, attr, data, **kwargs)
        return list(dict.fromkeys(concepts))


def _localized(schema: type[Schema]) -> fields.Dict:
    """``{locale: {...}}`` text blocks, at least one, for known locales only."""
    return fields.Dict(
        keys=fields.String(validate=validate.OneOf(vocabulary.LOCALES)),
        values=fields.Nested(schema),
        required=True,
        validate=validate.Length(min=1, error="needs text for at least one locale"),
    )


class _StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class SourceSchema(_StrictSchema):
    """One entry of ``sources.json``: a publication an exercise or article cites."""

    key = fields.String(required=True, validate=_KEY)
    authors = PlainText(required=True, max_length=300)
    year = fields.Integer(required=True, strict=True, validate=validate.Range(1800, 2100))
    title = PlainText(required=True, max_length=500)
    publisher = PlainText(load_default="", min_length=0, max_length=300)
    url = SafeUrl(relative=False, allow_none=True, load_default=None)


class DoseSchema(_StrictSchema):
    """How much of an exercise: any of sets, reps, hold seconds, minutes; per side or not."""

    sets = fields.Integer(strict=True, allow_none=True, load_default=None, validate=validate.Range(1, 20))
    reps = fields.Integer(strict=True, allow_none=True, load_default=None, validate=validate.Range(1, 100))
    hold_seconds = fields.Integer(strict=True, allow_none=True, load_default=None, validate=validate.Range(1, 600))
    minutes = fields.Integer(strict=True, allow_none=True, load_default=None, validate=validate.Range(1, 240))
    per_side = fields.Boolean(load_default=False)

    @validates_schema
    def _some_amount(self, data: dict[str, Any], **kwargs: Any) -> None:
        if all(data.get(k) is None for k in ("sets", "reps", "hold_seconds", "minutes")):
            raise ValidationError("give at least one of sets, reps, hold_seconds or minutes")


class WeeklyFrequencySchema(_StrictSchema):
    """Sessions a week, e.g. ``{"min": 2, "max": 3}``."""

    min = fields.Integer(required=True, strict=True, validate=validate.Range(1, 14))
    max = fields.Integer(required=True, strict=True, validate=validate.Range(1, 14))

    @validates_schema
    def _ordered(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("min", 0) > data.get("max", 14):
            raise ValidationError("min must not exceed max", field_name="min")


class ExerciseTextSchema(_StrictSchema):
    """An exercise's text in one locale."""

    name = PlainText(required=True, max_length=120)
    summary = PlainText(required=True, max_length=500)
    steps = fields.List(PlainText(max_length=300), required=True, validate=validate.Length(1, 12))
    cues = fields.List(PlainText(max_length=300), load_default=list, validate=validate.Length(max=12))
    cautions = fields.List(PlainText(max_length=300), load_default=list, validate=validate.Length(max=12))
    dose = PlainText(required=True, max_length=200)


class ExerciseSchema(_StrictSchema):
    """One entry of ``exercises.json``."""

    slug = fields.String(required=True, validate=_KEY)
    kind = fields.String(required=True, validate=validate.OneOf(vocabulary.EXERCISE_KINDS))
    target_areas = fields.List(
        fields.String(validate=validate.OneOf(vocabulary.AREAS)),
        required=True,
        validate=validate.Length(min=1),
    )
    concepts = ConceptList(required=True, validate=validate.Length(min=1))
    dose = fields.Nested(DoseSchema, required=True)
    weekly_frequency = fields.Nested(WeeklyFrequencySchema, required=True)
    sources = fields.List(fields.String(validate=_KEY), load_default=list)
    text = _localized(ExerciseTextSchema)


class ProductTextSchema(_StrictSchema):
    """A product's name and description in one locale (plain text)."""

    name = PlainText(required=True, max_length=120)
    description = PlainText(load_default="", min_length=0, max_length=2000, multiline=True)


class _ProductFields(_StrictSchema):
    """Fields shared by the nested product shape and the flat (CSV) row."""

    sku = fields.String(required=True, validate=_KEY)
    price = Price(required=True)
    currency = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Z]{3}$", error="use a 3-letter ISO 4217 code such as EUR"),
    )
    url = SafeUrl(required=True)
    image_url = SafeUrl(load_default="", allow_empty=True)
    in_stock = fields.Boolean(load_default=True)
    active = fields.Boolean(load_default=True)
    concepts = ConceptList(load_default=list)


class ProductSchema(_ProductFields):
    """One entry of ``products.json``: ``text`` is ``{locale: {"name", "description"}}``."""

    text = _localized(ProductTextSchema)


class ProductRowSchema(_ProductFields):
    """One flat product row (a CSV line or flat JSON object) for one locale.

    ``parse_products`` merges the rows of one SKU into a ``ProductSchema`` shape.
    """

    locale = fields.String(load_default="en", validate=validate.OneOf(vocabulary.LOCALES))
    name = PlainText(required=True, max_length=120)
    description = PlainText(load_default="", min_length=0, max_length=2000, multiline=True)


class SectionSchema(_StrictSchema):
    """One section of an article; ``body`` is plain text, paragraphs split by blank lines."""

    anchor = fields.String(
        required=True,
        validate=validate.Regexp(ANCHOR_PATTERN, error="use lowercase ASCII letters, digits and hyphens"),
    )
    heading = PlainText(required=True, max_length=300)
    body = PlainText(load_default="", min_length=0, max_length=20000, multiline=True)
    kind = fields.String(load_default=SECTION, validate=validate.OneOf(SECTION_KINDS))
    concepts = ConceptList(load_default=list)


class ArticleSchema(_StrictSchema):
    """One entry of ``articles.json``: one article in one locale."""

    slug = fields.String(
        required=True,
        validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{1,99}$", error="use a lowercase ASCII slug"),
    )
    locale = fields.String(required=True, validate=validate.OneOf(vocabulary.LOCALES))
    title = PlainText(required=True, max_length=300)
    summary = PlainText(load_default="", min_length=0, max_length=1000, multiline=True)
    sources = fields.List(fields.String(validate=_KEY), load_default=list)
    sections = fields.List(fields.Nested(SectionSchema), required=True, validate=validate.Length(min=1))

    @validates_schema
    def _unique_anchors(self, data: dict[str, Any], **kwargs: Any) -> None:
        anchors = [s["anchor"] for s in data.get("sections", [])]
        duplicates = sorted({a for a in anchors if anchors.count(a) > 1})
        if duplicates:
            raise ValidationError(f"duplicate anchors: {', '.join(duplicates)}", field_name="sections")
