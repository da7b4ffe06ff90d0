"""Admin security: closed by default, host-supplied auth, CSRF that never loses input, strict headers."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from admin_pages import csrf_token, form_fields
from admin_session import ADMIN, MERCHANT, page, sign_in, submit, text
from conftest import make_app
from flask import Flask, url_for
from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from shop_reco.extension import get_session
from shop_reco.storage.models import Revision, Rule

RULE = "sitting-hip-flexors"
_DUMMY_ARGS = {"int": 1, "default": "x"}


def admin_routes(app: Flask) -> list[tuple[str, str]]:
    """(method, url) for every admin route, with placeholder arguments."""
    out = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("shop_reco_admin."):
                continue
            args = {
                name: _DUMMY_ARGS["int"] if type(conv).__name__ == "IntegerConverter" else _DUMMY_ARGS["default"]
                for name, conv in rule._converters.items()
            }
            url = url_for(rule.endpoint, **args)
            out += [(method, url) for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})]
    return out


def assert_locked_down(response: Any) -> None:
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "no-store" in response.headers["Cache-Control"]


def test_every_admin_route_is_closed_without_the_auth_setting(database_url: str, tmp_path: Path) -> None:
    app = make_app(database_url, tmp_path, SHOP_RECO_ADMIN_AUTH=None)
    client = app.test_client()
    routes = admin_routes(app)
    assert len(routes) >= 15  # rules, preview, test bench, revisions (+ content pages when present)
    for method, url in routes:
        response = client.open(url, method=method, data={"name": "x"})
        assert response.status_code == 403, (method, url)
        body = text(response)
        assert "The admin is switched off" in body and "SHOP_RECO_ADMIN_AUTH" in body, (method, url)
        assert_locked_down(response)
    app.extensions["shop_reco"].close()


def test_auth_returning_none_is_forbidden(database_url: str, tmp_path: Path) -> None:
    app = make_app(database_url, tmp_path, SHOP_RECO_ADMIN_AUTH=lambda: None)
    response = app.test_client().get(f"{ADMIN}/rules")
    assert response.status_code == 403
    assert "Sign in as an administrator" in text(response)
    app.extensions["shop_reco"].close()


def test_demo_login_guards_the_admin(app: Flask) -> None:
    client = app.test_client()
    response = client.get(f"{ADMIN}/rules?q=sit")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/demo-login?next=")
    assert sign_in(client, password="wrong").status_code == 401
    signed_in = sign_in(client)
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == f"{ADMIN}/rules"
    body = page(client, f"{ADMIN}/rules")
    assert f"Signed in as <strong>{MERCHANT}</strong>" in body


def test_demo_login_needs_its_csrf_token_and_refuses_foreign_redirects(app: Flask) -> None:
    client = app.test_client()
    response = client.post("/demo-login", data={"username": "merchant", "password": "demo"})
    assert response.status_code == 400
    html = page(client, "/demo-login?next=https://evil.example/")
    response = client.post(
        "/demo-login",
        data={
            "csrf_token": csrf_token(html),
            "username": "merchant",
            "password": "demo",
            "next": "https://evil.example/",
        },
    )
    assert response.headers["Location"] == f"{ADMIN}/rules"


def test_demo_sets_session_cookie_flags(database_url: str, tmp_path: Path) -> None:
    app = make_app(database_url, tmp_path, TESTING=False)
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    client = app.test_client()
    for base, secure in (("https://shop.example", True), ("http://192.0.2.7:5000", False)):
        response = client.get(f"{base}/finder?lang=sv")  # the language choice goes in the session
        cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        # Secure only over HTTPS: on plain http to any address the cart and the login still work.
        assert ("; Secure" in cookie) is secure, (base, cookie)
    app.extensions["shop_reco"].close()


def test_admin_responses_carry_security_headers(app: Flask) -> None:
    client = app.test_client()
    sign_in(client)
    for url, status in (
        (f"{ADMIN}/rules", 200),
        (f"{ADMIN}/rules/{RULE}/edit", 200),
        (f"{ADMIN}/rules/nope/edit", 404),
    ):
        response = client.get(url)
        assert response.status_code == status
        assert_locked_down(response)
    assert "There is no rule 'nope'" in text(client.get(f"{ADMIN}/rules/nope/edit"))


def test_host_routes_are_untouched(app: Flask) -> None:
    """No app-wide CSRF or headers: the shop's own forms and the API work as before."""
    client = app.test_client()
    assert client.post("/cart/add", data={"sku": "lumbar-support-belt"}).status_code == 302
    response = client.get("/")
    assert "frame-ancestors 'none'" not in response.headers.get("Content-Security-Policy", "")
    api = client.post("/reco/api/v1/recommendations", json={"description": "my hip hurts", "locale": "en"})
    assert api.status_code == 200


def rule_count(app: Flask) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count(Rule.id))) or 0


def test_missing_csrf_token_rerenders_the_form_with_the_input(app: Flask) -> None:
    client = app.test_client()
    sign_in(client)
    html = page(client, f"{ADMIN}/rules/new")
    before = rule_count(app)
    data = form_fields(
        html,
        f"{ADMIN}/rules/new",
        {
            "csrf_token": None,
            "do": "save",
            "key": "walking-plank",
            "name": "Walking: plank",
            "c.trigger:walking": "all",
            "w.ex.plank": "4",
        },
    )
    response = client.post(f"{ADMIN}/rules/new", data=data)
    assert response.status_code == 400
    body = text(response)
    assert "Not saved yet." in body and "security token" in body
    assert 'value="Walking: plank"' in body and 'value="walking-plank"' in body and 'value="4"' in body
    assert re.search(r'<option value="all" selected>Required</option>', body)
    assert rule_count(app) == before
    # The re-rendered form carries a fresh token: sending it again saves.
    again = client.post(
        f"{ADMIN}/rules/new",
        data=form_fields(response.get_data(as_text=True), f"{ADMIN}/rules/new", {"do": "save"}),
    )
    assert again.status_code == 302, text(again)[:2000]
    assert rule_count(app) == before + 1


def test_stale_csrf_token_keeps_the_edit(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    client = app.test_client()
    sign_in(client)
    url = f"{ADMIN}/rules/{RULE}/edit"
    data = form_fields(page(client, url), url, {"do": "save", "name": "Sitting, renamed", "priority": "120"})
    later = int(time.time()) + 2 * 3600  # the page stayed open for two hours
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    response = client.post(url, data=data)
    assert response.status_code == 400
    body = text(response)
    assert "expired" in body
    assert 'value="Sitting, renamed"' in body and 'value="120"' in body
    assert 'name="version" value="1"' in body
    with app.app_context():
        assert get_session().scalar(select(Rule.name).where(Rule.key == RULE)) != "Sitting, renamed"
    again = client.post(url, data=form_fields(response.get_data(as_text=True), url, {"do": "save"}))
    assert again.status_code == 302
    with app.app_context():
        assert get_session().scalar(select(Rule.name).where(Rule.key == RULE)) == "Sitting, renamed"


def test_forms_without_their_own_rerender_get_a_resend_page(app: Flask) -> None:
    client = app.test_client()
    sign_in(client)
    url = f"{ADMIN}/rules/{RULE}/toggle"
    response = client.post(url, data={"version": "1"})
    assert response.status_code == 400
    body = text(response)
    assert "Your form was not sent" in body and "Send again" in body
    resend = form_fields(response.get_data(as_text=True), url)
    assert resend["version"] == "1" and resend["csrf_token"]
    assert client.post(url, data={**resend, "confirm": "1"}).status_code == 302  # disabling breaks a case
    with app.app_context():
        assert get_session().scalar(select(Rule.active).where(Rule.key == RULE)) is False


def test_other_unsafe_methods_need_a_token_too(app: Flask) -> None:
    client = app.test_client()
    sign_in(client)
    html = page(client, f"{ADMIN}/rules")
    ok = client.post(
        f"{ADMIN}/rules/preview",
        data={"preview_text": "hip", "name": "x", "key": "x-y", "w.ex.plank": "1", "safety": "none"},
        headers={"X-CSRFToken": csrf_token(html)},
    )
    assert ok.status_code == 200


def test_actor_is_the_signed_in_admin(app: Flask) -> None:
    client = app.test_client()
    sign_in(client)
    url = f"{ADMIN}/rules/{RULE}/edit"
    assert submit(client, url, {"do": "save", "priority": "150"}).status_code == 302
    with app.app_context():
        rev = get_session().scalars(select(Revision).order_by(Revision.id.desc())).first()
        assert rev is not None and (rev.entity, rev.entity_key, rev.actor) == ("rule", RULE, MERCHANT)


def test_an_oversized_admin_post_gets_the_admin_error_page(app: Flask) -> None:
    from shop_reco.admin.security import MAX_ADMIN_BODY_BYTES

    anonymous = app.test_client()
    body = {"phrase": "x" * (MAX_ADMIN_BODY_BYTES + 1024), "locale": "en", "concept": "area:hip"}
    # Not signed in: sent to sign in (the demo) or refused, before the body is read.
    assert anonymous.post(f"{ADMIN}/synonyms", data=body).status_code in (302, 403)
    client = app.test_client()
    sign_in(client)
    reply = client.post(f"{ADMIN}/synonyms", data=body)
    assert reply.status_code == 413 and reply.mimetype == "text/html"
    assert "Traceback" not in reply.get_data(as_text=True)
