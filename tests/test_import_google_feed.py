"""Google Merchant Center feeds (RSS 2.0, Atom, TSV): read, validated, tagged, and imported
by `flask shop-reco import-products --format google` as a shop exports them."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from shop_reco.extension import get_session
from shop_reco.importing.google_feed import read_google_feed
from shop_reco.importing.products import ProductImportError
from shop_reco.storage.models import Product, Revision
from shop_reco.understanding import tag_text

G = "http://base.google.com/ns/1.0"

CUSHION = {
    "id": "lumbar-cushion",
    "title": "Lumbar cushion",
    "description": "Memory foam support for your lower back while sitting at a desk.",
    "link": "https://shop.example/products/lumbar-cushion",
    "image_link": "https://shop.example/img/lumbar-cushion.jpg",
    "price": "39.00 EUR",
    "sale_price": "29.50 EUR",
    "availability": "in stock",
    "product_type": "Home > Office > Cushions",
    "google_product_category": "Health & Beauty > Health Care",
}
MAT = {
    "id": "yoga-mat",
    "title": "Yoga mat",
    "description": "A firm, non-slip mat for floor exercises.",
    "link": "https://shop.example/products/yoga-mat",
    "price": "25 EUR",
    "availability": "out of stock",
}
BELT = {
    "id": "posture-belt",
    "title": "Posture belt",
    "description": "Gentle support for the shoulders.",
    "link": "https://shop.example/products/posture-belt",
    "price": "49.90 EUR",
    "availability": "preorder",
}


def rss(*items: dict[str, str]) -> str:
    body = "".join(
        "<item>" + "".join(f"<g:{k}>{v.replace('&', '&amp;')}</g:{k}>" for k, v in item.items()) + "</item>"
        for item in items
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:g="{G}"><channel>'
        f"<title>Shop</title><link>https://shop.example</link>{body}</channel></rss>"
    )


def atom(*items: dict[str, str]) -> str:
    entries = []
    for item in items:
        fields = "".join(
            f"<g:{k}>{v.replace('&', '&amp;')}</g:{k}>" for k, v in item.items() if k not in ("title", "link")
        )
        entries.append(f'<entry><title>{item["title"]}</title><link href="{item["link"]}"/>{fields}</entry>')
    return f'<feed xmlns="http://www.w3.org/2005/Atom" xmlns:g="{G}"><title>Shop</title>{"".join(entries)}</feed>'


def tsv(*items: dict[str, str]) -> str:
    columns = ["id", "title", "description", "link", "image_link", "price", "sale_price", "availability", "brand"]
    rows = ["\t".join(columns)] + ["\t".join(item.get(c, "") for c in columns) for item in items]
    return "\n".join(rows) + "\n"


# -- reading ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [rss, atom, tsv], ids=["rss", "atom", "tsv"])
def test_feed_items_become_products_tagged_with_concepts(make) -> None:  # type: ignore[no-untyped-def]
    parsed = read_google_feed(make(CUSHION, MAT, BELT), tagger=tag_text)
    cushion, mat, belt = parsed.products
    assert cushion["sku"] == "lumbar-cushion"
    assert (cushion["price"], cushion["currency"]) == ("29.50", "EUR"), "the sale price is what the shopper pays"
    assert cushion["url"] == CUSHION["link"]
    assert cushion["text"] == {"en": {"name": "Lumbar cushion", "description": CUSHION["description"]}}
    assert {"area:lower_back", "trigger:sitting"} <= set(cushion["concepts"])
    assert cushion["in_stock"] is True and cushion["active"] is True
    assert (mat["price"], mat["in_stock"]) == ("25.00", False)
    assert belt["in_stock"] is False, "a preorder cannot be bought today"
    assert parsed.claims == ()
    if make is not atom:
        assert cushion["image_url"] == CUSHION["image_link"]


def test_feed_text_is_stored_in_the_given_locale() -> None:
    swedish = {**MAT, "title": "Yogamatta", "description": "En fast matta för golvövningar."}
    (product,) = read_google_feed(rss(swedish), locale="sv").products
    assert product["text"] == {"sv": {"name": "Yogamatta", "description": "En fast matta för golvövningar."}}


def test_bad_items_are_named_by_their_id_and_nothing_is_returned() -> None:
    bad_price = {**MAT, "price": "cheap"}
    bad_stock = {**CUSHION, "availability": "maybe"}
    no_link = {k: v for k, v in BELT.items() if k != "link"}
    script = {**BELT, "id": "shady", "link": "javascript:alert(1)"}
    with pytest.raises(ProductImportError) as caught:
        read_google_feed(rss(bad_price, bad_stock, no_link, script, MAT))
    errors = {(e["item"], e["field"]) for e in caught.value.errors}
    assert errors == {
        ("yoga-mat", "g:price"),
        ("lumbar-cushion", "g:availability"),
        ("posture-belt", "g:link"),
        ("shady", "g:link"),
        ("yoga-mat", "g:id"),  # the same id twice
    }
    price = next(e for e in caught.value.errors if e["field"] == "g:price")
    assert "39.00 EUR" in price["message"] and price["line"] == 1


def test_treatment_claims_are_found_by_item_and_attribute() -> None:
    claim = {**MAT, "description": "This mat cures back pain."}
    (found,) = read_google_feed(rss(claim)).claims
    assert str(found) == "line 1, sku yoga-mat, g:description (en): “cures”"


@pytest.mark.parametrize(
    ("feed", "message"),
    [
        (
            '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
            f'<rss xmlns:g="{G}"><channel><item><g:id>&b;</g:id></item></channel></rss>',
            "refused for safety",
        ),
        (
            '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            f'<rss xmlns:g="{G}"><channel><item><g:title>&x;</g:title></item></channel></rss>',
            "refused for safety",
        ),
        ("<rss><channel><item>", "not well-formed XML"),
        ("<html><body>shop</body></html>", "expected <rss> or an Atom <feed>"),
        (f'<rss xmlns:g="{G}"><channel></channel></rss>', "the feed has no items"),
        ("sku,title,price\nx,y,1 EUR\n", "no id column"),
        ("", "empty"),
    ],
    ids=["entity-expansion", "external-entity", "broken", "not-a-feed", "no-items", "csv", "empty"],
)
def test_unsafe_or_broken_feeds_are_refused(feed: str, message: str) -> None:
    with pytest.raises(ProductImportError, match=message):
        read_google_feed(feed)


def test_a_feed_declared_in_latin_1_reads_right() -> None:
    feed = rss({**MAT, "description": "Mjuk matta för golvet."}).replace("UTF-8", "ISO-8859-1").encode("latin-1")
    (product,) = read_google_feed(feed, locale="sv").products
    assert product["text"]["sv"]["description"] == "Mjuk matta för golvet."


# -- importing ---------------------------------------------------------------------------------------


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return int(get_session().scalar(select(func.count()).select_from(model)) or 0)


def test_cli_imports_a_feed_and_the_same_feed_again_changes_nothing(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    feed = tmp_path / "feed.xml"
    feed.write_text(rss(CUSHION, MAT), encoding="utf-8")
    first = runner.invoke(args=["shop-reco", "import-products", str(feed)])
    assert first.exit_code == 0, first.output
    assert "2 products read, 2 created or updated" in first.output
    with app.app_context():
        cushion = get_session().scalars(select(Product).where(Product.sku == "lumbar-cushion")).one()
        assert str(cushion.price) == "29.50" and "trigger:sitting" in cushion.concepts
    revisions = _count(app, Revision)
    again = runner.invoke(args=["shop-reco", "import-products", "--format", "google", str(feed)])
    assert again.exit_code == 0, again.output
    assert "2 products read, 0 created or updated" in again.output
    assert _count(app, Revision) == revisions, "a re-import records no revision"


def test_cli_feed_keeps_the_text_of_other_languages(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    sku = "ergonomic-seat-cushion"  # a demo product with English and Swedish text
    feed = tmp_path / "feed.tsv"
    feed.write_text(tsv({**CUSHION, "id": sku, "title": "Seat cushion, new edition"}), encoding="utf-8")
    result = runner.invoke(args=["shop-reco", "import-products", "--format", "google", str(feed)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        product = get_session().scalars(select(Product).where(Product.sku == sku)).one()
        assert product.text["en"]["name"] == "Seat cushion, new edition"
        assert product.text["sv"]["name"], "the Swedish text the feed does not carry is kept"


def test_cli_prune_deactivates_products_missing_from_the_feed(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    with app.app_context():
        before = set(get_session().scalars(select(Product.sku).where(Product.active)))
    feed = tmp_path / "feed.xml"
    feed.write_text(rss(CUSHION), encoding="utf-8")
    result = runner.invoke(args=["shop-reco", "import-products", "--prune", str(feed)])
    assert result.exit_code == 0, result.output
    assert f"{len(before)} products not in the file deactivated" in result.output
    with app.app_context():
        assert set(get_session().scalars(select(Product.sku).where(Product.active))) == {"lumbar-cushion"}
    again = runner.invoke(args=["shop-reco", "import-products", "--prune", str(feed)])
    assert "0 created or updated" in again.output and "0 products not in the file deactivated" in again.output


def test_cli_bad_feed_item_is_named_and_nothing_is_written(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    products, revisions = _count(app, Product), _count(app, Revision)
    feed = tmp_path / "feed.xml"
    feed.write_text(rss(CUSHION, {**MAT, "price": "free"}), encoding="utf-8")
    bad = runner.invoke(args=["shop-reco", "import-products", str(feed)])
    assert bad.exit_code != 0
    assert "item yoga-mat (#2), field g:price" in bad.output and "nothing imported" in bad.output
    claims = tmp_path / "claims.xml"
    claims.write_text(rss(CUSHION, {**MAT, "description": "Treats sciatica."}), encoding="utf-8")
    refused = runner.invoke(args=["shop-reco", "import-products", str(claims)])
    assert refused.exit_code != 0 and "sku yoga-mat, g:description (en): “Treats”" in refused.output
    assert (_count(app, Product), _count(app, Revision)) == (products, revisions)
