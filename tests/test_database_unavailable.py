"""The database unreachable: every route answers 503 (never 500, never a 200), and serves again on its own.

A small TCP proxy of our own sits between the app and PostgreSQL; stopping it is
the outage (connections refused, pooled ones cut), starting it again the recovery.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from admin_session import sign_in
from flask import Flask
from sqlalchemy import make_url

from tests.conftest import _fresh_schema_url, make_app
from tests.tcp_proxy import TcpProxy

API = "/reco/api/v1"
DESCRIPTION = "stiff neck after my commute"


@pytest.fixture
def outage(postgres_url: str, tmp_path: Path) -> Iterator[tuple[Flask, TcpProxy]]:
    """The demo on PostgreSQL through a proxy; the revision is checked on every request."""
    for direct in _fresh_schema_url(postgres_url):
        url = make_url(direct)
        proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
        proxy.start()
        through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        app = make_app(through, tmp_path, SHOP_RECO_RULES_TTL=0, SHOP_RECO_ANSWER_LOG_FLUSH_SECONDS=60)
        runner = app.test_cli_runner()
        for args in (["shop-reco", "db", "upgrade"], ["shop-reco", "demo-data"]):
            assert runner.invoke(args=args).exit_code == 0
        try:
            yield app, proxy
        finally:
            if proxy._listener is None:
                proxy.start()
            app.extensions["shop_reco"].close()  # writes the queued answers, then disposes of the pool
            proxy.stop()


def visit(client: Any) -> dict[str, Any]:
    """Every kind of route, as a shopper or a caller would reach it."""
    return {
        "recommendations": client.post(f"{API}/recommendations", json={"description": DESCRIPTION}),
        "exercises": client.get(f"{API}/exercises"),
        "exercise": client.get(f"{API}/exercises/plank"),
        "pairings": client.get(f"{API}/products/lumbar-support-belt/pairings"),
        "article": client.get(f"{API}/articles/hip-and-lower-back-pain"),
        "events": client.post(
            f"{API}/events", json={"kind": "click", "item_type": "product", "item_id": "lumbar-support-belt"}
        ),
        "product widget": client.get("/reco/widgets/product/lumbar-support-belt"),
        "article widget": client.get("/reco/widgets/article/hip-and-lower-back-pain"),
        "product embed": client.get("/reco/embed/product/lumbar-support-belt"),
        "article embed": client.get("/reco/embed/article/hip-and-lower-back-pain"),
        "finder": client.post("/reco/widgets/finder", data={"description": DESCRIPTION}),
        "embed finder": client.post("/reco/embed/finder", data={"description": DESCRIPTION}),
        "home": client.get("/"),
        "product page": client.get("/products/lumbar-support-belt"),
        "article page": client.get("/articles/hip-and-lower-back-pain"),
        "admin rules": client.get("/reco/admin/rules"),
    }


@pytest.mark.postgres
def test_every_route_answers_503_while_the_database_is_away_and_serves_again_after(
    outage: tuple[Flask, TcpProxy], caplog: pytest.LogCaptureFixture
) -> None:
    app, proxy = outage
    client = app.test_client()
    sign_in(client)
    before = visit(client)
    assert {route: r.status_code for route, r in before.items() if r.status_code >= 300} == {}

    proxy.stop()
    with caplog.at_level(logging.WARNING, logger="shop_reco"):
        during = visit(client)
        assert client.get(f"{API}/vocabulary").status_code == 200, "what needs no database still answers"
    assert {route: r.status_code for route, r in during.items()} == dict.fromkeys(during, 503)
    for route in ("recommendations", "exercises", "exercise", "pairings", "article", "events"):
        reply = during[route]
        assert reply.get_json()["code"] == "database_unavailable", route
        assert int(reply.headers["Retry-After"]) > 0 and reply.headers["Cache-Control"] == "no-store", route
    safety = during["recommendations"].get_json()["safety"]
    assert safety["level"] == "consult" and safety["message"], "the 503 still carries the safety notice"
    for route in ("product widget", "article widget", "product embed", "article embed"):
        assert during[route].get_data() == b"", f"{route}: an include shows no box"
    assert "frame-ancestors" in during["article embed"].headers["Content-Security-Policy"]
    for route in ("finder", "embed finder"):
        html = during[route].get_data(as_text=True)
        assert DESCRIPTION in html and "try again later" in html, f"{route} keeps the text"
    assert "try again" in during["home"].get_data(as_text=True).lower()
    assert "Traceback" not in caplog.text
    unreachable = [r for r in caplog.records if "cannot be reached" in r.getMessage()]
    assert len(unreachable) == 1, "one log line per outage, not one per request"

    proxy.start()
    after = visit(client)
    assert {route: r.status_code for route, r in after.items() if r.status_code >= 300} == {}
    assert after["recommendations"].get_json()["safety"]["level"] == "none"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_outage_met_after_the_snapshot_is_a_503_not_a_fail_closed_200(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A query made while answering (past the snapshot's check) that loses the database is an outage too."""
    from sqlalchemy.exc import OperationalError

    import shop_reco.answering.answers

    def lost(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("SELECT 1", {}, ConnectionError("server closed the connection unexpectedly"))

    monkeypatch.setattr(shop_reco.answering.answers, "memoized_recommend", lost)
    reply = app.test_client().post(f"{API}/recommendations", json={"description": DESCRIPTION})
    assert reply.status_code == 503 and reply.get_json()["code"] == "database_unavailable"
    assert reply.get_json()["safety"]["level"] == "consult"
