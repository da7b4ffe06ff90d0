"""Before/after diffs of JSON records, for the revisions page and the conflict page."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class DiffLine:
    """One line of a unified diff: ``kind`` is ``add``, ``remove``, ``context`` or ``hunk``."""

    kind: str
    text: str


def pretty(value: Any) -> str:
    """Stable, readable JSON (sorted keys, two-space indent); ``None`` is the empty record."""
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)


def json_diff(before: Any, after: Any, before_label: str = "before", after_label: str = "after") -> list[DiffLine]:
    """A unified diff of two JSON values; the template escapes every line."""
    lines = difflib.unified_diff(
        pretty(before).splitlines(), pretty(after).splitlines(), before_label, after_label, n=3, lineterm=""
    )
    out: list[DiffLine] = []
    for line in lines:
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            out.append(DiffLine("hunk", line))
        elif line.startswith("+"):
            out.append(DiffLine("add", line[1:]))
        elif line.startswith("-"):
            out.append(DiffLine("remove", line[1:]))
        else:
            out.append(DiffLine("context", line[1:]))
    return out


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field that differs: its dotted path (``actions.products``) and both values as short text."""

    path: str
    before: str
    after: str


def _short(value: Any) -> str:
    if value is _ABSENT:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


_ABSENT = object()


def field_changes(before: Any, after: Any) -> list[FieldChange]:
    """The fields that differ between two records, field by field, in path order.

    Objects present on both sides are compared key by key; anything else is one field.

    >>> old, new = {"name": "A", "actions": {"note": None}}, {"name": "B", "actions": {"note": {"en": "x"}}}
    >>> for f in field_changes(old, new):
    ...     print(f.path, f.before, f.after)
    actions.note null {"en": "x"}
    name A B
    """
    out: list[FieldChange] = []

    def walk(old: Any, new: Any, path: str) -> None:
        if isinstance(old, dict) and isinstance(new, dict):
            for key in sorted(set(old) | set(new)):
                walk(old.get(key, _ABSENT), new.get(key, _ABSENT), f"{path}.{key}" if path else str(key))
        elif old != new:
            out.append(FieldChange(path, _short(old), _short(new)))

    walk(before if before is not None else {}, after if after is not None else {}, "")
    return out
