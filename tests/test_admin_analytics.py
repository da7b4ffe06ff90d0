"""Admin analytics: counts and click-through rate per rule, product and exercise; charts; CSV."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from admin_pages import admin_app
from flask import Flask
from flask.testing import FlaskClient

from shop_reco.admin.analytics import DateRange, parse_range
from shop_reco.storage.models import Event

ADMIN = "/reco/admin"
API = "/reco/api/v1"


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    yield from admin_app(database_url, tmp_path)


def post_events(client: FlaskClient, *events: dict[str, Any]) -> None:
    response = client.post(f"{API}/events", json={"events": list(events)})
    assert response.status_code == 202, response.get_json()


def event(kind: str, item_type: str, item_id: str, rule: str | None = None) -> dict[str, Any]:
    return {
        "kind": kind,
        "item_type": item_type,
        "item_id": item_id,
        "rule": rule,
        "widget": "finder",
        "page_view": "pv-0123456789",
        "locale": "en",
    }


def shop_events(client: FlaskClient) -> None:
    """What a finder widget reports: four cushion impressions, one click, one add-to-cart..."""
    post_events(
        client,
        *[event("impression", "product", "ergonomic-seat-cushion", "sitting-hip-flexors")] * 4,
        event("click", "product", "ergonomic-seat-cushion", "sitting-hip-flexors"),
        event("add_to_cart", "product", "ergonomic-seat-cushion", "sitting-hip-flexors"),
        *[event("impression", "exercise", "glute-bridge", "sitting-hip-flexors")] * 2,
        event("click", "exercise", "glute-bridge", "sitting-hip-flexors"),
        event("impression", "exercise", "hamstring-stretch"),
    )


def row_cells(html: str, table_id: str, label: str) -> list[str]:
    """The cells of the row headed ``label`` in the table with ``table_id``."""
    table = html[html.index(f'id="{table_id}"') :]
    table = table[: table.index("</table>")]
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        header = re.search(r"<th[^>]*>(.*?)</th>", row, re.S)
        if header and label in re.sub(r"<[^>]+>", "", header.group(1)):
            return [unescape(c.strip()) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    raise AssertionError(f"no row {label!r} in #{table_id}")


def test_counts_and_click_through_rate(client: FlaskClient) -> None:
    shop_events(client)
    response = client.get(f"{ADMIN}/analytics")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    # impressions, clicks, add-to-carts, CTR
    assert row_cells(html, "rules-table", "sitting-hip-flexors") == ["6", "2", "1", "33.3%"]
    assert row_cells(html, "rules-table", "(no rule)") == ["1", "0", "0", "0.0%"]
    assert row_cells(html, "product-table", "ergonomic-seat-cushion") == ["4", "1", "1", "25.0%"]
    assert row_cells(html, "exercise-table", "glute-bridge") == ["2", "1", "0", "50.0%"]
    today = datetime.now(timezone.utc).date().isoformat()
    assert row_cells(html, "daily-table", today) == ["7", "2", "1", "28.6%"]
    assert "7 impressions, 2 clicks, 1 add-to-carts" in html
    # The per-day table starts with the newest day (today), the oldest last.
    daily = html[html.index('id="daily-table"') :]
    days = re.findall(r'<th scope="row">(\d{4}-\d{2}-\d{2})</th>', daily[: daily.index("</table>")])
    assert days[0] == today and days == sorted(days, reverse=True) and len(days) == 30


def test_charts_are_accessible_svg(client: FlaskClient) -> None:
    shop_events(client)
    html = client.get(f"{ADMIN}/analytics").get_data(as_text=True)
    charts = re.findall(r"<svg[^>]*role=\"img\"[^>]*>(.*?)</svg>", html, re.S)
    assert len(charts) == 2
    for chart in charts:
        assert re.search(r"<title id=\"[^\"]+\">[^<]+</title>", chart)
        assert re.search(r"<desc id=\"[^\"]+\">[^<]+</desc>", chart)
    assert "<polyline" in charts[0] and "totals: impressions 7, clicks 2, add-to-carts 1" in charts[0]
    assert "<rect" in charts[1]
    assert "<script" not in html and "cdn" not in html.lower()


def test_drill_down_by_rule_and_item(client: FlaskClient) -> None:
    shop_events(client)
    today = datetime.now(timezone.utc).date().isoformat()
    html = client.get(f"{ADMIN}/analytics?rule=sitting-hip-flexors").get_data(as_text=True)
    assert "Per day: rule sitting-hip-flexors" in html
    assert row_cells(html, "daily-table", today) == ["6", "2", "1", "33.3%"]
    html = client.get(f"{ADMIN}/analytics?item_type=exercise&item_id=glute-bridge").get_data(as_text=True)
    assert row_cells(html, "daily-table", today) == ["2", "1", "0", "50.0%"]


def test_date_range_filters_by_day(app: Flask, client: FlaskClient) -> None:
    shop_events(client)
    old = datetime.now(timezone.utc) - timedelta(days=40)
    with app.app_context():
        from shop_reco.extension import get_session

        session = get_session()
        session.add(
            Event(
                kind="impression",
                item_type="product",
                item_id="lumbar-support-belt",
                rule_key="lower-back-stability",
                created_at=old,
            )
        )
        session.commit()
    default = client.get(f"{ADMIN}/analytics").get_data(as_text=True)
    assert "lower-back-stability" not in default  # older than the last 30 days

    day = old.date().isoformat()
    html = client.get(f"{ADMIN}/analytics?start={day}&end={day}").get_data(as_text=True)
    assert row_cells(html, "rules-table", "lower-back-stability") == ["1", "0", "0", "0.0%"]
    assert "sitting-hip-flexors" not in html
    assert row_cells(html, "daily-table", day) == ["1", "0", "0", "0.0%"]

    bad = client.get(f"{ADMIN}/analytics?start=yesterday")
    assert bad.status_code == 400
    assert "&#39;yesterday&#39; is not a date; use YYYY-MM-DD" in bad.get_data(as_text=True)


def test_csv_export(client: FlaskClient) -> None:
    shop_events(client)
    tricky = '=HYPERLINK("http://evil.example","click"), "quoted"'
    # Stored before the API checked item ids (it refuses invented ones now): still escaped on export.
    with client.application.app_context():
        from shop_reco.extension import get_session

        get_session().add(Event(kind="impression", item_type="section", item_id=tricky))
        get_session().commit()
    response = client.get(f"{ADMIN}/analytics/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    today = datetime.now(timezone.utc).date().isoformat()
    by_key = {(r["day"], r["dimension"], r["key"]): r for r in rows}
    rule = by_key[today, "rule", "sitting-hip-flexors"]
    assert (rule["impressions"], rule["clicks"], rule["add_to_carts"], rule["ctr"]) == (
        "6",
        "2",
        "1",
        "0.3333",
    )
    assert by_key[today, "all", ""]["impressions"] == "8"
    assert by_key[today, "product", "ergonomic-seat-cushion"]["add_to_carts"] == "1"
    # A spreadsheet shows the hostile id as text; commas and quotes survive the round trip.
    assert by_key[today, "section", "'" + tricky]["impressions"] == "1"


def test_answers_by_safety_level(client: FlaskClient) -> None:
    descriptions = [
        "My lower back is stiff after sitting all day.",
        "My hip aches when I climb stairs.",
        "Since the fall my back hurts and I cannot control my bladder.",
    ]
    shown = Counter()
    for text in descriptions:
        answer = client.post(f"{API}/recommendations", json={"description": text, "locale": "en"}).get_json()
        shown[answer["safety"]["level"]] += 1
    html = client.get(f"{ADMIN}/analytics").get_data(as_text=True)
    for level in ("none", "consult", "urgent"):
        assert row_cells(html, "safety-table", level) == [str(shown[level])]
    assert f"none: {shown['none']}; consult: {shown['consult']}; urgent: {shown['urgent']}." in html


@pytest.mark.parametrize(
    ("args", "expected", "problem"),
    [
        ({}, DateRange(date(2024, 5, 2), date(2024, 5, 31)), None),
        ({"start": "2024-05-30"}, DateRange(date(2024, 5, 30), date(2024, 5, 31)), None),
        ({"end": "2024-05-10"}, DateRange(date(2024, 4, 11), date(2024, 5, 10)), None),
        (
            {"start": "2024-05-20", "end": "2024-05-10"},
            DateRange(date(2024, 5, 10), date(2024, 5, 20)),
            "end",
        ),
        ({"start": "2020-01-01"}, DateRange(date(2023, 6, 1), date(2024, 5, 31)), "start"),
    ],
)
def test_parse_range(args: dict[str, str], expected: DateRange, problem: str | None) -> None:
    rng, errors = parse_range(args, date(2024, 5, 31))
    assert rng == expected
    assert list(errors) == ([problem] if problem else [])


def test_ranked_tables_are_paged_so_thousands_of_items_stay_one_page(app: Flask, client: FlaskClient) -> None:
    """Events about 120 products (stored before the API checked item ids) fill three pages of 50."""
    with app.app_context():
        from shop_reco.extension import get_session

        session = get_session()
        session.add_all(
            Event(kind="impression", item_type="product", item_id=f"old-item-{n:03d}")
            for n in range(120)
            for _ in range(n % 3 + 1)
        )
        session.commit()
    first = client.get(f"{ADMIN}/analytics").get_data(as_text=True)
    products = first[first.index('id="product-table"') : first.index("</table>", first.index('id="product-table"'))]
    assert products.count('<tr><th scope="row">') == 50
    assert "Rows 1–50 of 120, page 1 of 3." in first
    assert row_cells(first, "product-table", "old-item-119") == ["3", "0", "0", "0.0%"], "most impressions first"
    next_link = re.search(r'href="([^"]*product_page=2[^"]*)" rel="next"', first)
    assert next_link is not None
    last = client.get(unescape(next_link.group(1)).replace("product_page=2", "product_page=3")).get_data(as_text=True)
    assert "Rows 101–120 of 120, page 3 of 3." in last
    beyond = client.get(f"{ADMIN}/analytics?product_page=99").get_data(as_text=True)
    assert "page 3 of 3" in beyond, "a page past the end shows the last"
