"""What every content page shares: who is editing, recording and committing a change, the form frame.

Recording a change (``audit.record_change`` for what the storage layer does
not record itself) and committing it so that this process answers with the
edit at once (other processes within ``SHOP_RECO_RULES_TTL``). The pages
themselves live with their entities (:mod:`shop_reco.admin.entities`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any, Final

from flask import render_template

from shop_reco.admin.audit import record_change
from shop_reco.admin.content_forms import FieldErrors, concept_choices
from shop_reco.admin.security import current_admin
from shop_reco.answering.snapshot import invalidate_snapshot
from shop_reco.state import get_session, get_state

#: Status of a page shown again because its form is invalid (the input is kept).
INVALID: Final = 400
#: How the forms name the shop's languages.
LOCALE_NAMES: Final = {"en": "English", "sv": "Swedish"}

__all__ = [
    "INVALID",
    "commit_content",
    "current_actor",
    "edit_token",
    "offered_locales",
    "record_change",
    "render_form",
    "stale_message",
]


def offered_locales() -> Sequence[str]:
    """The shop's locales: every form has one block of text per locale."""
    return tuple(get_state().settings["SHOP_RECO_LOCALES"])


def current_actor() -> str | None:
    """The signed-in admin's id, the actor of the revisions the storage layer records."""
    return current_admin()


def commit_content() -> None:
    """Commit the admin's change and have this process rebuild its answers from it."""
    session = get_session()
    try:
        session.commit()
    except Exception:
        session.rollback()
        raise
    invalidate_snapshot()


def edit_token(snapshot: Any) -> str:
    """A short fingerprint of a record as the form showed it, to catch concurrent edits."""
    text = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def stale_message(what: str) -> str:
    return (
        f"This {what} was changed by someone else since you opened it. Your version is below: "
        "check it against the current one (open the page in a new tab) and save again to overwrite."
    )


def render_form(
    template: str, *, values: dict[str, Any], errors: FieldErrors, status: int = 200, **context: Any
) -> tuple[str, int]:
    """Render a content form with its values, errors and the vocabulary pickers."""
    page = render_template(
        f"shop_reco/admin/content/{template}",
        values=values,
        errors=errors,
        locales=offered_locales(),
        locale_options=[(loc, f"{LOCALE_NAMES.get(loc, loc)} ({loc})") for loc in offered_locales()],
        locale_name=lambda loc: LOCALE_NAMES.get(loc, loc),
        concept_choices=concept_choices(),
        **context,
    )
    return page, status
