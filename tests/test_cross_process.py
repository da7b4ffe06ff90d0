"""Many stateless processes share PostgreSQL: a change made through one process is served
by another within SHOP_RECO_RULES_TTL, with no restart and no shared memory.
(The rule-edit variant through the admin lives in the admin's tests.)"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import select

from shop_reco.answering.snapshot import invalidate_snapshot
from shop_reco.extension import get_session
from shop_reco.storage.models import Product, Rule
from tests.conftest import REPO, _fresh_schema_url, make_app

OTHER_PROCESS = textwrap.dedent(
    """
    import json, sys, time
    from shop_reco.demo import create_app
    app = create_app({"TESTING": True, "SHOP_RECO_DATABASE_URL": sys.argv[1], "SHOP_RECO_RULES_TTL": 0.5,
                      "SHOP_RECO_RATELIMIT_ENABLED": False})
    client = app.test_client()
    def products():
        body = client.post("/reco/api/v1/recommendations", json={"description": sys.argv[2]}).get_json()
        return [p["sku"] for p in body["products"]]
    print(json.dumps(products()), flush=True)
    sys.stdin.readline()                      # the other process has committed its edit
    started = time.monotonic()
    while time.monotonic() - started < 10:
        seen = products()
        if "lumbar-support-belt" not in seen:
            break
        time.sleep(0.05)
    print(json.dumps({"seen": seen, "after_s": time.monotonic() - started}), flush=True)
    """
)


def _belt_out_of_stock(session) -> None:  # type: ignore[no-untyped-def]
    """E.g. the shop's stock sync, in another process."""
    session.scalars(select(Product).where(Product.sku == "lumbar-support-belt")).one().in_stock = False


def _belt_rules_disabled(session) -> None:  # type: ignore[no-untyped-def]
    """A merchant switches off every rule that recommends the belt."""
    for rule in session.scalars(select(Rule)):
        if any(p["sku"] == "lumbar-support-belt" for p in rule.actions.get("products", [])):
            rule.active = False


@pytest.mark.postgres
@pytest.mark.parametrize("change", [_belt_out_of_stock, _belt_rules_disabled], ids=["stock", "rules"])
def test_change_in_one_process_is_served_by_another_within_the_ttl(
    change,  # type: ignore[no-untyped-def]
    postgres_url: str,
    tmp_path,
) -> None:  # type: ignore[no-untyped-def]
    for url in _fresh_schema_url(postgres_url):
        app = make_app(url, tmp_path, SHOP_RECO_RULES_TTL=0.5)
        runner = app.test_cli_runner()
        assert runner.invoke(args=["shop-reco", "db", "upgrade"]).exit_code == 0
        assert runner.invoke(args=["shop-reco", "demo-data"]).exit_code == 0
        text = "Standing all day at work makes my lower back ache."
        other = subprocess.Popen(
            [sys.executable, "-c", OTHER_PROCESS, url, text],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        try:
            assert other.stdout is not None and other.stdin is not None
            line = other.stdout.readline()
            assert line, other.stderr.read() if other.stderr else ""
            before = json.loads(line)
            assert "lumbar-support-belt" in before
            with app.app_context():
                session = get_session()
                change(session)
                session.commit()
                invalidate_snapshot()
            other.stdin.write("go\n")
            other.stdin.flush()
            after = json.loads(other.stdout.readline())
            assert "lumbar-support-belt" not in after["seen"], after
            assert after["after_s"] < 0.5 + 1.5, "served within the TTL (plus a request's time)"
        finally:
            other.kill()
            other.communicate()  # waits and closes the pipes
            app.extensions["shop_reco"].close()
