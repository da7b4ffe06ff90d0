"""Rate limits, CORS and headers on the API, in memory and through the real Redis."""

from __future__ import annotations

import os
import uuid

import pytest

from tests.conftest import make_app

URL = "/reco/api/v1/recommendations"


def limited_app(tmp_path, **config):  # type: ignore[no-untyped-def]
    tmp_path.mkdir(parents=True, exist_ok=True)
    app = make_app(
        f"sqlite:///{tmp_path / 'limits.db'}",
        tmp_path,
        SHOP_RECO_RATELIMIT_ENABLED=True,
        SHOP_RECO_RATELIMIT="3/minute",
        **config,
    )
    assert app.test_cli_runner().invoke(args=["shop-reco", "db", "upgrade"]).exit_code == 0
    return app


def test_rate_limit_answers_429_json_with_retry_after(tmp_path) -> None:  # type: ignore[no-untyped-def]
    client = limited_app(tmp_path).test_client()
    codes = [client.post(URL, json={"description": "back pain"}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    reply = client.post(URL, json={"description": "back pain"})
    assert reply.get_json()["code"] == "rate_limited"
    assert int(reply.headers["Retry-After"]) > 0


def test_the_hosts_ratelimit_config_neither_limits_its_pages_nor_changes_ours(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = limited_app(tmp_path, RATELIMIT_DEFAULT="1/minute", RATELIMIT_APPLICATION="1/minute")
    client = app.test_client()
    replies = [client.post(URL, json={"description": "back pain"}) for _ in range(4)]
    assert [r.status_code for r in replies] == [200, 200, 200, 429], "SHOP_RECO_RATELIMIT, not RATELIMIT_*"
    assert not [
        name for name, _ in replies[0].headers.items() if name.lower().startswith(("x-ratelimit", "retry-after"))
    ]
    assert replies[-1].headers["X-RateLimit-Limit"] == "3" and replies[-1].headers["X-RateLimit-Remaining"] == "0"
    shop = [client.get("/") for _ in range(3)]
    assert [r.status_code for r in shop] == [200, 200, 200], "the host's own page is not ours to limit"
    assert "X-RateLimit-Limit" not in shop[-1].headers
    assert [client.get("/reco/api/v1/vocabulary").status_code for _ in range(3)] == [200, 200, 200]


def test_rate_limits_are_shared_through_redis(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = os.environ.get("SHOP_RECO_TEST_REDIS_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("SHOP_RECO_TEST_REDIS_URL must be set in CI")
        pytest.skip("set SHOP_RECO_TEST_REDIS_URL to test Redis-backed rate limits")
    # Two apps = two processes' worth of limiters; one counter in Redis.
    prefix = f"t{uuid.uuid4().hex[:8]}"
    first = limited_app(tmp_path / "a", SHOP_RECO_RATELIMIT_STORAGE_URI=url, SECRET_KEY=prefix)
    second = limited_app(tmp_path / "b", SHOP_RECO_RATELIMIT_STORAGE_URI=url, SECRET_KEY=prefix)
    codes = [first.test_client().post(URL, json={"description": "back"}).status_code for _ in range(2)]
    codes += [second.test_client().post(URL, json={"description": "back"}).status_code for _ in range(2)]
    assert codes == [200, 200, 200, 429]


def test_cors_allows_listed_origins_only(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(f"sqlite:///{tmp_path / 'c.db'}", tmp_path, SHOP_RECO_CORS_ORIGINS=["https://shop.example"])
    assert app.test_cli_runner().invoke(args=["shop-reco", "db", "upgrade"]).exit_code == 0
    client = app.test_client()
    ok = client.options(URL, headers={"Origin": "https://shop.example", "Access-Control-Request-Method": "POST"})
    assert ok.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    other = client.post(URL, json={"description": "back"}, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    assert "Origin" in other.headers["Vary"]


def test_api_responses_carry_security_headers(client) -> None:  # type: ignore[no-untyped-def]
    for reply in (
        client.get("/reco/api/v1/vocabulary"),
        client.post(URL, json={"description": "back"}),
        client.get("/reco/api/v1/nope"),
    ):
        assert reply.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in reply.headers["Content-Security-Policy"]
        assert reply.headers["Referrer-Policy"]


def test_a_responses_own_vary_is_kept_and_gains_origin_once(app) -> None:  # type: ignore[no-untyped-def]
    from flask import Response

    from shop_reco.api.policies import add_headers

    with app.test_request_context("/reco/api/v1/vocabulary"):
        merged = add_headers(Response(headers=[("Vary", "Cookie"), ("Vary", "Accept-Language")]))
        assert merged.headers.getlist("Vary") == ["Cookie, Origin"]  # the first Vary, as Headers.get reads it
        assert add_headers(Response(headers=[("vary", "origin")])).headers.getlist("Vary") == ["origin"]
        fresh = add_headers(Response())
        assert fresh.headers.getlist("Vary") == ["Origin"] and fresh.headers["X-Content-Type-Options"] == "nosniff"
        own = add_headers(Response(headers=[("X-Content-Type-Options", "custom")]))
        assert own.headers.getlist("X-Content-Type-Options") == ["custom"]
