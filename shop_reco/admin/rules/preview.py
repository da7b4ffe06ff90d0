"""The preview page: a description in, the analysis and the answer the shop would give out.

Uses the rules as saved (the rule editor has its own preview with the rule
being edited). The description is posted, never put in a URL, and never
stored or logged: ``recommend`` is called directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from shop_reco import vocabulary
from shop_reco.admin.case_checks import screen_questions
from shop_reco.admin.rules.sandbox import preview
from shop_reco.admin.security import on_csrf_failure
from shop_reco.answering.snapshot import current_snapshot
from shop_reco.state import get_state

if TYPE_CHECKING:
    from shop_reco.state import RecoState


def _render(status: int = 200) -> ResponseReturnValue:
    text = request.form.get("description", "") if request.method == "POST" else ""
    locale = request.form.get("locale", "en") if request.method == "POST" else "en"
    limit = int(get_state().settings["SHOP_RECO_MAX_DESCRIPTION_CHARS"])
    error = None
    result = None
    if request.method == "POST" and status == 200:
        if locale not in vocabulary.LOCALES:
            error, locale = "Choose a language.", "en"
        elif not text.strip():
            error = "Type a description, as a shopper would."
        elif len(text) > limit:
            error = f"Shoppers can send at most {limit} characters; this is {len(text)}."
        else:
            result = preview(text, locale, current_snapshot().compiled, screening=screen_answers(request.form))
    return (
        render_template(
            "shop_reco/admin/preview.html",
            text=text,
            locale=locale,
            locales=vocabulary.LOCALES,
            error=error,
            preview=result,
            values=request.form if request.method == "POST" else {},
            screen_questions=screen_questions(),
        ),
        status if error is None else 422,
    )


def screen_answers(form: Mapping[str, str]) -> dict[str, bool] | None:
    """The screen answers chosen on the page (``screen.<code>``: yes or no); None when none was."""
    answers = {code: form.get(f"screen.{code}") == "yes" for code in vocabulary.RED_FLAGS if form.get(f"screen.{code}")}
    return answers or None


def _rerender() -> ResponseReturnValue:
    return _render(status=400)


@on_csrf_failure(_rerender)
def preview_page() -> ResponseReturnValue:
    return _render()


def register(bp: Blueprint, state: RecoState) -> None:
    bp.add_url_rule("/preview", "preview", preview_page, methods=["GET", "POST"])
