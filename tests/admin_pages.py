"""Reading admin pages as a browser would: a form's fields as it would submit them.

Used by the admin content, analytics and transfer tests, so they post exactly
what the rendered form holds (including its CSRF token) plus the merchant's
changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from flask import Flask

ADMIN_USER = "tester"


class _FormReader(HTMLParser):
    """Collects the successful controls of every <form>: [(action, [(name, value), ...]), ...]."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._fields: list[tuple[str, str]] | None = None
        self._textarea: tuple[str, list[str]] | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._option: tuple[str | None, bool, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._fields = []
            self.forms.append((a.get("action", ""), self._fields))
        if self._fields is None:
            return
        if tag == "input" and "name" in a and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button", "file", "reset", "image"):
                self._fields.append((a["name"], a.get("value", "")))
        elif tag == "textarea" and "name" in a:
            self._textarea = (a["name"], [])
        elif tag == "select" and "name" in a:
            self._select, self._options = a["name"], []
        elif tag == "option" and self._select is not None:
            self._option = (a.get("value"), "selected" in a, [])

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)
        if self._option is not None:
            self._option[2].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None and self._fields is not None:
            text = "".join(self._textarea[1])
            self._fields.append((self._textarea[0], text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "option" and self._option is not None:
            value, selected, text = self._option
            self._options.append((value if value is not None else "".join(text).strip(), selected))
            self._option = None
        elif tag == "select" and self._select is not None and self._fields is not None:
            chosen = [v for v, selected in self._options if selected] or [v for v, _ in self._options[:1]]
            self._fields += [(self._select, v) for v in chosen]
            self._select = None
        elif tag == "form":
            self._fields = None


def forms(html: str) -> list[tuple[str, list[tuple[str, str]]]]:
    reader = _FormReader()
    reader.feed(html)
    return reader.forms


def form_fields(html: str, action: str | None = None, changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """The fields the form posting to ``action`` (else the first) would submit, with ``changes``.

    A change of ``None`` removes the field (an unticked checkbox); a list sets
    every value of a multi-valued field (checkbox groups).
    """
    found = [f for a, f in forms(html) if action is None or a.split("?")[0] == action]
    assert found, f"no form posting to {action!r} on the page"
    data: dict[str, Any] = {}
    for name, value in found[0]:
        if name in data:
            data[name] = [*data[name], value] if isinstance(data[name], list) else [data[name], value]
        else:
            data[name] = value
    for name, value in (changes or {}).items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def admin_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The demo app (as conftest's ``app``) with the admin open to ``tester``: migrated, demo data loaded."""
    from tests.databases import load_demo_database, make_app

    app = make_app(load_demo_database(database_url), tmp_path, SHOP_RECO_ADMIN_AUTH=lambda: ADMIN_USER)
    yield app
    app.extensions["shop_reco"].close()


#: A shop's own test case that needs its synonym "waterworks trouble" -> red_flag:bladder_bowel.
WATERWORKS_CASE = "shop-waterworks"


def add_waterworks_case(app: Flask) -> None:
    """Save the test case :data:`WATERWORKS_CASE` (urgent, bladder_bowel) straight to the database."""
    from shop_reco.extension import get_session
    from shop_reco.storage.models import TestCase

    with app.app_context():
        get_session().add(
            TestCase(
                key=WATERWORKS_CASE,
                locale="en",
                text="Waterworks trouble since Monday and my back hurts.",
                expect={"safety": "urgent", "red_flags": ["bladder_bowel"]},
            )
        )
        get_session().commit()
