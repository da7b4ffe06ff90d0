"""Marshmallow schemas of the JSON API, one per direction.

Request schemas (``load``) reject unknown fields; response schemas (``dump``)
document the answers. The OpenAPI document is generated from these same classes.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TypeVar

from marshmallow import RAISE, Schema, fields, validate

from shop_reco import vocabulary
from shop_reco.recommending.experiments import VISITOR


class _Strict(Schema):
    class Meta:
        unknown = RAISE


#: ``SHOP_RECO_MAX_DESCRIPTION_CHARS``'s default; a shop's own value is given to
#: :func:`recommendation_request_schema`.
DEFAULT_MAX_DESCRIPTION_CHARS = 2000


#: Something to read: at least one character that is not a space, and no NUL anywhere. The same
#: pattern validates (``re.match``) and is published in the OpenAPI document (``pattern``).
DESCRIPTION_PATTERN = r"^[^\x00]*[^\s\x00][^\x00]*$"


def _description_field(max_chars: int) -> fields.String:
    return fields.String(
        required=True,
        validate=[
            validate.Length(min=1, max=max_chars),
            validate.Regexp(DESCRIPTION_PATTERN, error="Describe the discomfort in a few words."),
        ],
        metadata={
            "description": (
                f"The shopper's own words, 1-{max_chars:,} characters (SHOP_RECO_MAX_DESCRIPTION_CHARS). "
                "A description of only spaces is refused (400), as is one holding NUL or an unpaired "
                "surrogate escape (400 naming the field)."
            ),
            "example": "My lower back aches after sitting all day, no numbness.",
        },
    )


def _locale_field(offered: Sequence[str]) -> fields.String:
    return fields.String(
        load_default=None,
        validate=validate.OneOf(offered, error=UNKNOWN_LOCALE),
        metadata={"description": "Language of the description; detected when absent."},
    )


#: The one message for a locale the shop does not offer (the body's ``locale`` and the ``?locale=`` parameter).
UNKNOWN_LOCALE = "unknown locale {input!r}; this shop offers {choices}"


class StrictBoolean(fields.Boolean):
    """JSON ``true`` or ``false`` only: not ``1``, ``"yes"`` or ``null`` (a screen answer must be plain)."""

    #: Loads a ``bool`` unchanged and nothing else (see :mod:`shop_reco.api.plain_bodies`).
    plain_type = bool

    def _deserialize(self, value: object, attr: str | None, data: object, **kwargs: object) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


#: The red-flag screen's answers: one optional boolean per red flag code of the vocabulary, nothing else
#: (so the OpenAPI document lists the codes and a generated client cannot send an unknown one).
ScreeningAnswersSchema: type[Schema] = type(
    "ScreeningAnswersSchema",
    (_Strict,),
    {
        "__module__": __name__,
        "__doc__": "The shopper's answers to the red-flag screen: true if it applies.",
        **{
            code: StrictBoolean(metadata={"description": f"Answer to the {code} question ({level} red flag)."})
            for code, level in vocabulary.RED_FLAGS.items()
        },
    },
)


class RecommendationRequestSchema(_Strict):
    """The request at the default length limit; use :func:`recommendation_request_schema` for a shop's own."""

    description = _description_field(DEFAULT_MAX_DESCRIPTION_CHARS)
    locale = _locale_field(vocabulary.LOCALES)
    limit = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=10),
        metadata={"description": "Most exercises (and products) to return; default 6 exercises, 3 products."},
    )
    visitor = fields.String(
        load_default=None,
        validate=validate.Regexp(
            VISITOR, error="Use 8-64 letters, digits, '-' or '_': a random id, never a user id or an address."
        ),
        metadata={
            "description": "A pseudonymous visitor id (8-64 of A-Z a-z 0-9 _ -) the host hands over after "
            "consent; it picks the visitor's variant of a running experiment. Without it the live rules answer.",
            "example": "k3Jd9_x2Lq0v",
        },
    )
    screening = fields.Nested(
        lambda: ScreeningAnswersSchema(),
        metadata={
            "description": "The shopper's answers to the red-flag screen, by red flag code (see /vocabulary): "
            "true raises that red flag as if written; false never cancels one found in the text.",
            "example": {"fever": False, "bladder_bowel": False},
        },
    )


@lru_cache(maxsize=16)
def recommendation_request_schema(
    max_chars: int, locales: tuple[str, ...] = vocabulary.LOCALES
) -> type[RecommendationRequestSchema]:
    """The request schema of a shop: ``description`` of at most ``max_chars``, ``locale`` one of ``locales``.

    ``SHOP_RECO_MAX_DESCRIPTION_CHARS`` and ``SHOP_RECO_LOCALES`` are per app, so
    the API's validation (and the OpenAPI document's ``maxLength``) are built
    from this class, not the default one. The schema is the only check: what it
    loads is answered as it is.

        >>> schema = recommendation_request_schema(50)()
        >>> schema.load({"description": "x" * 51})
        Traceback (most recent call last):
        ...
        marshmallow.exceptions.ValidationError: {'description': ['Length must be between 1 and 50.']}
        >>> recommendation_request_schema(50, ("en",))().load({"description": "ont", "locale": "sv"})
        Traceback (most recent call last):
        ...
        marshmallow.exceptions.ValidationError: {'locale': ["unknown locale 'sv'; this shop offers en"]}
    """
    locales = tuple(locales)
    if max_chars == DEFAULT_MAX_DESCRIPTION_CHARS and locales == tuple(vocabulary.LOCALES):
        return RecommendationRequestSchema
    namespace = {
        "description": _description_field(max_chars),
        "locale": _locale_field(locales),
        "__module__": __name__,
    }
    return type("RecommendationRequestSchema", (RecommendationRequestSchema,), namespace)


class EventSchema(_Strict):
    kind = fields.String(required=True, validate=validate.OneOf(vocabulary.EVENT_KINDS))
    recommendation_id = fields.String(load_default=None, validate=validate.Length(max=36))
    item_type = fields.String(required=True, validate=validate.OneOf(vocabulary.ITEM_TYPES))
    item_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    rule = fields.String(load_default=None, validate=validate.Length(max=64))
    page_view = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^[A-Za-z0-9_-]{8,64}$"),
        metadata={"description": "A random id the widget makes per page view (pseudonymous)."},
    )
    widget = fields.String(load_default=None, validate=validate.OneOf(vocabulary.WIDGETS))
    locale = fields.String(load_default=None, validate=validate.OneOf(vocabulary.LOCALES))


class EventBatchSchema(_Strict):
    events = fields.List(fields.Nested(EventSchema), required=True, validate=validate.Length(min=1, max=50))


# -- responses -------------------------------------------------------------------


_SchemaT = TypeVar("_SchemaT", bound=type[Schema])


def served_whole(schema: _SchemaT) -> _SchemaT:
    """Declare that every field of a response schema is always served (null where it allows none).

    The OpenAPI document then lists them all as ``required``, and
    tests/test_api_document.py holds every served body to it.
    """
    for declared in schema._declared_fields.values():
        declared.required = True
    return schema


class ErrorSchema(Schema):
    code = fields.String(required=True, metadata={"example": "validation_error"})
    message = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True)


class UnavailableSchema(ErrorSchema):
    """503 of ``POST /recommendations``: no answer; ``database_unavailable`` still carries the safety notice."""

    safety = fields.Nested(lambda: SafetySchema(), metadata={"description": "With database_unavailable."})
    disclaimer = fields.String(metadata={"description": "With database_unavailable."})


@served_whole
class MatchSchema(Schema):
    group = fields.String()
    code = fields.String()
    phrase = fields.String()
    start = fields.Integer()
    end = fields.Integer()
    negated = fields.Boolean()
    experiencer = fields.String(
        metadata={
            "description": "self: the person the answer is for (the writer, or the one a description "
            "is written for, as in 'my husband fell, his back hurts'); other: someone else mentioned "
            "beside them ('my dad had cancer'), whose findings do not count.",
            "enum": ["self", "other"],
        }
    )
    hypothetical = fields.Boolean()


@served_whole
class ProfileSchema(Schema):
    locale = fields.String()
    areas = fields.List(fields.String())
    symptoms = fields.List(fields.String())
    triggers = fields.List(fields.String())
    side = fields.String(allow_none=True)
    severity = fields.String(allow_none=True)
    duration_weeks = fields.Float(allow_none=True)
    matches = fields.List(fields.Nested(MatchSchema))


@served_whole
class RedFlagSchema(Schema):
    code = fields.String()
    level = fields.String()
    phrase = fields.String(allow_none=True, metadata={"description": "The shopper's words; null from the screen."})
    source = fields.String(
        validate=validate.OneOf(["text", "screen"]),
        metadata={"description": "text: found in the description; screen: answered yes on the red-flag screen."},
    )


@served_whole
class ContactSchema(Schema):
    label = fields.String(metadata={"example": "Ring 112 vid nödläge"})
    number = fields.String(allow_none=True, metadata={"example": "112"})
    href = fields.String(allow_none=True, metadata={"description": "A tel: link; null when there is no number."})


@served_whole
class SafetySchema(Schema):
    level = fields.String(validate=validate.OneOf(vocabulary.SAFETY_LEVELS))
    red_flags = fields.List(fields.Nested(RedFlagSchema))
    message = fields.String(allow_none=True)
    contacts = fields.List(
        fields.Nested(ContactSchema),
        metadata={"description": "Whom to call now (SHOP_RECO_URGENT_CONTACTS); empty unless the level is urgent."},
    )


@served_whole
class ScreenQuestionSchema(Schema):
    code = fields.String(metadata={"description": "A red flag code: answer it in the request's screening."})
    level = fields.String(validate=validate.OneOf(vocabulary.SAFETY_LEVELS))
    text = fields.String(metadata={"description": "The question in plain words, in the answer's locale."})
    mentioned = fields.Boolean(metadata={"description": "The description touched this question's topic."})


@served_whole
class ScreeningSchema(Schema):
    status = fields.String(
        validate=validate.OneOf(["unanswered", "clear", "flagged"]),
        metadata={"description": "clear: every question answered false; flagged: any answered true."},
    )
    ask = fields.Boolean(
        metadata={
            "description": "Show the screen before any routine or product (SHOP_RECO_SCREENING); "
            "false once answered, and for an urgent text, whose advice comes first."
        }
    )
    questions = fields.List(fields.Nested(ScreenQuestionSchema), metadata={"description": "Urgent ones first."})


@served_whole
class ScopeSchema(Schema):
    understood = fields.Boolean(
        metadata={"description": "False when the text named no area or trigger we know: say what we cover."}
    )
    message = fields.String(allow_none=True)
    areas = fields.List(fields.String(), metadata={"description": "The area codes we cover."})


@served_whole
class ReasonSchema(Schema):
    """One entry of an item's trace; ``kind: shopper`` is the sentence shown to shoppers."""

    kind = fields.String()
    text = fields.String()
    phrase = fields.String(allow_none=True)
    rule = fields.String(allow_none=True)
    section = fields.String(allow_none=True)


class DoseSchema(Schema):
    sets = fields.Integer(allow_none=True)
    reps = fields.Integer(allow_none=True)
    hold_seconds = fields.Integer(allow_none=True)
    minutes = fields.Integer(allow_none=True)
    per_side = fields.Boolean()
    text = fields.String(allow_none=True)


@served_whole
class ExerciseOutSchema(Schema):
    slug = fields.String()
    name = fields.String()
    kind = fields.String(validate=validate.OneOf(vocabulary.EXERCISE_KINDS))
    summary = fields.String()
    steps = fields.List(fields.String())
    cues = fields.List(fields.String())
    cautions = fields.List(fields.String())
    dose = fields.Nested(DoseSchema)
    weekly_frequency = fields.Dict(keys=fields.String(), values=fields.Integer())
    target_areas = fields.List(fields.String())
    sources = fields.List(fields.String())
    reason = fields.String(metadata={"description": "the one sentence a shopper reads; never a rule's name"})
    why = fields.List(fields.Nested(ReasonSchema))


@served_whole
class ProductOutSchema(Schema):
    sku = fields.String()
    name = fields.String()
    description = fields.String()
    url = fields.String()
    cart_url = fields.String()
    price = fields.String(metadata={"example": "49.00"})
    currency = fields.String()
    image_url = fields.String()
    reason = fields.String(metadata={"description": "the one sentence a shopper reads; never a rule's name"})
    why = fields.List(fields.Nested(ReasonSchema))


@served_whole
class SectionOutSchema(Schema):
    article = fields.String()
    anchor = fields.String()
    heading = fields.String()
    url = fields.String()
    reason = fields.String(metadata={"description": "the one sentence a shopper reads; never a rule's name"})
    why = fields.List(fields.Nested(ReasonSchema))


@served_whole
class AvoidSchema(Schema):
    code = fields.String()
    text = fields.String()


@served_whole
class RoutineSchema(Schema):
    sessions_per_week = fields.Dict(keys=fields.String(), values=fields.Integer())
    balanced = fields.Boolean()
    summary = fields.String()


@served_whole
class ExperimentRefSchema(Schema):
    key = fields.String(metadata={"example": "sitting-plank"})
    variant = fields.String(metadata={"example": "b"})


@served_whole
class RecommendationResponseSchema(Schema):
    id = fields.String(allow_none=True)
    rules_version = fields.Integer()
    locale = fields.String()
    profile = fields.Nested(ProfileSchema)
    experiment = fields.Nested(
        ExperimentRefSchema,
        allow_none=True,
        metadata={"description": "The experiment variant that answered; null outside an experiment."},
    )
    screening = fields.Nested(ScreeningSchema)
    scope = fields.Nested(ScopeSchema)
    safety = fields.Nested(SafetySchema)
    exercises = fields.List(fields.Nested(ExerciseOutSchema))
    products = fields.List(fields.Nested(ProductOutSchema))
    sections = fields.List(fields.Nested(SectionOutSchema))
    avoid = fields.List(fields.Nested(AvoidSchema))
    notes = fields.List(fields.String())
    routine = fields.Nested(RoutineSchema, allow_none=True)
    fallback = fields.Boolean()
    disclaimer = fields.String()


@served_whole
class PairingsResponseSchema(Schema):
    sku = fields.String()
    locale = fields.String()
    rules_version = fields.Integer()
    exercises = fields.List(fields.Nested(ExerciseOutSchema))
    sections = fields.List(fields.Nested(SectionOutSchema))
    products = fields.List(fields.Nested(ProductOutSchema))
    disclaimer = fields.String()


@served_whole
class ArticleSectionOutSchema(Schema):
    anchor = fields.String()
    heading = fields.String()
    body = fields.String()
    kind = fields.String()
    concepts = fields.List(fields.String())
    products = fields.List(fields.Nested(ProductOutSchema))


@served_whole
class ArticleResponseSchema(Schema):
    slug = fields.String()
    locale = fields.String()
    title = fields.String()
    summary = fields.String()
    sources = fields.List(fields.Dict())
    sections = fields.List(fields.Nested(ArticleSectionOutSchema))
    rules_version = fields.Integer()


@served_whole
class ExerciseListSchema(Schema):
    locale = fields.String()
    exercises = fields.List(fields.Nested(ExerciseOutSchema))


@served_whole
class RedFlagCodeSchema(Schema):
    code = fields.String()
    level = fields.String(validate=validate.OneOf(vocabulary.SAFETY_LEVELS))


@served_whole
class VocabularySchema(Schema):
    areas = fields.List(fields.String())
    symptoms = fields.List(fields.String())
    triggers = fields.List(fields.String())
    red_flags = fields.List(fields.Nested(RedFlagCodeSchema))
    safety_levels = fields.List(fields.String())
    sides = fields.List(fields.String())
    severities = fields.List(fields.String())
    exercise_kinds = fields.List(fields.String())
    locales = fields.List(fields.String())


@served_whole
class EventsAcceptedSchema(Schema):
    accepted = fields.Integer()
