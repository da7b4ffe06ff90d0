"""Every route shop_reco serves carries its security headers, whoever asks."""

from __future__ import annotations

import re

import pytest
from flask import Flask

SAMPLE = {
    "sku": "lumbar-support-belt",
    "slug": "hip-and-lower-back-pain",
    "key": "no-such-key",
    "locale": "en",
    "id": "1",
    "revision_id": "1",
    "synonym_id": "1",
    "filename": "widget.css",
    "_anything": "nothing-here",
}


def our_get_urls(app: Flask) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("shop_reco") or "GET" not in (rule.methods or set()):
            continue
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:[a-z]+:)?{name}>", SAMPLE.get(name, "x"), url)
        urls.append(url)
    return sorted(set(urls))


@pytest.mark.parametrize("signed_in", [False, True])
def test_every_get_route_sends_nosniff_referrer_policy_and_csp(app: Flask, signed_in: bool) -> None:
    client = app.test_client()
    if signed_in:
        from admin_session import sign_in

        sign_in(client)
    urls = our_get_urls(app)
    assert len(urls) > 20
    missing = []
    for url in urls:
        reply = client.get(url)
        reply.close()  # static files are streamed
        assert reply.status_code < 500, (url, reply.status_code)
        headers = reply.headers
        if headers.get("X-Content-Type-Options") != "nosniff" or "Referrer-Policy" not in headers:
            missing.append((url, "nosniff/referrer"))
        csp = headers.get("Content-Security-Policy", "")
        if reply.mimetype in ("text/html", "application/json") and "frame-ancestors" not in csp:
            missing.append((url, "frame-ancestors"))
        admin_page = url.startswith("/reco/admin") and reply.mimetype == "text/html"
        if admin_page and "frame-ancestors 'none'" not in csp:
            missing.append((url, "admin frame-ancestors"))
    assert missing == [], missing
