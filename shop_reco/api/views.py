"""API views, each declared once on :data:`API` (see :mod:`shop_reco.api.declarations`).

The declaration loads and validates the request (path keys, ``?locale=``, the
JSON body) before the view runs, so a view trusts its arguments; it calls the
core and answers with the payload its response schema describes. Per-app
settings come from ``get_state()`` at request time.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, NamedTuple

from flask import Response, current_app, jsonify
from werkzeug.exceptions import NotFound

from shop_reco import vocabulary
from shop_reco.answering.answers import answer_description, choose_locale
from shop_reco.answering.encoding import dumps, json_response
from shop_reco.answering.payloads import (
    answer_json,
    article_payload,
    exercise_payload,
    pairings_payload,
    recommendation_payload,
)
from shop_reco.answering.snapshot import current_snapshot
from shop_reco.api import schemas
from shop_reco.api.declarations import Body, Component, Conditional, EndpointTable, Reply, schema_instance
from shop_reco.api.errors import ApiError, unavailable_response
from shop_reco.api.events import unknown_names
from shop_reco.api.policies import SECURITY_HEADERS
from shop_reco.recommending import UnknownItemError, fail_closed
from shop_reco.signals import event_recorded
from shop_reco.state import get_session, get_state
from shop_reco.storage.database import DatabaseUnavailable
from shop_reco.storage.models import Event
from shop_reco.storage.queries import article_record

#: Every endpoint of the API, in the order of the OpenAPI document's paths.
API = EndpointTable()

#: What ``shop_reco.signals.event_recorded`` receivers get of each event (all of it: nothing personal).
EVENT_SIGNAL_FIELDS = ("kind", "recommendation_id", "item_type", "item_id", "rule", "widget", "locale", "page_view")

#: An answer's headers, built with those the API's after-request hook would add: it then adds none.
ANSWER_HEADERS = (("Cache-Control", "no-store"), *SECURITY_HEADERS.items(), ("Vary", "Origin"))

RECOMMENDATION_REQUEST = Component(
    "RecommendationRequest",
    lambda settings: schemas.recommendation_request_schema(
        settings["SHOP_RECO_MAX_DESCRIPTION_CHARS"], tuple(settings["SHOP_RECO_LOCALES"])
    ),
)
EXERCISE = Component("Exercise", schemas.ExerciseOutSchema)


class ArticleKey(NamedTuple):
    """An article's encoded body, kept per revision: by slug and locale (None: no such article)."""

    slug: str
    locale: str


def _json(payload: dict[str, Any] | bytes) -> Response:
    """A JSON answer; ``payload`` may be encoded already."""
    if isinstance(payload, bytes):
        return current_app.response_class(payload, mimetype="application/json")
    return json_response(payload)


@API.post(
    "/recommendations",
    "recommend",
    "Recommend exercises, products and sections for a description",
    body=Body((RECOMMENDATION_REQUEST,)),
    reply=Reply(
        "The answer; Cache-Control: no-store.", Component("Recommendation", schemas.RecommendationResponseSchema)
    ),
    rate_limit="answers",
    reads_database=True,
    error_schemas=((503, "Unavailable"),),
)
def post_recommendations(body: dict[str, Any]) -> Response:
    """Understand a description and answer with exercises, products and sections, each with why."""
    settings = get_state().settings
    cart_template = settings["SHOP_RECO_CART_URL_TEMPLATE"]
    article_template = settings["SHOP_RECO_ARTICLE_URL_TEMPLATE"]
    try:
        answer = answer_description(
            body["description"],
            locale=body["locale"],
            limit=body["limit"],
            visitor=body["visitor"],
            screening=body.get("screening"),
        )
    except DatabaseUnavailable:
        # An outage is no answer (never a 200), but the shopper still reads the safety notice.
        notice = fail_closed(choose_locale(body["description"], body["locale"]))
        safety = recommendation_payload(notice, cart_template=cart_template, article_template=article_template)
        return unavailable_response(safety=safety["safety"], disclaimer=safety["disclaimer"])
    encoded = answer_json(
        answer,
        cart_template=cart_template,
        article_template=article_template,
        contacts=settings["SHOP_RECO_URGENT_CONTACTS"],
    )
    return current_app.response_class(encoded, headers=list(ANSWER_HEADERS), mimetype="application/json")


@API.get(
    "/products/<sku>/pairings",
    "productPairings",
    "Exercises and reading that go with a product",
    reply=Reply("Pairings (ETag, max-age)", Component("Pairings", schemas.PairingsResponseSchema)),
    path_keys=("sku",),
    locale=True,
    conditional=True,
    reads_database=True,
)
def get_pairings(sku: str, locale: str) -> Conditional:
    """Exercises, article sections and other products that go with a product (no description needed)."""
    snapshot = current_snapshot()
    settings = get_state().settings

    def build() -> Response:
        try:
            payload = pairings_payload(
                sku,
                snapshot.compiled,
                locale,
                article_template=settings["SHOP_RECO_ARTICLE_URL_TEMPLATE"],
                cart_template=settings["SHOP_RECO_CART_URL_TEMPLATE"],
            )
        except UnknownItemError:
            raise NotFound() from None
        return _json(payload)

    return Conditional(f"pairings-{sku}-{locale}-{snapshot.revision}", build)


@API.get(
    "/articles/<slug>",
    "article",
    "An article's sections with the products that fit each",
    reply=Reply("The article", Component("Article", schemas.ArticleResponseSchema)),
    path_keys=("slug",),
    locale=True,
    conditional=True,
    reads_database=True,
)
def get_article(slug: str, locale: str) -> Conditional:
    """An article's sections in reading order, each with the products that fit it."""
    snapshot = current_snapshot()

    def build() -> Response:
        # Encoded once per revision (the memo lives on its compiled rules), as articles are long.
        encoded: dict[ArticleKey, bytes | None] = snapshot.compiled.memo(("api_articles",), dict)
        key = ArticleKey(slug, locale)
        body = encoded.get(key, b"")
        if body == b"":
            record = article_record(get_session(), slug, locale)
            cart_template = get_state().settings["SHOP_RECO_CART_URL_TEMPLATE"]
            payload = (
                None
                if record is None
                else article_payload(record, snapshot.compiled, locale, cart_template=cart_template)
            )
            body = encoded[key] = None if payload is None else dumps(payload)
        if body is None:
            raise NotFound()
        return _json(body)

    return Conditional(f"article-{slug}-{locale}-{snapshot.revision}", build)


@API.get(
    "/exercises",
    "exercises",
    "Every exercise",
    reply=Reply("Exercises", Component("ExerciseList", schemas.ExerciseListSchema)),
    locale=True,
    conditional=True,
    reads_database=True,
)
def list_exercises(locale: str) -> Conditional:
    """Every exercise with steps, dose and how often."""
    snapshot = current_snapshot()

    def build() -> Response:
        items = sorted(
            snapshot.catalog.exercises.values(), key=lambda e: (vocabulary.EXERCISE_KINDS.index(e.kind), e.slug)
        )
        return _json({"locale": locale, "exercises": [exercise_payload(e, locale) for e in items]})

    return Conditional(f"exercises-{locale}-{snapshot.revision}", build)


@API.get(
    "/exercises/<slug>",
    "exercise",
    "One exercise",
    reply=Reply("The exercise", EXERCISE),
    path_keys=("slug",),
    locale=True,
    conditional=True,
    reads_database=True,
)
def get_exercise(slug: str, locale: str) -> Conditional:
    snapshot = current_snapshot()
    item = snapshot.catalog.exercises.get(slug)
    if item is None:
        raise NotFound()
    return Conditional(f"exercise-{slug}-{locale}-{snapshot.revision}", lambda: _json(exercise_payload(item, locale)))


@lru_cache(maxsize=1)
def _vocabulary_body() -> dict[str, Any]:
    body: dict[str, Any] = schemas.VocabularySchema().dump(vocabulary.as_dict())
    return body


@API.get(
    "/vocabulary",
    "vocabulary",
    "The concept codes",
    reply=Reply("The vocabulary", Component("Vocabulary", schemas.VocabularySchema)),
)
def get_vocabulary() -> Response:
    """The concept codes used in profiles, rules and content tags."""
    response = jsonify(_vocabulary_body())
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def _event_body(data: Any) -> int:
    """A batch (``{"events": [...]}``) or one event."""
    return 1 if isinstance(data, dict) and "events" in data else 0


@API.post(
    "/events",
    "events",
    "Record impressions, clicks and add-to-carts (pseudonymous)",
    description=(
        "Each event names a real thing: `item_id` an item of the catalogue (or one the answer "
        "named by `recommendation_id` showed) of `item_type`, `rule` an existing rule; otherwise "
        "400 naming the field. A refused batch records nothing."
    ),
    body=Body(
        (Component("Event", schemas.EventSchema), Component("EventBatch", schemas.EventBatchSchema)), _event_body
    ),
    reply=Reply("Accepted", Component("EventsAccepted", schemas.EventsAcceptedSchema), status=202),
    rate_limit="events",
    reads_database=True,
)
def post_events(body: dict[str, Any]) -> tuple[Response, int]:
    """Record impressions, clicks and add-to-carts: pseudonymous, no IP, no text."""
    batch = "events" in body  # a loaded single event has no such field
    events = body["events"] if batch else [body]
    session = get_session()
    problems = unknown_names(events, current_snapshot(), session)
    if problems:
        fields = {i: {name: [message] for name, message in wrong.items()} for i, wrong in problems.items()}
        raise ApiError(400, "validation_error", "Some fields are invalid.", {"events": fields} if batch else fields[0])
    for e in events:
        session.add(
            Event(
                kind=e["kind"],
                recommendation_id=e["recommendation_id"],
                item_type=e["item_type"],
                item_id=e["item_id"],
                rule_key=e["rule"],
                page_view=e["page_view"],
                widget=e["widget"],
                locale=e["locale"],
            )
        )
    session.commit()
    if event_recorded.receivers:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        for e in events:
            event_recorded.send(app, **{k: e[k] for k in EVENT_SIGNAL_FIELDS})
    return jsonify(schema_instance(schemas.EventsAcceptedSchema).dump({"accepted": len(events)})), 202
