"""A demo-only login for the merchant admin: user ``merchant``, password ``demo``.

A real shop supplies ``SHOP_RECO_ADMIN_AUTH`` from its own login system;
the demo stores the signed-in name in Flask's session and reads it back.
Call :func:`register_demo_login` before ``ShopReco(app)``: settings are read
when the extension starts. It also sets the session cookie flags every host
should set (``HttpOnly``, ``SameSite=Lax``, and ``Secure`` whenever the page was served
over HTTPS, so that sign-in and the cart also work on ``http://<any address>``).
"""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from flask import Flask, abort, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask.typing import ResponseReturnValue

from shop_reco.admin.security import check_csrf_token, csp_nonce, csrf_field, secure_headers

DEMO_USER = "merchant"
DEMO_PASSWORD = "demo"
SESSION_KEY = "shop_reco_demo_admin"


def demo_admin() -> str | None:
    """``SHOP_RECO_ADMIN_AUTH`` for the demo: the signed-in name, or a redirect to the login page."""
    name = session.get(SESSION_KEY)
    if name:
        return str(name)
    back = request.full_path.rstrip("?") if request.method == "GET" else None
    abort(redirect(url_for("demo_login", next=back)))


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: never redirect a signed-in merchant to another host."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    return target


class SecureOverHttps(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, ``Secure`` exactly when the request came over HTTPS.

    A fixed ``SESSION_COOKIE_SECURE=True`` makes browsers drop the cookie on plain
    http to any address but localhost: the login loops and the cart stays empty.
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


def register_demo_login(app: Flask) -> None:
    """Add ``/demo-login`` and ``/demo-logout`` and enable the admin with :func:`demo_admin`."""
    app.config.setdefault("SHOP_RECO_ADMIN_AUTH", demo_admin)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    if app.config.get("SESSION_COOKIE_SAMESITE") is None:
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.session_interface = SecureOverHttps()

    def render(error: str | None = None, status: int = 200) -> ResponseReturnValue:
        admin_base = app.config.get("SHOP_RECO_ADMIN_BASE_TEMPLATE", "shop_reco/admin/base.html")
        response = app.make_response(
            (
                render_template(
                    "shop_reco/admin/demo_login.html",
                    admin_base=admin_base,
                    admin_id=None,
                    admin_nav=[],
                    csrf_field=csrf_field,
                    csp_nonce=csp_nonce,
                    csrf_problem=None,
                    error=error,
                    username=request.form.get("username", ""),
                    next=_safe_next(request.values.get("next")) or "",
                    user=DEMO_USER,
                    password=DEMO_PASSWORD,
                ),
                status,
            )
        )
        return secure_headers(response)

    @app.route("/demo-login", methods=["GET", "POST"])
    def demo_login() -> ResponseReturnValue:
        if request.method == "GET":
            return render()
        problem = check_csrf_token()
        if problem is not None:
            return render(f"{problem} Please sign in again.", 400)
        user = request.form.get("username", "")
        password = request.form.get("password", "")
        ok = hmac.compare_digest(user, DEMO_USER) & hmac.compare_digest(password, DEMO_PASSWORD)
        if not ok:
            return render("Wrong user name or password. The demo uses merchant / demo.", 401)
        session.clear()  # a fresh session on sign-in (no fixation)
        session[SESSION_KEY] = DEMO_USER
        return redirect(_safe_next(request.form.get("next")) or url_for("shop_reco_admin.rules"))

    @app.post("/demo-logout")
    def demo_logout() -> ResponseReturnValue:
        if check_csrf_token() is None:
            session.pop(SESSION_KEY, None)
        return redirect(url_for("demo_login"))
