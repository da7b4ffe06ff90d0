"""Benchmark the admin analytics page with 100,000 events: median time per page load.

The baseline is the same page over an empty events table, measured in the same
run (so a busy machine moves both alike). The events mimic a poisoned table: most
about real products, exercises and sections, and 20,000 distinct invented item
ids stored before the API checked them, over the last 30 days. Pages measured:
the first page (every table's first 50 rows), the products' second page and one
rule's drill-down. SQLite always; PostgreSQL as well when ``SHOP_RECO_BENCH_POSTGRES_URL``
(or the tests' ``SHOP_RECO_TEST_POSTGRES_URL``) names a server.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

EVENTS = 100_000
INVENTED_ITEMS = 20_000
PAGES = {
    "first": "/reco/admin/analytics",
    "products_page_2": "/reco/admin/analytics?product_page=2",
    "rule": "/reco/admin/analytics?rule=lower-back-stability",
}


def analytics_app(database_url: str, workdir: Path) -> Any:
    from shop_reco.demo import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SHOP_RECO_DATABASE_URL": database_url,
            "SHOP_RECO_RATELIMIT_ENABLED": False,
            "SHOP_RECO_ADMIN_AUTH": lambda: "bench",
            "INSTANCE_PATH": str(workdir),
        }
    )
    runner = app.test_cli_runner()
    for args in (["shop-reco", "db", "upgrade"], ["shop-reco", "demo-data"]):
        result = runner.invoke(args=args)
        if result.exit_code != 0:
            raise RuntimeError(result.output)
    return app


def fill_events(app: Any, count: int = EVENTS) -> None:
    """``count`` events over the last 30 days, written in one transaction of bulk inserts."""
    from sqlalchemy import insert, select

    from shop_reco.storage.models import Event, Exercise, Product, Rule, Section

    state = app.extensions["shop_reco"]
    rng = random.Random(12)
    with state.engine.begin() as connection:
        real = [("product", sku) for sku in connection.scalars(select(Product.sku))]
        real += [("exercise", slug) for slug in connection.scalars(select(Exercise.slug))]
        real += [("section", f"article-{anchor}") for anchor in connection.scalars(select(Section.anchor))]
        rules = [*connection.scalars(select(Rule.key)), None]
        now = datetime.now(timezone.utc)
        rows = []
        for n in range(count):
            item_type, item_id = (
                real[n % len(real)] if n % 5 else ("product", f"invented-{rng.randrange(INVENTED_ITEMS):05d}")
            )
            rows.append(
                {
                    "created_at": now - timedelta(minutes=rng.randrange(30 * 24 * 60)),
                    "kind": ("impression", "impression", "impression", "click", "add_to_cart")[n % 5],
                    "item_type": item_type,
                    "item_id": item_id,
                    "rule_key": rules[n % len(rules)],
                    "page_view": f"bench-{n % 5000:08d}",
                    "widget": "finder",
                    "locale": "en",
                }
            )
        for start in range(0, len(rows), 5000):
            connection.execute(insert(Event), rows[start : start + 5000])
    with state.engine.begin() as connection:
        # What PostgreSQL's autovacuum does soon after a bulk load: without statistics the
        # planner expects a few dozen rows and sorts 100,000 on disk instead of hashing them.
        connection.exec_driver_sql("ANALYZE reco_event" if connection.dialect.name == "postgresql" else "ANALYZE")


def time_pages(app: Any, repeats: int) -> dict[str, list[float]]:
    client = app.test_client()
    samples: dict[str, list[float]] = {name: [] for name in PAGES}
    for name, url in PAGES.items():
        assert client.get(url).status_code == 200  # warm: templates compiled, caches filled
        for _ in range(repeats):
            start = time.perf_counter()
            response = client.get(url)
            samples[name].append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
    return samples


def measure(database_url: str, workdir: Path, repeats: int) -> dict[str, Any]:
    app = analytics_app(database_url, workdir)
    try:
        empty = statistics.median(time_pages(app, repeats)["first"])
        fill_events(app)
        loaded = time_pages(app, repeats)
        size = len(app.test_client().get(PAGES["first"]).get_data())
    finally:
        app.extensions["shop_reco"].close()
    first = statistics.median(loaded["first"])
    return {
        "empty_ms": round(empty, 2),
        "first_ms": round(first, 2),
        "products_page_2_ms": round(statistics.median(loaded["products_page_2"]), 2),
        "rule_ms": round(statistics.median(loaded["rule"]), 2),
        "ratio_vs_empty": round(first / empty, 2),
        "first_page_kb": round(size / 1024, 1),
    }


def _postgres_schema_url(base: str) -> tuple[str, Any]:
    from sqlalchemy import create_engine, make_url, text

    schema = f"reco_bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(base)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()

    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), drop


def run(quick: bool = False) -> dict[str, Any]:
    repeats = 5 if quick else 15
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        found = measure(f"sqlite:///{Path(tmp) / 'analytics.db'}", Path(tmp), repeats)
    results.update({f"analytics_sqlite_{key}": value for key, value in found.items()})
    base = os.environ.get("SHOP_RECO_BENCH_POSTGRES_URL") or os.environ.get("SHOP_RECO_TEST_POSTGRES_URL")
    if base:
        from sqlalchemy import make_url

        url, drop = _postgres_schema_url(make_url(base).set(drivername="postgresql+psycopg").render_as_string(False))
        try:
            with tempfile.TemporaryDirectory() as tmp:
                found = measure(url, Path(tmp), repeats)
        finally:
            drop()
        results.update({f"analytics_postgres_{key}": value for key, value in found.items()})
    results["analytics_events"] = EVENTS
    return results


if __name__ == "__main__":
    print(json.dumps(run(quick=True), indent=2))
