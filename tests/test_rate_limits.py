"""Rate limits: one budget per client across the API and both finder forms, headers on 429 only,
shoppers still served while Redis is down, and forwarded addresses trusted only through ProxyFix."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from shop_reco.web import rate_limits
from tests.conftest import make_app
from tests.tcp_proxy import TcpProxy

API = "/reco/api/v1/recommendations"
TEXT = "stiff neck after my commute"
LIMIT_HEADERS = ("retry-after", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


def limited(tmp_path: Path, limit: str = "3/minute", **config: object) -> Flask:
    app = make_app(
        f"sqlite:///{tmp_path / 'rl.db'}",
        tmp_path,
        SHOP_RECO_RATELIMIT_ENABLED=True,
        SHOP_RECO_RATELIMIT=limit,
        **config,
    )
    assert app.test_cli_runner().invoke(args=["shop-reco", "db", "upgrade"]).exit_code == 0
    return app


def limit_headers(reply: Any) -> set[str]:
    return {name.lower() for name, _ in reply.headers.items()} & set(LIMIT_HEADERS)


def test_one_budget_per_client_across_the_api_and_both_finder_forms(tmp_path: Path) -> None:
    client = limited(tmp_path).test_client()
    served = [
        client.post(API, json={"description": TEXT}),
        client.post("/reco/widgets/finder", data={"description": TEXT}),
        client.post("/reco/embed/finder", data={"description": TEXT}),
    ]
    assert [r.status_code for r in served] == [200, 200, 200]
    assert [limit_headers(r) for r in served] == [set(), set(), set()], "no rate-limit headers on answers"
    api = client.post(API, json={"description": TEXT})
    assert api.status_code == 429 and api.get_json()["code"] == "rate_limited"
    assert limit_headers(api) == set(LIMIT_HEADERS) and api.headers["X-RateLimit-Limit"] == "3"
    finder = client.post("/reco/widgets/finder", data={"description": TEXT})
    assert finder.status_code == 429 and TEXT in finder.get_data(as_text=True), "the finder keeps the text"
    assert client.get("/reco/widgets/finder").status_code == 200, "showing the empty form costs nothing"
    events = client.post("/reco/api/v1/events", json={"kind": "click", "item_type": "exercise", "item_id": "plank"})
    # (No demo data here, so the item is unknown: a 400, but not a 429.)
    assert events.status_code == 400 and not limit_headers(events), "events have a budget of their own"


def test_shoppers_are_served_while_the_rate_limit_storage_is_down(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = limited(tmp_path, SHOP_RECO_RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/0")  # nothing listens there
    client = app.test_client()
    with caplog.at_level(logging.WARNING, logger="shop_reco"):
        codes = [client.post(API, json={"description": TEXT}).status_code for _ in range(2)]
        finder = client.post("/reco/widgets/finder", data={"description": TEXT})
        over = client.post("/reco/embed/finder", data={"description": TEXT})
    assert codes == [200, 200] and finder.status_code == 200, "served, counted in this process's memory"
    assert over.status_code == 429 and TEXT in over.get_data(as_text=True), "the limit still holds, text kept"
    lines = [r.getMessage() for r in caplog.records if "rate-limit storage" in r.getMessage()]
    assert len(lines) == 1 and "unreachable" in lines[0], "one line per outage, not one per request"
    assert "Traceback" not in caplog.text


def test_counting_returns_to_redis_when_it_is_back(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = os.environ.get("SHOP_RECO_TEST_REDIS_URL")
    if not url:
        pytest.skip("set SHOP_RECO_TEST_REDIS_URL to test Redis coming back")
    from sqlalchemy import make_url

    redis = make_url(url.replace("redis://", "postgresql://", 1))  # only to read host and port
    proxy = TcpProxy((redis.host or "127.0.0.1", redis.port or 6379))
    proxy.start()
    monkeypatch.setattr(rate_limits, "RECHECK_SECONDS", 0.0)
    through = f"redis://127.0.0.1:{proxy.port}/{redis.database or 0}"
    app = limited(tmp_path, "100/minute", SHOP_RECO_RATELIMIT_STORAGE_URI=through, SECRET_KEY=os.urandom(8).hex())
    client = app.test_client()
    try:
        with caplog.at_level(logging.WARNING, logger="shop_reco"):
            assert client.post(API, json={"description": TEXT}).status_code == 200
            proxy.stop()
            assert [client.post(API, json={"description": TEXT}).status_code for _ in range(3)] == [200] * 3
            assert app.extensions["shop_reco"].rate_limits.degraded
            proxy.start()
            assert client.post(API, json={"description": TEXT}).status_code == 200
        assert not app.extensions["shop_reco"].rate_limits.degraded
        lines = [r.getMessage() for r in caplog.records if "rate-limit storage" in r.getMessage()]
        assert [("unreachable" in line, "is back after" in line) for line in lines] == [(True, False), (False, True)]
    finally:
        proxy.stop()
        app.extensions["shop_reco"].close()


def test_behind_a_proxy_each_forwarded_client_has_its_own_budget_only_with_proxyfix(tmp_path: Path) -> None:
    app = limited(tmp_path, "1/minute")
    client = app.test_client()

    def post(forwarded_for: str) -> int:
        headers = {"X-Forwarded-For": forwarded_for}
        return int(client.post(API, json={"description": TEXT}, headers=headers).status_code)

    # Without ProxyFix a forged header changes nothing: every request is the proxy's own address.
    assert [post("203.0.113.1"), post("203.0.113.2")] == [200, 429]
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)  # type: ignore[method-assign]
    assert [post("203.0.113.3"), post("203.0.113.4"), post("203.0.113.3")] == [200, 200, 429]
    # One hop trusted: a client's own forged entry in front of the proxy's is not believed.
    assert post("198.51.100.9, 203.0.113.4") == 429
