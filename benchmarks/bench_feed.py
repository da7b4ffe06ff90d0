"""Benchmark importing a Google product feed: 10,000 items, then the same feed again.

    python -m benchmarks.bench_feed            # 10,000 items
    python -m benchmarks.bench_feed --quick    # 2,000 items

A generated RSS feed goes through ``flask shop-reco import-products --format
google`` on a fresh SQLite database: parsing (defusedxml), validation,
claims check, tagging by the analyzer, and the upsert. The goal is under 30 s
for 10,000 items (wall clock; ``feed_import_cpu_s`` is the process's CPU
time, which a machine busy with other work does not inflate); the second import of the same file must change nothing and
record no revision (``feed_reimport_changed`` and ``feed_reimport_revisions``
both 0). Every key starts with ``feed_`` so ``python -m benchmarks`` can merge
the results.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ITEMS = 10_000
QUICK_ITEMS = 2_000
_KINDS = (
    ("Lumbar cushion", "Memory foam support for your lower back while sitting at a desk."),
    ("Standing mat", "A soft mat for long hours of standing at the counter."),
    ("Laptop stand", "Raises the screen to eye level so your neck stays upright."),
    ("Foam roller", "A firm roller for the thighs and hips after walking."),
    ("Seat wedge", "Tilts the pelvis forward on hard chairs; gives support while you sit."),
    ("Wrist rest", "Gel rest for typing at a keyboard."),
)
_AVAILABILITY = ("in stock", "in stock", "in stock", "out of stock", "preorder")


def generate_feed(count: int) -> bytes:
    """An RSS 2.0 feed of ``count`` distinct items, as a shop exports one."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0">']
    parts.append("<channel><title>Bench shop</title><link>https://shop.example</link>")
    for i in range(count):
        name, description = _KINDS[i % len(_KINDS)]
        colour = ("grey", "blue", "black")[i % 3]
        sale = f"<g:sale_price>{(19 + i % 50) * 0.9:.2f} EUR</g:sale_price>" if i % 7 == 0 else ""
        parts.append(
            f"<item><g:id>bench-{i:05d}</g:id><g:title>{escape(name)} {i}</g:title>"
            f"<g:description>{escape(description)} Model {i}, colour {colour}.</g:description>"
            f"<g:link>https://shop.example/products/bench-{i:05d}</g:link>"
            f"<g:image_link>https://shop.example/img/bench-{i:05d}.jpg</g:image_link>"
            f"<g:price>{19 + i % 50}.00 EUR</g:price>{sale}"
            f"<g:availability>{_AVAILABILITY[i % len(_AVAILABILITY)]}</g:availability>"
            "<g:product_type>Home &gt; Office &gt; Ergonomics</g:product_type>"
            "<g:google_product_category>Health &amp; Beauty &gt; Health Care</g:google_product_category>"
            "<g:brand>Bench</g:brand><g:condition>new</g:condition></item>"
        )
    parts.append("</channel></rss>\n")
    return "".join(parts).encode("utf-8")


def run(*, quick: bool = False) -> dict[str, Any]:
    from sqlalchemy import func, select

    from shop_reco.demo import create_app
    from shop_reco.extension import get_session
    from shop_reco.storage.models import Product, Revision

    count = QUICK_ITEMS if quick else ITEMS
    with tempfile.TemporaryDirectory() as tmp:
        feed = Path(tmp) / "feed.xml"
        feed.write_bytes(generate_feed(count))
        app = create_app(
            {"TESTING": True, "SHOP_RECO_DATABASE_URL": f"sqlite:///{tmp}/bench.db", "INSTANCE_PATH": f"{tmp}/instance"}
        )
        runner = app.test_cli_runner()
        assert runner.invoke(args=["shop-reco", "db", "upgrade"]).exit_code == 0

        def revisions() -> int:
            with app.app_context():
                return int(get_session().scalar(select(func.count()).select_from(Revision)) or 0)

        def timed_import() -> tuple[float, float, int]:
            started, cpu = time.perf_counter(), time.process_time()
            result = runner.invoke(args=["shop-reco", "import-products", "--format", "google", str(feed)])
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            if result.exit_code != 0:
                raise RuntimeError(f"the feed import failed:\n{result.output}")
            match = re.search(r"(\d+) created or updated", result.output)
            return elapsed, cpu, int(match.group(1)) if match else -1

        first_s, first_cpu, created = timed_import()
        after_first = revisions()
        again_s, again_cpu, changed = timed_import()
        with app.app_context():
            stored = int(get_session().scalar(select(func.count()).select_from(Product)) or 0)
            tagged = int(
                get_session().scalar(select(func.count()).select_from(Product).where(Product.concepts != [])) or 0
            )
        results = {
            "feed_items": count,
            "feed_bytes": feed.stat().st_size,
            "feed_import_s": round(first_s, 2),
            "feed_import_cpu_s": round(first_cpu, 2),
            "feed_import_items_per_s": round(count / first_s),
            "feed_created": created,
            "feed_stored": stored,
            "feed_tagged": tagged,
            "feed_reimport_s": round(again_s, 2),
            "feed_reimport_cpu_s": round(again_cpu, 2),
            "feed_reimport_changed": changed,
            "feed_reimport_revisions": revisions() - after_first,
        }
        app.extensions["shop_reco"].close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ITEMS:,} items instead of {ITEMS:,}")
    args = parser.parse_args(argv)
    print(json.dumps(run(quick=args.quick), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
