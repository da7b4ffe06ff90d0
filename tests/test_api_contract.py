"""The API does what its OpenAPI document says: accepted input, every status, odd methods, chunked bodies."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest

from shop_reco.api.openapi import openapi_document
from shop_reco.state import get_state

API = "/reco/api/v1"


def chunked_post(client: Any, path: str, body: bytes, content_type: str) -> Any:
    """A body without Content-Length, as a server hands over a chunked upload."""
    return client.post(
        path,
        input_stream=io.BytesIO(body),
        content_type=content_type,
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


def test_a_chunked_body_over_the_limit_is_413_not_400(client: Any) -> None:
    big = b'{"description": "' + b"my back hurts " * 3000 + b'"}'  # about 42 KB, over the 16 KB limit
    api = chunked_post(client, f"{API}/recommendations", big, "application/json")
    assert api.status_code == 413 and api.get_json()["code"] == "payload_too_large"
    events = chunked_post(client, f"{API}/events", b'{"events": [' + b"{}," * 9000 + b"{}]}", "application/json")
    assert events.status_code == 413
    form = chunked_post(
        client, "/reco/widgets/finder", b"description=" + b"a" * 40000, "application/x-www-form-urlencoded"
    )
    assert form.status_code == 413 and "shorten your description" in form.get_data(as_text=True)
    small = chunked_post(client, f"{API}/recommendations", b'{"description": "my hip aches"}', "application/json")
    assert small.status_code == 200, "a small chunked body is read whole"


def test_a_declared_body_of_exactly_the_limit_is_read_and_one_byte_more_is_413(client: Any) -> None:
    with client.application.app_context():
        limit = get_state().settings["SHOP_RECO_MAX_BODY_BYTES"]
    head = b'{"description": "my hip aches"'
    exact = head + b" " * (limit - len(head) - 1) + b"}"  # JSON may pad with spaces
    assert len(exact) == limit
    reply = client.post(f"{API}/recommendations", data=exact, content_type="application/json")
    assert reply.status_code == 200, "the stream reaching the limit is no cut when the length was declared"
    over = client.post(f"{API}/recommendations", data=exact + b" ", content_type="application/json")
    assert over.status_code == 413 and over.get_json()["code"] == "payload_too_large"


def test_a_body_cut_short_of_its_declared_length_is_a_json_400(client: Any) -> None:
    whole = b'{"description": "my hip aches"}'
    reply = client.post(
        f"{API}/recommendations",
        input_stream=io.BytesIO(whole[:10]),  # the connection ended before the promised bytes came
        content_type="application/json",
        headers={"Content-Length": str(len(whole))},
    )
    assert reply.status_code == 400
    assert reply.get_json()["code"] == "bad_request"


class _Trickle(io.BytesIO):
    """A server's input that hands over at most a few bytes per read, as a socket may."""

    def read(self, size: int | None = -1) -> bytes:
        return super().read(7 if size is None or size < 0 else min(size, 7))


def test_a_body_handed_over_a_few_bytes_at_a_time_is_read_whole(client: Any) -> None:
    whole = b'{"description": "my lower back aches after sitting all day"}'
    reply = client.post(
        f"{API}/recommendations",
        input_stream=_Trickle(whole),
        content_type="application/json",
        headers={"Content-Length": str(len(whole))},
    )
    assert reply.status_code == 200
    assert reply.get_json()["profile"]["triggers"] == ["sitting"]


def test_the_host_still_reads_the_body_we_read(app: Any, client: Any) -> None:
    seen: list[bytes] = []

    @app.after_request
    def host_hook(response: Any) -> Any:  # a shop's own audit hook, after ours has read the JSON
        from flask import request

        seen.append(request.get_data())
        return response

    body = b'{"description": "my lower back aches when I sit"}'
    assert client.post(f"{API}/recommendations", data=body, content_type="application/json").status_code == 200
    assert seen == [body]


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "PUT", "DELETE", "PATCH", "CONNECT"])
def test_every_method_on_our_paths_answers_json_405_with_the_real_allow(client: Any, method: str) -> None:
    expected = {"/vocabulary": {"GET", "HEAD", "OPTIONS"}, "/recommendations": {"POST", "OPTIONS"}}
    for path, allow in expected.items():
        reply = client.open(f"{API}{path}", method=method)
        assert reply.status_code == 405, (method, path)
        assert reply.get_json()["code"] == "method_not_allowed"
        assert {m.strip() for m in reply.headers["Allow"].split(",")} == allow, (method, path)
        assert reply.headers["X-Content-Type-Options"] == "nosniff"
        assert "default-src 'none'" in reply.headers["Content-Security-Policy"]
    unknown = client.open(f"{API}/no-such-thing", method=method)
    assert unknown.status_code == 404 and unknown.get_json()["code"] == "not_found"


def test_the_document_states_what_is_accepted_and_every_status(client: Any) -> None:
    document = client.get(f"{API}/openapi.json").get_json()
    description = document["components"]["schemas"]["RecommendationRequest"]["properties"]["description"]
    for text, accepted in ((" ", False), ("\t\n", False), ("a\x00b", False), (" my hip ", True)):
        assert (re.search(description["pattern"], text) is not None) is accepted, repr(text)
        reply = client.post(f"{API}/recommendations", json={"description": text})
        assert (reply.status_code == 200) is accepted, repr(text)
        if not accepted:
            assert list(reply.get_json()["errors"]) == ["description"]
    operations = {(path, method): op for path, item in document["paths"].items() for method, op in item.items()}
    for key in (("/recommendations", "post"), ("/events", "post")):
        assert {"400", "405", "413", "415", "429", "503"} <= set(operations[key]["responses"]), key
    for key in (("/articles/{slug}", "get"), ("/exercises/{slug}", "get"), ("/products/{sku}/pairings", "get")):
        assert {"400", "404", "405", "503"} <= set(operations[key]["responses"]), key
    assert all("405" in op["responses"] for op in operations.values())
    limited = operations[("/recommendations", "post")]["responses"]["429"]["headers"]
    assert {"Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} <= set(limited)
    assert document == openapi_document(), "served as generated"
