"""Signing in to the demo admin and using its forms as a merchant would, for the admin tests.

Builds on ``admin_pages`` (which reads a rendered form's fields): the tests
post exactly what the page holds, CSRF token included, plus their changes.
"""

from __future__ import annotations

from html import unescape
from typing import Any

from admin_pages import csrf_token, form_fields
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

ADMIN = "/reco/admin"
API = "/reco/api/v1"
MERCHANT = "merchant"


def sign_in(client: FlaskClient, user: str = MERCHANT, password: str = "demo") -> TestResponse:
    """Sign in through the demo login form."""
    html = client.get("/demo-login").get_data(as_text=True)
    return client.post("/demo-login", data={"csrf_token": csrf_token(html), "username": user, "password": password})


def page(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:3000]
    return response.get_data(as_text=True)


def text(response: TestResponse) -> str:
    """The page as a merchant reads it (entities decoded)."""
    return unescape(response.get_data(as_text=True))


def submit(
    client: FlaskClient, url: str, changes: dict[str, Any] | None = None, action: str | None = None
) -> TestResponse:
    """Open the form at ``url``, change some fields and post it where it posts to."""
    html = page(client, url)
    target = action or url.split("?")[0]
    return client.post(target, data=form_fields(html, target, changes))


def resubmit(
    client: FlaskClient, response: TestResponse, action: str, changes: dict[str, Any] | None = None
) -> TestResponse:
    """Post the form a response re-rendered (e.g. after an error) again, with ``changes``."""
    return client.post(action, data=form_fields(response.get_data(as_text=True), action, changes))


def recommend(client: FlaskClient, description: str, locale: str = "en") -> dict[str, Any]:
    response = client.post(f"{API}/recommendations", json={"description": description, "locale": locale})
    assert response.status_code == 200, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]
