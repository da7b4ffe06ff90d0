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
