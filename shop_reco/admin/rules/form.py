"""The structured rule form: a rule's JSON to form fields and back, with errors per field.

The form is plain HTML fields, so it works without JavaScript and keeps
exactly what the merchant typed: views render from the submitted
``MultiDict`` and :func:`parse_rule_form` turns it into the JSON that
``RuleSchema`` validates. Field names:

* ``key name description priority active locales valid_from valid_until``
* ``c.<concept>``: ``all`` / ``any`` / ``none`` or empty (e.g. ``c.trigger:sitting``)
* ``severity safety`` (repeated), ``min_weeks max_weeks``
* per catalog item (``<t>`` is ``ex``/``pr``/``se``, ``<id>`` a slug, SKU or ``article#anchor``):
  ``w.<t>.<id>`` weight, ``pin.<t>.<id>`` position, ``boost.<t>.<id>`` (negative buries),
  ``excl.<t>.<id>`` exclude, ``why_en.<t>.<id>``/``why_sv.<t>.<id>`` the reason shown;
  ``items.<t>`` (repeated) keeps the rule's own order and items missing from the catalog
* ``avoid.<n>.code avoid.<n>.en avoid.<n>.sv`` and ``avoid_rows``; ``note_en note_sv``
* ``shopper_reason_en shopper_reason_sv``: the one sentence shoppers read about the rule's items

Errors come back keyed by field name (``"w.pr.lumbar-support-belt"``); ``"_general"``
holds what belongs to no single field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from shop_reco import vocabulary
from shop_reco.recommending import Catalog, Rule, load_rule, text_for

GENERAL = "_general"
LOCALES = vocabulary.LOCALES

#: (form prefix, item type, actions list, id field)
ITEM_KINDS = (
    ("ex", "exercise", "exercises"),
    ("pr", "product", "products"),
    ("se", "section", "sections"),
)
_PREFIX_OF_TYPE = {t: p for p, t, _ in ITEM_KINDS}
_TYPE_OF_PREFIX = {p: t for p, t, _ in ITEM_KINDS}
_PREFIX_OF_LIST = {lst: p for p, _, lst in ITEM_KINDS}

CONCEPT_ROLES = (("", "—"), ("all", "Required"), ("any", "Any of"), ("none", "Excluded"))
CONCEPT_GROUP_LABELS = {
    "area": "Body area",
    "symptom": "Symptom",
    "trigger": "Trigger",
    "red_flag": "Red flag",
}
SAFETY_LABELS = {
    vocabulary.NONE: "No red flags",
    vocabulary.CONSULT: "Consult (see a professional)",
    vocabulary.URGENT: "Urgent",
}

Errors = dict[str, list[str]]


@dataclass(frozen=True, slots=True)
class ItemRow:
    """One catalog item as a row of the actions table."""

    prefix: str
    id: str
    label: str
    known: bool = True
    note: str = ""

    @property
    def field_suffix(self) -> str:
        return f"{self.prefix}.{self.id}"


@dataclass(slots=True)
class RuleFormResult:
    """The parsed form: the rule JSON (always, as far as it could be read), the rule if valid, errors."""

    data: dict[str, Any]
    rule: Rule | None = None
    errors: Errors = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.rule is not None and not self.errors


def concept_label(concept: str) -> str:
    return concept.partition(":")[2].replace("_", " ")


def concept_groups() -> list[tuple[str, str, list[str]]]:
    """(group, label, concepts) for the conditions grid."""
    return [
        (group, CONCEPT_GROUP_LABELS.get(group, group), [f"{group}:{code}" for code in codes])
        for group, codes in vocabulary.GROUPS.items()
    ]


# --- rule JSON -> form values ------------------------------------------------------------------


def _local_datetime(value: Any) -> str:
    if not value:
        return ""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M")


def _number(value: Any) -> str:
    if value is None:
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:g}"


def blank_values() -> MultiDict[str, str]:
    """The form for a new rule: active, priority 100, for shoppers without red flags."""
    return MultiDict([("priority", "100"), ("active", "1"), ("safety", vocabulary.NONE), ("avoid_rows", "1")])


def values_from_rule(data: Mapping[str, Any]) -> MultiDict[str, str]:
    """Form values for a rule in its JSON shape (``Rule.as_dict()`` or a stored record plus key)."""
    out: list[tuple[str, str]] = [
        ("key", str(data.get("key") or "")),
        ("name", str(data.get("name") or "")),
        ("description", str(data.get("description") or "")),
        ("priority", str(data.get("priority", 0))),
        ("valid_from", _local_datetime(data.get("valid_from"))),
        ("valid_until", _local_datetime(data.get("valid_until"))),
    ]
    if data.get("active", True):
        out.append(("active", "1"))
    out += [("locales", loc) for loc in data.get("locales") or ()]
    c = data.get("conditions") or {}
    for role in ("all", "any", "none"):
        out += [(f"c.{concept}", role) for concept in c.get(role) or ()]
    out += [("severity", s) for s in c.get("severity") or ()]
    out += [("safety", s) for s in c.get("safety", [vocabulary.NONE])]
    out += [
        ("min_weeks", _number(c.get("min_duration_weeks"))),
        ("max_weeks", _number(c.get("max_duration_weeks"))),
    ]

    a = data.get("actions") or {}
    for prefix, _type, list_name in ITEM_KINDS:
        for target in a.get(list_name) or ():
            item_id = _target_id(prefix, target)
            out += [(f"items.{prefix}", item_id), (f"w.{prefix}.{item_id}", _number(target.get("weight", 1)))]
            for loc, text in (target.get("reason") or {}).items():
                out.append((f"why_{loc}.{prefix}.{item_id}", text))
    for pin in a.get("pin") or ():
        prefix = _PREFIX_OF_TYPE[pin["type"]]
        out += [(f"items.{prefix}", pin["id"]), (f"pin.{prefix}.{pin['id']}", str(pin["position"]))]
    for boost in a.get("boost") or ():
        prefix = _PREFIX_OF_TYPE[boost["type"]]
        out += [(f"items.{prefix}", boost["id"]), (f"boost.{prefix}.{boost['id']}", _number(boost["by"]))]
    for ref in a.get("exclude") or ():
        prefix = _PREFIX_OF_TYPE[ref["type"]]
        out += [(f"items.{prefix}", ref["id"]), (f"excl.{prefix}.{ref['id']}", "1")]
    avoid = list(a.get("avoid") or ())
    for i, advice in enumerate(avoid):
        out.append((f"avoid.{i}.code", advice.get("code", "")))
        out += [(f"avoid.{i}.{loc}", advice.get("text", {}).get(loc, "")) for loc in LOCALES]
    out.append(("avoid_rows", str(len(avoid) + 1)))
    for loc, text in (a.get("note") or {}).items():
        out.append((f"note_{loc}", text))
    for loc, text in (a.get("shopper_reason") or {}).items():
        out.append((f"shopper_reason_{loc}", text))
    deduped: list[tuple[str, str]] = []
    seen_items: set[tuple[str, str]] = set()
    for name, value in out:
        if name.startswith("items."):
            if (name, value) in seen_items:
                continue
            seen_items.add((name, value))
        deduped.append((name, value))
    return MultiDict(deduped)


def _target_id(prefix: str, target: Mapping[str, Any]) -> str:
    if prefix == "ex":
        return str(target["slug"])
    if prefix == "pr":
        return str(target["sku"])
    return f"{target['article']}#{target['anchor']}"


# --- form values -> rule JSON ------------------------------------------------------------------


def _parse_float(raw: str) -> float:
    return float(raw.strip().replace(",", ".").replace("\u2212", "-"))


class _Reader:
    """Reads form values into rule JSON, collecting per-field errors on the way."""

    def __init__(self, values: MultiDict[str, str]) -> None:
        self.values = values
        self.errors: Errors = {}
        #: marshmallow error path -> form field, for the errors the schema finds
        self.paths: dict[tuple[Any, ...], str] = {}

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def text(self, name: str) -> str:
        return (self.values.get(name) or "").strip()

    def number(self, name: str, message: str, *, integer: bool = False) -> float | int | None:
        raw = self.text(name)
        if not raw:
            return None
        try:
            value = _parse_float(raw)
        except ValueError:
            self.error(name, message)
            return None
        if integer:
            if not value.is_integer():
                self.error(name, message)
                return None
            return int(value)
        return value

    def moment(self, name: str) -> str | None:
        raw = self.text(name)
        if not raw:
            return None
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            self.error(name, "Use the date picker or YYYY-MM-DD HH:MM (UTC).")
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.isoformat()

    def localized(self, names: Mapping[str, str]) -> dict[str, str] | None:
        text = {loc: self.text(name) for loc, name in names.items() if self.text(name)}
        return text or None


def _item_ids(values: MultiDict[str, str], prefix: str) -> list[str]:
    """Ids the form mentions for a kind: the rule's own order first, then any filled field."""
    ids = list(dict.fromkeys(values.getlist(f"items.{prefix}")))
    for name in values:
        head, _, rest = name.partition(".")
        if head in ("w", "pin", "boost", "excl", "why_en", "why_sv") and rest.startswith(f"{prefix}."):
            item_id = rest[len(prefix) + 1 :]
            if item_id and item_id not in ids:
                ids.append(item_id)
    return ids


def _ref_id(prefix: str, item_id: str) -> dict[str, Any]:
    if prefix == "ex":
        return {"slug": item_id}
    if prefix == "pr":
        return {"sku": item_id}
    article, _, anchor = item_id.partition("#")
    return {"article": article, "anchor": anchor}


def _conditions(r: _Reader) -> dict[str, Any]:
    roles: dict[str, list[str]] = {"all": [], "any": [], "none": []}
    for name in r.values:
        if name.startswith("c."):
            role = r.text(name)
            if role in roles:
                roles[role].append(name[2:])
            elif role:
                r.error("conditions", f"{name[2:]}: choose Required, Any of or Excluded")
    safety = [s for s in r.values.getlist("safety") if s]
    if not safety:
        r.error("safety", "Pick at least one safety level; 'No red flags' is the usual choice.")
    return {
        "all": sorted(roles["all"]),
        "any": sorted(roles["any"]),
        "none": sorted(roles["none"]),
        "severity": [s for s in r.values.getlist("severity") if s],
        "min_duration_weeks": r.number("min_weeks", "Enter a number of weeks, e.g. 2 or 0.5."),
        "max_duration_weeks": r.number("max_weeks", "Enter a number of weeks, e.g. 12."),
        "safety": safety or [vocabulary.NONE],
    }


def _actions(r: _Reader) -> dict[str, Any]:
    actions: dict[str, Any] = {name: [] for name in ("exercises", "products", "sections", "pin", "boost", "exclude")}
    for prefix, item_type, list_name in ITEM_KINDS:
        for item_id in _item_ids(r.values, prefix):
            suffix = f"{prefix}.{item_id}"
            weight = r.number(f"w.{suffix}", "Enter a weight from 0 to 10, e.g. 2.")
            reason = r.localized({loc: f"why_{loc}.{suffix}" for loc in LOCALES})
            if weight is not None:
                r.paths[("actions", list_name, len(actions[list_name]))] = suffix
                target = {**_ref_id(prefix, item_id), "weight": weight}
                if reason:
                    target["reason"] = reason
                actions[list_name].append(target)
            elif reason:
                r.error(f"w.{suffix}", "Give a weight to recommend this item (the reason is shown with it).")
            position = r.number(f"pin.{suffix}", "Enter a position from 1 to 10.", integer=True)
            if position is not None:
                r.paths[("actions", "pin", len(actions["pin"]))] = suffix
                actions["pin"].append({"type": item_type, "id": item_id, "position": position})
            by = r.number(f"boost.{suffix}", "Enter a number from -10 to 10 (negative buries).")
            if by is not None:
                r.paths[("actions", "boost", len(actions["boost"]))] = suffix
                actions["boost"].append({"type": item_type, "id": item_id, "by": by})
            if r.text(f"excl.{suffix}"):
                r.paths[("actions", "exclude", len(actions["exclude"]))] = suffix
                actions["exclude"].append({"type": item_type, "id": item_id})
    avoid: list[dict[str, Any]] = []
    for row in range(avoid_row_count(r.values)):
        code = r.text(f"avoid.{row}.code")
        text = {loc: r.text(f"avoid.{row}.{loc}") for loc in LOCALES if r.text(f"avoid.{row}.{loc}")}
        if not code and not text:
            continue
        r.paths[("actions", "avoid", len(avoid))] = str(row)
        avoid.append({"code": code, "text": text})
    actions["avoid"] = avoid
    actions["note"] = r.localized({loc: f"note_{loc}" for loc in LOCALES})
    shopper_reason = r.localized({loc: f"shopper_reason_{loc}" for loc in LOCALES})
    if shopper_reason is not None:
        actions["shopper_reason"] = shopper_reason
    return actions


def avoid_row_count(values: MultiDict[str, str]) -> int:
    """How many advice rows the form holds (at least the numbered ones sent)."""
    try:
        count = int(values.get("avoid_rows") or 0)
    except ValueError:
        count = 0
    numbered = [int(n.split(".")[1]) + 1 for n in values if n.startswith("avoid.") and n.split(".")[1].isdigit()]
    return max([count, 1, *numbered])


def rule_data_from_values(values: MultiDict[str, str], key: str | None = None) -> tuple[dict[str, Any], _Reader]:
    """The rule JSON the form describes (``key`` wins over the form's), and the reader's errors."""
    r = _Reader(values)
    priority = r.number("priority", "Enter a whole number from 0 to 1000.", integer=True)
    data: dict[str, Any] = {
        "key": key if key is not None else r.text("key"),
        "name": r.text("name"),
        "description": r.text("description"),
        "active": bool(r.text("active")),
        "priority": 0 if priority is None else priority,
        "locales": [loc for loc in values.getlist("locales") if loc],
        "valid_from": r.moment("valid_from"),
        "valid_until": r.moment("valid_until"),
        "conditions": _conditions(r),
        "actions": _actions(r),
    }
    return data, r


def parse_rule_form(values: MultiDict[str, str], key: str | None = None) -> RuleFormResult:
    """Validate the form through ``RuleSchema``; errors are keyed by form field."""
    data, reader = rule_data_from_values(values, key)
    errors = reader.errors
    rule: Rule | None = None
    try:
        rule = load_rule(data)
    except ValidationError as exc:
        for path, message in flatten_errors(exc.messages):
            errors.setdefault(field_for(path, reader.paths), []).append(_humane(path, message))
    return RuleFormResult(data, None if errors else rule, errors)


def parse_rule_json(text: str, key: str | None = None) -> RuleFormResult:
    """Validate a rule typed as JSON (the power users' editor); errors are keyed by JSON path."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        return RuleFormResult({}, None, {GENERAL: [f"This is not valid JSON: {exc}"]})
    if not isinstance(data, dict):
        return RuleFormResult({}, None, {GENERAL: ["Give one rule as a JSON object {...}."]})
    data.pop("version", None)
    if key is not None:
        if data.get("key", key) != key:
            return RuleFormResult(
                data, None, {"key": [f"The key of this rule is {key!r}; duplicate it to change the key."]}
            )
        data["key"] = key
    try:
        rule = load_rule(data)
    except ValidationError as exc:
        errors: Errors = {}
        for path, message in flatten_errors(exc.messages):
            errors.setdefault(".".join(str(p) for p in path) or GENERAL, []).append(message)
        return RuleFormResult(data, None, errors)
    return RuleFormResult(data, rule, {})


def flatten_errors(messages: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], str]]:
    """marshmallow's nested error dict as (path, message) pairs."""
    if isinstance(messages, Mapping):
        out: list[tuple[tuple[Any, ...], str]] = []
        for k, v in messages.items():
            out += flatten_errors(v, (*path, k))
        return out
    if isinstance(messages, (list, tuple)):
        out = []
        for m in messages:
            out += flatten_errors(m, path) if isinstance(m, (Mapping, list, tuple)) else [(path, str(m))]
        return out
    return [(path, str(messages))]


_SIMPLE_FIELDS = {"key", "name", "description", "active", "priority", "locales", "valid_from", "valid_until"}
_CONDITION_FIELDS = {
    "severity": "severity",
    "safety": "safety",
    "min_duration_weeks": "min_weeks",
    "max_duration_weeks": "max_weeks",
}


def field_for(path: tuple[Any, ...], paths: Mapping[tuple[Any, ...], str]) -> str:
    """The form field that an error at marshmallow ``path`` belongs to."""
    if not path:
        return GENERAL
    head = path[0]
    if head in _SIMPLE_FIELDS:
        return str(head)
    if head == "conditions":
        return _CONDITION_FIELDS.get(str(path[1]) if len(path) > 1 else "", "conditions")
    if head == "actions" and len(path) >= 2:
        list_name = path[1]
        if list_name in ("note", "shopper_reason"):
            return str(list_name)
        if list_name == "_schema" or len(path) < 3:
            return "actions"
        where = paths.get(("actions", list_name, path[2]))
        if where is None:
            return "actions"
        sub = path[3] if len(path) > 3 else None
        if list_name == "avoid":
            return f"avoid.{where}.code" if sub in (None, "code") else f"avoid.{where}.en"
        if list_name in _PREFIX_OF_LIST:
            return f"why.{where}" if sub == "reason" else f"w.{where}"
        return {"pin": "pin", "boost": "boost", "exclude": "excl"}[str(list_name)] + f".{where}"
    return GENERAL


def _humane(path: tuple[Any, ...], message: str) -> str:
    if path and path[0] == "key" and "a-z" in message:
        return "Use 2-64 lowercase letters, digits and '-', e.g. 'sitting-hip-flexors'."
    if path == ("actions", "_schema"):
        return "Add at least one action: recommend an item, pin, boost, exclude, give advice or a note."
    return message


# --- catalog rows ---------------------------------------------------------------------------------


def catalog_rows(catalog: Catalog) -> dict[str, list[ItemRow]]:
    """Every recommendable item per form prefix, labelled in English."""
    exercises = [
        ItemRow("ex", slug, str(text_for(e.text, "en").get("name", slug)), note=e.kind)
        for slug, e in sorted(catalog.exercises.items())
    ]
    products = []
    for sku, p in sorted(catalog.products.items()):
        note = "" if p.available else ("inactive" if not p.active else "out of stock")
        products.append(ItemRow("pr", sku, str(text_for(p.text, "en").get("name", sku)), note=note))
    sections: dict[str, ItemRow] = {}
    for s in sorted(catalog.sections, key=lambda s: (s.article, s.position, s.locale != "en")):
        section_id = f"{s.article}#{s.anchor}"
        if section_id not in sections:
            sections[section_id] = ItemRow("se", section_id, s.heading, note=s.article)
    return {"ex": exercises, "pr": products, "se": list(sections.values())}


def item_rows(values: MultiDict[str, str], catalog: Catalog) -> dict[str, tuple[list[ItemRow], list[ItemRow]]]:
    """Per prefix: (rows the rule uses, in its order; the rest of the catalog)."""
    out: dict[str, tuple[list[ItemRow], list[ItemRow]]] = {}
    for prefix, rows in catalog_rows(catalog).items():
        by_id = {row.id: row for row in rows}
        used_ids = [i for i in _item_ids(values, prefix) if _row_is_set(values, prefix, i)]
        used = [by_id.get(i) or ItemRow(prefix, i, i, known=False, note="not in the catalog") for i in used_ids]
        rest = [row for row in rows if row.id not in set(used_ids)]
        out[prefix] = (used, rest)
    return out


def _row_is_set(values: MultiDict[str, str], prefix: str, item_id: str) -> bool:
    suffix = f"{prefix}.{item_id}"
    if item_id in values.getlist(f"items.{prefix}"):
        return True
    return any(
        (values.get(f"{head}.{suffix}") or "").strip() for head in ("w", "pin", "boost", "excl", "why_en", "why_sv")
    )


def _field_paths(*records: Mapping[str, Any]) -> list[tuple[str, ...]]:
    """Top-level fields, and the parts of ``conditions``/``actions``, as merge paths."""
    paths: list[tuple[str, ...]] = []
    for record in records:
        for name, value in record.items():
            if name in ("version", "key"):
                continue
            if name in ("conditions", "actions") and isinstance(value, Mapping):
                paths += [(name, part) for part in value]
            else:
                paths.append((name,))
    return list(dict.fromkeys(paths))


def _at(record: Mapping[str, Any] | None, path: tuple[str, ...]) -> Any:
    value: Any = record
    for part in path:
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Fields that differ, e.g. ``["priority", "actions.exercises"]`` (for the conflict page)."""
    return [".".join(p) for p in _field_paths(before, after) if _at(before, p) != _at(after, p)]


def merge_changes(
    base: Mapping[str, Any] | None, mine: Mapping[str, Any], theirs: Mapping[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """Apply what I changed since ``base`` onto ``theirs``; returns (merged, fields we both changed).

    Fields are compared at the top level and one level into ``conditions`` and
    ``actions``. Where we both changed a field differently, mine wins in the
    merge (the merchant reviews it before saving) and the field is reported.
    Without a base, mine is taken whole.
    """
    if base is None:
        return dict(mine), [f for f in changed_fields(theirs, mine)]
    merged: dict[str, Any] = json.loads(json.dumps(theirs))
    both: list[str] = []
    for path in _field_paths(base, mine, theirs):
        mine_value, base_value, their_value = _at(mine, path), _at(base, path), _at(theirs, path)
        if mine_value == base_value:
            continue
        target = merged
        for part in path[:-1]:
            target = target.setdefault(part, {})
        target[path[-1]] = mine_value
        if their_value not in (base_value, mine_value):
            both.append(".".join(path))
    return merged, both
