"""API routes. Each view validates with a schema, calls the core, and answers with a schema's shape."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import NotFound

from shop_reco import vocabulary
from shop_reco.answering.answers import LocaleError, answer_description, choose_locale
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
from shop_reco.api.errors import ApiError, unavailable_response
from shop_reco.api.events import unknown_names
from shop_reco.api.openapi import openapi_document
from shop_reco.api.policies import SECURITY_HEADERS
from shop_reco.api.request_body import read_json
from shop_reco.recommending import UnknownItemError, fail_closed
from shop_reco.signals import event_recorded
from shop_reco.state import get_session
from shop_reco.storage.database import DatabaseUnavailable
from shop_reco.storage.models import Event
from shop_reco.storage.queries import article_record
from shop_reco.web.conditional import API_FRESHNESS, conditional_get
from shop_reco.web.rate_limits import rate_limited
from shop_reco.web.request_checks import valid_path_key

if TYPE_CHECKING:
    from shop_reco.state import RecoState

#: What ``shop_reco.signals.event_recorded`` receivers get of each event (all of it: nothing personal).
EVENT_SIGNAL_FIELDS = ("kind", "recommendation_id", "item_type", "item_id", "rule", "widget", "locale", "page_view")


def _query_locale(state: RecoState) -> str:
    wanted = request.args.get("locale")
    try:
        if wanted is None:
            return str(state.settings["SHOP_RECO_DEFAULT_LOCALE"])
        return choose_locale("", wanted)
    except LocaleError as exc:
        raise ApiError(400, "validation_error", "Some fields are invalid.", {"locale": [str(exc)]}) from None


def _json(payload: dict[str, Any] | bytes) -> Response:
    """A JSON answer; ``payload`` may be encoded already."""
    if isinstance(payload, bytes):
        return current_app.response_class(payload, mimetype="application/json")
    return json_response(payload)


def register(bp: Blueprint, state: RecoState) -> None:
    # Schemas are stateless once built; building one per request costs more than using it.
    max_chars = state.settings["SHOP_RECO_MAX_DESCRIPTION_CHARS"]
    request_schema = schemas.recommendation_request_schema(max_chars)()
    event_schema = schemas.EventSchema()
    event_batch_schema = schemas.EventBatchSchema()
    accepted_schema = schemas.EventsAcceptedSchema()
    vocabulary_body = schemas.VocabularySchema().dump(vocabulary.as_dict())
    cart_template = state.settings["SHOP_RECO_CART_URL_TEMPLATE"]
    answer_headers = [("Cache-Control", "no-store"), *SECURITY_HEADERS.items(), ("Vary", "Origin")]
    article_template = state.settings["SHOP_RECO_ARTICLE_URL_TEMPLATE"]
    urgent_contacts = state.settings["SHOP_RECO_URGENT_CONTACTS"]

    @bp.post("/recommendations")
    @rate_limited(state, "answers")
    def post_recommendations() -> Response:
        """Understand a description and answer with exercises, products and sections, each with why."""
        body = request_schema.load(read_json())  # a blank description is refused by the schema's pattern
        try:
            answer = answer_description(
                body["description"],
                locale=body["locale"],
                limit=body["limit"],
                visitor=body["visitor"],
                screening=body.get("screening"),
            )
        except LocaleError as exc:
            raise ApiError(400, "validation_error", "Some fields are invalid.", {"locale": [str(exc)]}) from None
        except DatabaseUnavailable:
            # An outage is no answer (never a 200), but the shopper still reads the safety notice.
            notice = fail_closed(choose_locale(body["description"], body["locale"]))
            safety = recommendation_payload(notice, cart_template=cart_template, article_template=article_template)
            return unavailable_response(safety=safety["safety"], disclaimer=safety["disclaimer"])
        body = answer_json(
            answer, cart_template=cart_template, article_template=article_template, contacts=urgent_contacts
        )
        # Built with the headers the API's after-request hook would add: it then adds none.
        return current_app.response_class(body, headers=answer_headers, mimetype="application/json")

    @bp.get("/products/<sku>/pairings")
    def get_pairings(sku: str) -> Response:
        """Exercises, article sections and other products that go with a product (no description needed)."""
        if not valid_path_key(sku):
            raise NotFound()
        locale = _query_locale(state)
        snapshot = current_snapshot()

        def build() -> Response:
            try:
                payload = pairings_payload(
                    sku, snapshot.compiled, locale, article_template=article_template, cart_template=cart_template
                )
            except UnknownItemError:
                raise NotFound() from None
            return _json(payload)

        return conditional_get(f"pairings-{sku}-{locale}-{snapshot.revision}", build, API_FRESHNESS)

    @bp.get("/articles/<slug>")
    def get_article(slug: str) -> Response:
        """An article's sections in reading order, each with the products that fit it."""
        if not valid_path_key(slug):
            raise NotFound()
        locale = _query_locale(state)
        snapshot = current_snapshot()

        def build() -> Response:
            # Encoded once per revision (the memo lives on its compiled rules), as articles are long.
            encoded: dict[tuple[str, str], bytes | None] = snapshot.compiled.memo(("api_articles",), dict)
            body = encoded.get((slug, locale), b"")
            if body == b"":
                record = article_record(get_session(), slug, locale)
                payload = (
                    None
                    if record is None
                    else article_payload(record, snapshot.compiled, locale, cart_template=cart_template)
                )
                body = encoded[(slug, locale)] = None if payload is None else dumps(payload)
            if body is None:
                raise NotFound()
            return _json(body)

        return conditional_get(f"article-{slug}-{locale}-{snapshot.revision}", build, API_FRESHNESS)

    @bp.get("/exercises")
    def list_exercises() -> Response:
        """Every exercise with steps, dose and how often."""
        locale = _query_locale(state)
        snapshot = current_snapshot()

        def build() -> Response:
            items = sorted(
                snapshot.catalog.exercises.values(), key=lambda e: (vocabulary.EXERCISE_KINDS.index(e.kind), e.slug)
            )
            return _json({"locale": locale, "exercises": [exercise_payload(e, locale) for e in items]})

        return conditional_get(f"exercises-{locale}-{snapshot.revision}", build, API_FRESHNESS)

    @bp.get("/exercises/<slug>")
    def get_exercise(slug: str) -> Response:
        if not valid_path_key(slug):
            raise NotFound()
        locale = _query_locale(state)
        snapshot = current_snapshot()
        item = snapshot.catalog.exercises.get(slug)
        if item is None:
            raise NotFound()
        etag = f"exercise-{slug}-{locale}-{snapshot.revision}"
        return conditional_get(etag, lambda: _json(exercise_payload(item, locale)), API_FRESHNESS)

    @bp.get("/vocabulary")
    def get_vocabulary() -> Response:
        """The concept codes used in profiles, rules and content tags."""
        response = jsonify(vocabulary_body)
        response.headers["Cache-Control"] = "public, max-age=3600"
        return response

    @bp.post("/events")
    @rate_limited(state, "events")
    def post_events() -> tuple[Response, int]:
        """Record impressions, clicks and add-to-carts: pseudonymous, no IP, no text."""
        body = read_json()
        batch = isinstance(body, dict) and "events" in body
        events = event_batch_schema.load(body)["events"] if batch else [event_schema.load(body)]
        session = get_session()
        problems = unknown_names(events, current_snapshot(), session)
        if problems:
            fields = {i: {name: [message] for name, message in wrong.items()} for i, wrong in problems.items()}
            raise ApiError(
                400, "validation_error", "Some fields are invalid.", {"events": fields} if batch else fields[0]
            )
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
        return jsonify(accepted_schema.dump({"accepted": len(events)})), 202

    @bp.get("/openapi.json")
    def get_openapi() -> Response:
        """This API's OpenAPI 3 document, generated from the same marshmallow schemas."""
        response = jsonify(openapi_document(state.settings["SHOP_RECO_URL_PREFIX"], max_chars))
        response.headers["Cache-Control"] = "public, max-age=300"
        return response
