"""The no-JavaScript finder's second step: the red-flag screen's answers, read from a posted form.

The screen step posts the description again (in hidden fields, so nothing
typed is lost) with ``screen_step=1``, a ``screen`` checkbox per red flag that
applies, and the button pressed: "None of these apply" (``screen_none``) or
"Continue" (``screen_continue``). A ticked box always counts, whichever button.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from shop_reco import vocabulary


@dataclass(frozen=True, slots=True)
class ScreenForm:
    """What the screen step sent: ``answers`` is None when it was not sent or not answered."""

    sent: bool = False
    answers: Mapping[str, bool] | None = None

    @property
    def unanswered(self) -> bool:
        """The step was sent with nothing ticked and "Continue" pressed: ask again, kindly."""
        return self.sent and self.answers is None


def screen_form(form: MultiDict[str, str]) -> ScreenForm:
    """The screen's answers in ``form``: every red flag ``True`` if ticked, else ``False``.

    >>> screen_form(MultiDict([("screen_step", "1"), ("screen_none", "1")])).answers["fever"]
    False
    >>> screen_form(MultiDict([("screen_step", "1"), ("screen", "fever")])).answers["fever"]
    True
    >>> screen_form(MultiDict([("screen_step", "1"), ("screen_continue", "1")])).unanswered
    True
    """
    if form.get("screen_step") != "1":
        return ScreenForm()
    ticked = {code for code in form.getlist("screen") if code in vocabulary.RED_FLAGS}
    if not ticked and not form.get("screen_none"):
        return ScreenForm(sent=True)
    return ScreenForm(sent=True, answers={code: code in ticked for code in vocabulary.RED_FLAGS})
