"""Importing a product catalogue from JSON or CSV: all rows valid, or nothing at all."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop_reco.importing.products import CSV_COLUMNS, ProductClaim, ProductImportError, parse_products, read_products

DEMO_PRODUCTS = Path(__file__).resolve().parents[1] / "shop_reco" / "demo" / "data" / "products.json"

HEADER = ",".join(CSV_COLUMNS)
GOOD_CSV = f"""{HEADER}
seat-cushion,Seat cushion,More comfortable sitting.,45,EUR,/products/seat-cushion,/img/seat.svg,\
true,yes,trigger:sitting;area:buttock,en
seat-cushion,Sittdyna,Bekvämare sittande.,45.00,EUR,/products/seat-cushion,/img/seat.svg,1,true,,sv
support-belt,Support belt,"Support during daily activity,
for example gardening.",39.5,SEK,https://shop.example/belt,,no,,area:lower_back trigger:lifting,
"""


def errors_of(data: str | bytes, **kwargs: Any) -> list[dict[str, Any]]:
    with pytest.raises(ProductImportError) as info:
        parse_products(data, **kwargs)
    return info.value.errors


def csv_with(row: str) -> str:
    """A CSV whose line 2 is good and line 3 is ``row``."""
    good = "cushion,Cushion,,45,EUR,/products/cushion,,,,,en"
    return f"{HEADER}\n{good}\n{row}\n"


# --- good files --------------------------------------------------------------------------------------


def test_csv_rows_are_merged_per_sku_and_defaults_applied() -> None:
    products = parse_products(GOOD_CSV)
    assert [p["sku"] for p in products] == ["seat-cushion", "support-belt"]
    cushion, belt = products
    assert cushion == {
        "sku": "seat-cushion",
        "price": "45.00",
        "currency": "EUR",
        "url": "/products/seat-cushion",
        "image_url": "/img/seat.svg",
        "in_stock": True,
        "active": True,
        "concepts": ["trigger:sitting", "area:buttock"],
        "text": {
            "en": {"name": "Seat cushion", "description": "More comfortable sitting."},
            "sv": {"name": "Sittdyna", "description": "Bekvämare sittande."},
        },
    }
    assert belt["price"] == "39.50"
    assert belt["in_stock"] is False and belt["active"] is True
    assert belt["image_url"] == ""
    assert belt["concepts"] == ["area:lower_back", "trigger:lifting"]
    assert belt["text"] == {
        "en": {
            "name": "Support belt",
            "description": "Support during daily activity,\nfor example gardening.",
        }
    }


def test_semicolon_csv_with_excel_bom_is_read() -> None:
    text = (
        "\ufeffsku;name;price;currency;url;concepts;locale\n"
        'belt;Bälte;39,00;SEK;/p/belt;"area:hip area:lower_back";sv\n'
    )
    errors = errors_of(text.encode("utf-8"))
    assert errors == [{"line": 2, "field": "price", "message": "'39,00' is not a decimal amount such as 59.00"}]
    fixed = text.replace("39,00", "39.00").encode("utf-8")
    (belt,) = parse_products(fixed, fmt="csv")
    assert belt["text"] == {"sv": {"name": "Bälte", "description": ""}}
    assert belt["concepts"] == ["area:hip", "area:lower_back"]


def test_demo_products_json_imports_unchanged() -> None:
    data = DEMO_PRODUCTS.read_bytes()
    assert parse_products(data) == json.loads(data)


def test_flat_json_rows_are_merged_like_csv() -> None:
    rows = [
        {"sku": "cushion", "name": "Cushion", "price": 45, "currency": "EUR", "url": "/p/cushion"},
        {
            "sku": "cushion",
            "name": "Dyna",
            "price": "45.00",
            "currency": "EUR",
            "url": "/p/cushion",
            "locale": "sv",
        },
    ]
    (cushion,) = parse_products(json.dumps({"products": rows}))
    assert cushion["text"] == {
        "en": {"name": "Cushion", "description": ""},
        "sv": {"name": "Dyna", "description": ""},
    }
    assert cushion["price"] == "45.00"


# --- bad rows: every problem, with line and field, and nothing returned ---------------------------------


def test_one_bad_csv_row_rejects_the_whole_file() -> None:
    errors = errors_of(csv_with("belt,Belt,,-1,EUR,/products/belt,,,,,en"))
    assert errors == [{"line": 3, "field": "price", "message": "must not be negative"}]


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("Belt,Belt,,39,EUR,/products/belt,,,,,en", "sku", "lowercase"),
        ("belt,Belt,,39.999,EUR,/products/belt,,,,,en", "price", "at most 2 decimal places"),
        ("belt,Belt,,39,eur,/products/belt,,,,,en", "currency", "3-letter"),
        ("belt,Belt,,39,EUR,javascript:alert(1),,,,,en", "url", "javascript: scheme is not allowed"),
        ("belt,Belt,,39,EUR,/products/belt,JavaScript:alert(1),,,,en", "image_url", "javascript: scheme"),
        ("belt,Belt,,39,EUR,//evil.example/x,,,,,en", "url", "scheme explicitly"),
        ("belt,Belt,,39,EUR,/products/belt,,maybe,,,en", "in_stock", "boolean"),
        ("belt,Belt,,39,EUR,/products/belt,,,,area:knee,en", "concepts", "unknown concept 'area:knee'"),
        ("belt,Belt,,39,EUR,/products/belt,,,,,de", "locale", "Must be one of: en, sv"),
        ("belt,<b>Belt</b>,,39,EUR,/products/belt,,,,,en", "name", "plain text"),
        ("belt,,,39,EUR,/products/belt,,,,,en", "name", "Missing data"),
        ("belt,Belt,,39,EUR,/products/belt,,,,,en,extra", "_row", "12 cells"),
        ("cushion,Cushion again,,45,EUR,/products/cushion,,,,,en", "locale", "already has en text on line 2"),
        ("cushion,Dyna,,50,EUR,/products/cushion,,,,,sv", "price", "differs from line 2"),
    ],
)
def test_bad_csv_row_names_line_and_field(row: str, field: str, message: str) -> None:
    errors = errors_of(csv_with(row))
    assert [(e["line"], e["field"]) for e in errors] == [(3, field)]
    assert message in errors[0]["message"]


def test_all_bad_rows_are_reported_and_summarised() -> None:
    text = (
        f'{HEADER}\na1,A,,1,EUR,/a,,,,,en\nb2,B,"two\nlines",x,EUR,/b,,,,,en\nc3,C,,1,EUR,javascript:void(0),,,,,en\n'
    )
    error = pytest.raises(ProductImportError, parse_products, text).value
    assert [(e["line"], e["field"]) for e in error.errors] == [(3, "price"), (5, "url")]
    assert str(error).startswith("2 problems in the product file, nothing was imported: line 3, price:")
    assert isinstance(error, ValueError)


def test_csv_header_problems_are_on_line_1() -> None:
    errors = errors_of("sku,name,colour,price,currency\nbelt,Belt,red,39,EUR\n")
    assert [(e["line"], e["field"]) for e in errors] == [(1, "colour"), (1, "url")]
    assert "unknown column" in errors[0]["message"] and "required column" in errors[1]["message"]


def test_bad_json_items_name_index_plus_one_and_dotted_fields() -> None:
    good = {
        "sku": "belt",
        "price": "39.00",
        "currency": "EUR",
        "url": "/p/belt",
        "text": {"en": {"name": "Belt"}},
    }
    bad = {
        **good,
        "sku": "shirt",
        "url": "javascript:alert(1)",
        "colour": "black",
        "text": {"en": {"name": ""}, "fr": {"name": "Chemise"}},
    }
    errors = errors_of(json.dumps([good, bad, "not an object"]))
    assert {(e["line"], e["field"]) for e in errors} == {
        (2, "url"),
        (2, "colour"),
        (2, "text.en.name"),
        (2, "text.fr"),
        (3, "_row"),
    }


@pytest.mark.parametrize(
    ("data", "kwargs", "message"),
    [
        ("", {}, "empty"),
        ("[1, 2", {}, "not valid JSON (line 1"),
        ('{"sku": "belt"}', {}, "expected a JSON list"),
        ("sku\nbelt", {"fmt": "xml"}, "supported formats: json, csv"),
        (b"\xff\xfe\x00s\x00k", {}, "binary"),
        (b"sku,name\nb\xe4lt,x", {}, "not UTF-8"),
    ],
)
def test_whole_file_problems_are_line_0(data: str | bytes, kwargs: dict[str, str], message: str) -> None:
    (error,) = errors_of(data, **kwargs)
    assert (error["line"], error["field"]) == (0, "_file")
    assert message in error["message"]


def test_empty_list_and_header_only_import_nothing() -> None:
    assert parse_products("[]") == []
    assert parse_products(f"{HEADER}\n") == []


@given(
    st.text(max_size=400)
    | st.lists(
        st.sampled_from([HEADER, "belt,Belt,,39,EUR,/p/belt,,,,,en", "x,,,,,,", '"', "a;b", ",,,"]),
        max_size=6,
    ).map("\n".join)
)
def test_any_input_gives_products_or_a_product_import_error(text: str) -> None:
    try:
        products = parse_products(text)
    except ProductImportError as exc:
        assert exc.errors and all({"line", "field", "message"} <= set(e) for e in exc.errors)
        return
    assert all(p["text"] for p in products)


def test_claims_are_found_with_the_line_sku_and_field_they_were_written_in() -> None:
    csv_file = read_products(csv_with("belt,Belt that heals,Relieves back pain at work,39,EUR,/p/belt,,,,,en"))
    assert csv_file.claims == (
        ProductClaim(3, "belt", "en", "name", ("heals",)),
        ProductClaim(3, "belt", "en", "description", ("Relieves back pain",)),
    )
    nested = [
        {"sku": "mat", "price": "25", "currency": "EUR", "url": "/p/mat", "text": {"en": {"name": "Mat"}}},
        {
            "sku": "belt",
            "price": "39",
            "currency": "SEK",
            "url": "/p/belt",
            "text": {"sv": {"name": "Bälte", "description": "Bältet botar ryggont."}},
        },
    ]
    (claim,) = read_products(json.dumps(nested)).claims
    assert claim == ProductClaim(2, "belt", "sv", "text.sv.description", ("botar",))
    assert str(claim) == "line 2, sku belt, text.sv.description (sv): “botar”"
    assert read_products(GOOD_CSV).claims == (), "support and comfort wording is not a claim"
