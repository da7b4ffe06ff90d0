"""Merchant rules as data: the JSON shape, its marshmallow schema and the frozen ``Rule``.

A rule says *when* (conditions on the shopper's concepts, severity, duration,
safety level, locale and dates) and *what* (weighted exercises, products and
article sections; pins, boosts, exclusions, avoid advice and a note).

    >>> rule = load_rule({
    ...     "key": "sitting-hip-flexors", "name": "Sitting and tight hip flexors",
    ...     "conditions": {"all": ["trigger:sitting"]},
    ...     "actions": {"exercises": [{"slug": "hip-flexor-stretch", "weight": 2}]},
    ... })
    >>> rule.conditions.all, rule.actions.exercises[0].weight
    (frozenset({'trigger:sitting'}), 2.0)

Errors are marshmallow's nested dict, keyed by the field path, e.g.
``{"conditions": {"all": {0: ["unknown concept 'area:knee' ..."]}}}``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, NamedTuple

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validates_schema
from marshmallow.validate import Length, OneOf, Range, Regexp

from shop_reco import vocabulary
from shop_reco.recommending.catalog import Catalog
from shop_reco.recommending.messages import claims_treatment

SLUG = r"^[a-z0-9][a-z0-9-]{1,63}$"
SKU = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
ITEM_TYPES = vocabulary.ITEM_TYPES
MAX_PIN_POSITION = 10


class ItemRef(NamedTuple):
    """A recommendable thing: ``("exercise", slug)``, ``("product", sku)``, ``("section", "a#anchor")``."""

    type: str
    id: str


@dataclass(frozen=True, slots=True)
class Target:
    """An item a rule recommends, with its weight (0-10) and an optional localized reason."""

    ref: ItemRef
    weight: float = 1.0
    reason: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Pin:
    ref: ItemRef
    position: int


@dataclass(frozen=True, slots=True)
class Boost:
    ref: ItemRef
    by: float


@dataclass(frozen=True, slots=True)
class AvoidAdvice:
    code: str
    text: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Conditions:
    """When a rule applies. No ``all`` and no ``any`` concepts makes a catch-all rule."""

    all: frozenset[str] = frozenset()
    any: frozenset[str] = frozenset()
    none: frozenset[str] = frozenset()
    severity: frozenset[str] = frozenset()
    min_duration_weeks: float | None = None
    max_duration_weeks: float | None = None
    safety: frozenset[str] = frozenset({vocabulary.NONE})

    @property
    def catch_all(self) -> bool:
        return not self.all and not self.any


@dataclass(frozen=True, slots=True)
class Actions:
    exercises: tuple[Target, ...] = ()
    products: tuple[Target, ...] = ()
    sections: tuple[Target, ...] = ()
    pin: tuple[Pin, ...] = ()
    boost: tuple[Boost, ...] = ()
    exclude: tuple[ItemRef, ...] = ()
    avoid: tuple[AvoidAdvice, ...] = ()
    note: Mapping[str, str] | None = None
    #: the merchant's one-line "why" for shoppers, per locale (never the rule's name)
    shopper_reason: Mapping[str, str] | None = None

    @property
    def targets(self) -> tuple[Target, ...]:
        return self.exercises + self.products + self.sections


@dataclass(frozen=True, slots=True)
class Rule:
    """One validated merchant rule; ``version`` is for the storage layer's optimistic locking."""

    key: str
    name: str
    conditions: Conditions = field(default_factory=Conditions)
    actions: Actions = field(default_factory=Actions)
    description: str = ""
    active: bool = True
    priority: int = 0
    locales: frozenset[str] = frozenset()
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    version: int = 1

    def as_dict(self) -> dict[str, Any]:
        """The rule in its JSON shape (what ``RuleSchema().load`` accepts)."""
        c, a = self.conditions, self.actions

        def target(t: Target, id_key: str) -> dict[str, Any]:
            out: dict[str, Any] = {id_key: t.ref.id, "weight": t.weight}
            if t.reason:
                out["reason"] = dict(t.reason)
            return out

        def section(t: Target) -> dict[str, Any]:
            article, _, anchor = t.ref.id.partition("#")
            out: dict[str, Any] = {"article": article, "anchor": anchor, "weight": t.weight}
            if t.reason:
                out["reason"] = dict(t.reason)
            return out

        return {
            "key": self.key,
            "name": self.name,
            "description": self.description,
            "active": self.active,
            "priority": self.priority,
            "locales": sorted(self.locales),
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "version": self.version,
            "conditions": {
                "all": sorted(c.all),
                "any": sorted(c.any),
                "none": sorted(c.none),
                "severity": [s for s in vocabulary.SEVERITIES if s in c.severity],
                "min_duration_weeks": c.min_duration_weeks,
                "max_duration_weeks": c.max_duration_weeks,
                "safety": [s for s in vocabulary.SAFETY_LEVELS if s in c.safety],
            },
            "actions": {
                "exercises": [target(t, "slug") for t in a.exercises],
                "products": [target(t, "sku") for t in a.products],
                "sections": [section(t) for t in a.sections],
                "pin": [{"type": p.ref.type, "id": p.ref.id, "position": p.position} for p in a.pin],
                "boost": [{"type": b.ref.type, "id": b.ref.id, "by": b.by} for b in a.boost],
                "exclude": [{"type": r.type, "id": r.id} for r in a.exclude],
                "avoid": [{"code": v.code, "text": dict(v.text)} for v in a.avoid],
                "note": dict(a.note) if a.note else None,
                # only when set, so rules stored before the field existed compare equal
                **({"shopper_reason": dict(a.shopper_reason)} if a.shopper_reason else {}),
            },
        }


# --- schema -------------------------------------------------------------------------------------


class _Number(fields.Float):
    """A JSON number: rejects strings and booleans that ``fields.Float`` would coerce."""

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def _concept(value: str) -> None:
    if not vocabulary.is_concept(value):
        groups = ", ".join(sorted(vocabulary.GROUPS))
        raise ValidationError(f"unknown concept {value!r}; use group:code with a group from {groups}")


def _has_english(value: Mapping[str, str]) -> None:
    if "en" not in value:
        raise ValidationError("give at least the English text ('en'); other locales fall back to it")


def _no_claims(value: Mapping[str, str]) -> None:
    bad = [loc for loc, text in value.items() if claims_treatment(text)]
    if bad:
        raise ValidationError(
            f"the {', '.join(sorted(bad))} text claims a treatment or cure; describe support or comfort instead"
        )


def _one_sentence(value: str) -> None:
    if "\n" in value or "; " in value:
        raise ValidationError("write one short sentence for shoppers: no line breaks and no '; ' lists")


def _text(max_len: int = 500, **kwargs: Any) -> fields.Dict:
    return fields.Dict(
        keys=fields.String(validate=OneOf(vocabulary.LOCALES)),
        values=fields.String(validate=Length(1, max_len)),
        validate=_has_english,
        **kwargs,
    )


class _StrictSchema(Schema):
    class Meta:
        unknown = RAISE


#: One frozenset object per small set of codes. Most of a rule's sets are empty or name one code,
#: and each frozenset costs about 200 bytes however small: with 10,000 rules, sharing them keeps a
#: worker about 8 MB smaller. Bounded, as only validated codes (a fixed vocabulary) come here.
_SHARED_CODE_SETS: dict[frozenset[str], frozenset[str]] = {}


def shared_codes(codes: Iterable[str], *, small_domain: bool = False) -> frozenset[str]:
    """``frozenset(codes)``, the same object for every empty or one-code set (they recur in every
    rule), and for every set of a ``small_domain`` (safety levels, locales: a handful of values)."""
    found = frozenset(codes)
    if len(found) > 1 and not small_domain:
        return found
    return _SHARED_CODE_SETS.setdefault(found, found)


class ConditionsSchema(_StrictSchema):
    all = fields.List(fields.String(validate=_concept), load_default=list)
    any = fields.List(fields.String(validate=_concept), load_default=list)
    none = fields.List(fields.String(validate=_concept), load_default=list)
    severity = fields.List(fields.String(validate=OneOf(vocabulary.SEVERITIES)), load_default=list)
    min_duration_weeks = _Number(allow_none=True, load_default=None, validate=Range(min=0))
    max_duration_weeks = _Number(allow_none=True, load_default=None, validate=Range(min=0))
    safety = fields.List(
        fields.String(validate=OneOf(vocabulary.SAFETY_LEVELS)),
        load_default=lambda: [vocabulary.NONE],
        validate=Length(min=1),
    )

    @validates_schema
    def _consistent(self, data: dict[str, Any], **kwargs: Any) -> None:
        lo, hi = data.get("min_duration_weeks"), data.get("max_duration_weeks")
        if lo is not None and hi is not None and hi < lo:
            raise ValidationError("must not be less than min_duration_weeks", "max_duration_weeks")
        clash = (set(data.get("all", ())) | set(data.get("any", ()))) & set(data.get("none", ()))
        if clash:
            raise ValidationError(f"{sorted(clash)} are both required and excluded", "none")

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> Conditions:
        return Conditions(
            all=shared_codes(data["all"]),
            any=shared_codes(data["any"]),
            none=shared_codes(data["none"]),
            severity=shared_codes(data["severity"]),
            min_duration_weeks=data["min_duration_weeks"],
            max_duration_weeks=data["max_duration_weeks"],
            safety=shared_codes(data["safety"], small_domain=True),
        )


class _ExerciseSchema(_StrictSchema):
    slug = fields.String(required=True, validate=Regexp(SLUG))
    weight = _Number(load_default=1.0, validate=Range(0, 10))
    reason = _text(200, load_default=None, allow_none=True)

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> Target:
        return Target(ItemRef("exercise", data["slug"]), float(data["weight"]), data["reason"])


class _ProductSchema(_StrictSchema):
    sku = fields.String(required=True, validate=Regexp(SKU))
    weight = _Number(load_default=1.0, validate=Range(0, 10))
    reason = fields.Dict(
        keys=fields.String(validate=OneOf(vocabulary.LOCALES)),
        values=fields.String(validate=Length(1, 200)),
        validate=[_has_english, _no_claims],
        load_default=None,
        allow_none=True,
    )

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> Target:
        return Target(ItemRef("product", data["sku"]), float(data["weight"]), data["reason"])


class _SectionSchema(_StrictSchema):
    article = fields.String(required=True, validate=Regexp(SLUG))
    anchor = fields.String(required=True, validate=Regexp(SLUG))
    weight = _Number(load_default=1.0, validate=Range(0, 10))
    reason = _text(200, load_default=None, allow_none=True)

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> Target:
        ref = ItemRef("section", f"{data['article']}#{data['anchor']}")
        return Target(ref, float(data["weight"]), data["reason"])


def _check_item_id(data: Mapping[str, Any]) -> None:
    kind, item_id = data.get("type"), data.get("id", "")
    if kind == "section":
        article, hash_, anchor = item_id.partition("#")
        ok = bool(hash_) and all(Regexp(SLUG).regex.match(p) for p in (article, anchor))
        if not ok:
            raise ValidationError("a section id is 'article#anchor', both slugs", "id")
    elif kind == "exercise" and not Regexp(SLUG).regex.match(item_id):
        raise ValidationError("an exercise id is its slug", "id")
    elif kind == "product" and not Regexp(SKU).regex.match(item_id):
        raise ValidationError("a product id is its SKU", "id")


class _RefSchema(_StrictSchema):
    type = fields.String(required=True, validate=OneOf(ITEM_TYPES))
    id = fields.String(required=True, validate=Length(1, 160))

    @validates_schema
    def _id_shape(self, data: dict[str, Any], **kwargs: Any) -> None:
        _check_item_id(data)

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> ItemRef:
        return ItemRef(data["type"], data["id"])


class _PinSchema(_RefSchema):
    position = fields.Integer(required=True, strict=True, validate=Range(1, MAX_PIN_POSITION))

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> Pin:
        return Pin(ItemRef(data["type"], data["id"]), data["position"])


class _BoostSchema(_RefSchema):
    by = _Number(required=True, validate=Range(-10, 10))

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> Boost:
        return Boost(ItemRef(data["type"], data["id"]), float(data["by"]))


class _AvoidSchema(_StrictSchema):
    code = fields.String(required=True, validate=Regexp(SLUG))
    text = _text(500, required=True)

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> AvoidAdvice:
        return AvoidAdvice(data["code"], data["text"])


class ActionsSchema(_StrictSchema):
    exercises = fields.List(fields.Nested(_ExerciseSchema), load_default=list)
    products = fields.List(fields.Nested(_ProductSchema), load_default=list)
    sections = fields.List(fields.Nested(_SectionSchema), load_default=list)
    pin = fields.List(fields.Nested(_PinSchema), load_default=list)
    boost = fields.List(fields.Nested(_BoostSchema), load_default=list)
    # "exclude" is a Schema attribute, hence another name here; errors still say "exclude".
    excluded = fields.List(fields.Nested(_RefSchema), load_default=list, data_key="exclude")
    avoid = fields.List(fields.Nested(_AvoidSchema), load_default=list)
    note = _text(1000, load_default=None, allow_none=True)
    shopper_reason = fields.Dict(
        keys=fields.String(validate=OneOf(vocabulary.LOCALES)),
        values=fields.String(validate=[Length(1, 160), _one_sentence]),
        validate=[_has_english, _no_claims],
        load_default=None,
        allow_none=True,
    )

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> Actions:
        actions = Actions(
            exercises=tuple(data["exercises"]),
            products=tuple(data["products"]),
            sections=tuple(data["sections"]),
            pin=tuple(data["pin"]),
            boost=tuple(data["boost"]),
            exclude=tuple(data["excluded"]),
            avoid=tuple(data["avoid"]),
            note=data["note"],
            shopper_reason=data["shopper_reason"] or None,
        )
        if not (actions.targets or actions.pin or actions.boost or actions.exclude or actions.avoid or actions.note):
            raise ValidationError("a rule needs at least one action")
        return actions


def _utc(value: datetime | None) -> datetime | None:
    return value.astimezone(timezone.utc) if value is not None else None


class _Moment(fields.AwareDateTime):
    """An ISO 8601 string or a ``datetime`` (naive means UTC).

    marshmallow 4 takes both; 3.x only strings, so a ``datetime`` goes through
    its ISO form and every supported version loads a rule alike.
    """

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        if isinstance(value, datetime):
            value = value.isoformat()
        result: datetime = super()._deserialize(value, attr, data, **kwargs)
        return result


class RuleSchema(_StrictSchema):
    """Loads one rule's JSON into a :class:`Rule`; unknown keys are errors."""

    key = fields.String(required=True, validate=Regexp(SLUG, error="use 2-64 of a-z, 0-9 and '-'"))
    name = fields.String(required=True, validate=Length(1, 120))
    description = fields.String(load_default="", validate=Length(max=1000))
    active = fields.Boolean(load_default=True)
    priority = fields.Integer(load_default=0, strict=True, validate=Range(0, 1000))
    locales = fields.List(fields.String(validate=OneOf(vocabulary.LOCALES)), load_default=list)
    valid_from = _Moment(default_timezone=timezone.utc, allow_none=True, load_default=None)
    valid_until = _Moment(default_timezone=timezone.utc, allow_none=True, load_default=None)
    version = fields.Integer(load_default=1, strict=True, validate=Range(min=1))
    conditions = fields.Nested(ConditionsSchema, load_default=Conditions)
    actions = fields.Nested(ActionsSchema, required=True)

    @validates_schema
    def _dates(self, data: dict[str, Any], **kwargs: Any) -> None:
        start, end = data.get("valid_from"), data.get("valid_until")
        if start is not None and end is not None and end <= start:
            raise ValidationError("must be later than valid_from", "valid_until")

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> Rule:
        return Rule(
            key=data["key"],
            name=data["name"],
            description=data["description"],
            active=data["active"],
            priority=data["priority"],
            locales=shared_codes(data["locales"], small_domain=True),
            valid_from=_utc(data["valid_from"]),
            valid_until=_utc(data["valid_until"]),
            version=data["version"],
            conditions=data["conditions"],
            actions=data["actions"],
        )


#: Built once: a schema holds no per-load state, and building one costs three times a load.
_RULE_SCHEMA = RuleSchema()


def load_rule(data: Mapping[str, Any]) -> Rule:
    """Validate one rule's JSON; raises ``marshmallow.ValidationError`` naming the field path."""
    rule: Rule = _RULE_SCHEMA.load(data)
    return rule


def load_rules(data: Iterable[Mapping[str, Any]]) -> list[Rule]:
    """Validate a list of rules (errors keyed by index, then field); keys must be unique."""
    rules: list[Rule] = RuleSchema(many=True).load(list(data))
    seen: dict[str, int] = {}
    for i, rule in enumerate(rules):
        if rule.key in seen:
            raise ValidationError({i: {"key": [f"duplicate key {rule.key!r} (also at {seen[rule.key]})"]}})
        seen[rule.key] = i
    return rules


def check_references(rule: Rule, catalog: Catalog) -> list[str]:
    """Problems with what ``rule`` points at in ``catalog``, one sentence each (for the admin).

    Unknown slugs, SKUs and ``article#anchor`` sections, and products that are
    inactive or out of stock (those are silently skipped when recommending).
    """
    sections = {f"{s.article}#{s.anchor}" for s in catalog.sections}
    problems: list[str] = []

    def check(path: str, ref: ItemRef) -> None:
        if ref.type == "exercise" and ref.id not in catalog.exercises:
            problems.append(f"{path}: no exercise {ref.id!r} in the catalog")
        elif ref.type == "product":
            product = catalog.products.get(ref.id)
            if product is None:
                problems.append(f"{path}: no product {ref.id!r} in the catalog")
            elif not product.available:
                state = "inactive" if not product.active else "out of stock"
                problems.append(f"{path}: product {ref.id!r} is {state} and will not be shown")
        elif ref.type == "section" and ref.id not in sections:
            problems.append(f"{path}: no article section {ref.id!r} in the catalog")

    a = rule.actions
    for name, targets in (("exercises", a.exercises), ("products", a.products), ("sections", a.sections)):
        for i, t in enumerate(targets):
            check(f"actions.{name}[{i}]", t.ref)
    for name, refs in (
        ("pin", [p.ref for p in a.pin]),
        ("boost", [b.ref for b in a.boost]),
        ("exclude", list(a.exclude)),
    ):
        for i, ref in enumerate(refs):
            check(f"actions.{name}[{i}]", ref)
    return problems
