"""Admin content forms: what every entity's form shares (values, errors, loading with a schema).

A form is a flat mapping of input name to value: strings, lists (checkbox
groups) and booleans (single checkboxes). Input names are the schemas' error
paths (``price``, ``text.sv.name``, ``sections.2.body``), so a validation
error lands next to the input it is about, and an invalid form is shown
again with exactly what the merchant typed. Each entity's module turns its
record into form values and back (``product_values`` and ``product_data`` in
:mod:`shop_reco.admin.entities.products`, and so on).

    >>> place_errors([("text.en.name", "must be plain text")], ["text.en.name", "price"])
    {'text.en.name': ['must be plain text']}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from marshmallow import Schema, ValidationError
from werkzeug.datastructures import MultiDict

from shop_reco import vocabulary

__all__ = [
    "FORM_ERRORS",
    "FieldErrors",
    "FormValues",
    "concept_choices",
    "flatten_messages",
    "form_text",
    "integer_or_text",
    "key_list",
    "load_form",
    "place_errors",
    "text_lines",
]

FormValues = dict[str, Any]
FieldErrors = dict[str, list[str]]

#: Where errors go that belong to no input of the form.
FORM_ERRORS: Final = "_form"
#: Concept groups offered for tagging content (red flags are the shopper's, never content's).
TAG_GROUPS: Final = ("area", "symptom", "trigger")


def concept_choices(groups: Sequence[str] = TAG_GROUPS) -> list[tuple[str, list[str]]]:
    """``[(group, ["group:code", ...]), ...]`` for the concept pickers."""
    return [(group, [f"{group}:{code}" for code in vocabulary.GROUPS[group]]) for group in groups]


def form_text(form: MultiDict[str, str], name: str) -> str:
    """An input's text as posted, with Windows line ends made plain."""
    return form.get(name, "").replace("\r\n", "\n")


def text_lines(text: str) -> list[str]:
    """One list item per non-blank line."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def key_list(text: str) -> list[str]:
    """Keys typed separated by commas or spaces."""
    return [part for part in text.replace(",", " ").split() if part]


def integer_or_text(text: str) -> int | str | None:
    """``""`` is no value, digits are a number; anything else stays text for the schema to refuse."""
    text = text.strip()
    if not text:
        return None
    return int(text) if text.isascii() and text.isdigit() else text


# -- errors -----------------------------------------------------------------------------------------


def flatten_messages(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    """marshmallow's nested messages as ``(dotted path, message)`` pairs.

    The ``key``/``value`` levels that ``fields.Dict`` adds are left out
    (``text.sv.name``, not ``text.sv.value.name``); ``_schema`` is dropped.
    """
    out: list[tuple[str, str]] = []
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            key = str(key)
            if key in ("key", "value", "_schema"):
                out += flatten_messages(value, prefix)
            else:
                out += flatten_messages(value, f"{prefix}.{key}" if prefix else key)
    elif isinstance(messages, list | tuple):
        for message in messages:
            out += flatten_messages(message, prefix)
    else:
        out.append((prefix, str(messages)))
    return out


def place_errors(
    pairs: Iterable[tuple[str, str]], inputs: Iterable[str], rename: Mapping[str, str] | None = None
) -> FieldErrors:
    """Attach each message to the longest input name its path starts with (else the form)."""
    names = set(inputs)
    errors: FieldErrors = {}
    for path, message in pairs:
        if rename:
            path = _renamed(path, rename)
        parts = path.split(".") if path else []
        target = FORM_ERRORS
        for n in range(len(parts), 0, -1):
            candidate = ".".join(parts[:n])
            if candidate in names:
                target = candidate
                break
        if message not in errors.setdefault(target, []):
            errors[target].append(message)
    return errors


def _renamed(path: str, rename: Mapping[str, str]) -> str:
    for old, new in rename.items():
        if path == old or path.startswith(old + "."):
            return new + path[len(old) :]
    return path


def load_form(
    schema: Schema,
    data: Mapping[str, Any],
    values: Mapping[str, Any],
    rename: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any] | None, FieldErrors]:
    """Validate ``data`` with ``schema``: ``(loaded, {})`` or ``(None, errors by input name)``."""
    try:
        return schema.load(data), {}
    except ValidationError as exc:
        inputs = set(values) | _groups(values)
        return None, place_errors(flatten_messages(exc.messages), inputs, rename)


def _groups(values: Mapping[str, Any]) -> set[str]:
    """Every dotted prefix of an input name (``text.en``, ``dose``), so fieldsets can show errors too."""
    groups: set[str] = set()
    for name in values:
        parts = name.split(".")
        groups.update(".".join(parts[:n]) for n in range(1, len(parts)))
    return groups
