"""One declaration per API endpoint, in flask-smorest's manner, with decorators of our own.

A view says once, where it is defined, what it accepts and what it answers::

    @API.get("/exercises/<slug>", "exercise", "One exercise",
             reply=Reply("The exercise", EXERCISE), path_keys=("slug",), locale=True,
             conditional=True, reads_database=True)
    def get_exercise(slug: str, locale: str) -> Conditional: ...

From that declaration the decorator checks the path keys (404 before any
query), validates the ``locale`` query parameter and the JSON body with their
schemas (once: the view trusts what it is given), counts the rate limit,
answers ``If-None-Match`` with a 304, and :mod:`shop_reco.api.openapi` writes
the operation, its parameters, request body and every status into the
document. flask-smorest itself does not fit: our CORS and body-size policies,
our one error shape, the rate limits shared with the finder's forms and the
per-app schemas (a shop's own description length and locales) would each need
working around it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, wraps
from typing import Any, NamedTuple

from flask import Blueprint, Response, request
from marshmallow import EXCLUDE, Schema, fields, validate
from werkzeug.exceptions import NotFound

from shop_reco.api.plain_bodies import load_body
from shop_reco.api.request_body import read_json
from shop_reco.api.schemas import UNKNOWN_LOCALE
from shop_reco.state import get_state
from shop_reco.web.conditional import API_FRESHNESS, conditional_get
from shop_reco.web.rate_limits import rate_limited
from shop_reco.web.request_checks import valid_path_key

#: A schema class, or a function of the app's settings that makes one (a shop's own limits).
SchemaSource = type[Schema] | Callable[[Mapping[str, Any]], type[Schema]]


@dataclass(frozen=True)
class Component:
    """A schema as the document names it (``#/components/schemas/<name>``)."""

    name: str
    schema: SchemaSource

    def schema_class(self, settings: Mapping[str, Any]) -> type[Schema]:
        """The schema class for an app with these settings."""
        if isinstance(self.schema, type):
            return self.schema
        return self.schema(settings)


@dataclass(frozen=True)
class Body:
    """A JSON request body: one of ``components``, the one ``pick`` chooses for the data (default: the first).

    Several components are published as ``oneOf``.
    """

    components: tuple[Component, ...]
    pick: Callable[[Any], int] | None = None

    def load(self, data: Any, settings: Mapping[str, Any]) -> Any:
        """``data`` loaded and validated (marshmallow's ``ValidationError`` is the API's 400)."""
        chosen = self.components[self.pick(data) if self.pick is not None else 0]
        return load_body(schema_instance(chosen.schema_class(settings)), data)


@dataclass(frozen=True)
class Reply:
    """What a success answers: its status, the document's description and schema (None: not a schema)."""

    description: str
    component: Component | None = None
    status: int = 200


class Conditional(NamedTuple):
    """What a conditional view returns: the answer's weak ETag and how to build the answer.

    The decorator answers a matching ``If-None-Match`` with a 304 and never builds it.
    """

    etag: str
    build: Callable[[], Response]


#: The ``locale`` query parameter as the document publishes it (the app's own locales are checked).
LOCALE_PARAMETER_NAME = "locale"


@dataclass(frozen=True)
class Endpoint:
    """Everything said once about one API operation."""

    rule: str
    method: str
    view: Callable[..., Any]
    operation_id: str
    summary: str
    reply: Reply
    description: str | None = None
    body: Body | None = None
    #: Path parameters that are SKUs or slugs: anything else is a 404 before any query.
    path_keys: tuple[str, ...] = ()
    #: Takes ``?locale=`` (one of the shop's locales; the shop's default when absent).
    locale: bool = False
    #: Answers with an ETag, and a 304 when ``If-None-Match`` holds it.
    conditional: bool = False
    #: Counted against this rate-limit budget (None: not limited).
    rate_limit: str | None = None
    #: Reads the database, so may answer 503.
    reads_database: bool = False
    #: Schema names of error answers other than ``Error``, by status.
    error_schemas: tuple[tuple[int, str], ...] = ()

    @property
    def endpoint(self) -> str:
        """The Flask endpoint name (``url_for("shop_reco_api.<endpoint>")``): the view's name."""
        return self.view.__name__

    @property
    def path(self) -> str:
        """The rule as an OpenAPI path: ``/products/{sku}/pairings``."""
        return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", self.rule)

    def error_statuses(self) -> tuple[int, ...]:
        """Every error status this operation can answer, from what it declares."""
        statuses = {405}
        if self.body is not None:
            statuses |= {400, 413, 415}
        if self.locale:
            statuses.add(400)
        if self.path_keys:
            statuses.add(404)
        if self.rate_limit is not None:
            statuses.add(429)
        if self.reads_database:
            statuses.add(503)
        return tuple(sorted(statuses))


@lru_cache(maxsize=64)
def schema_instance(schema: type[Schema]) -> Schema:
    """One instance per schema class: schemas are stateless once built, and building one costs more than using it."""
    return schema()


@lru_cache(maxsize=16)
def locale_query_schema(offered: tuple[str, ...]) -> Schema:
    """The ``locale`` query parameter of a shop offering ``offered`` (other parameters are ignored)."""
    field_ = fields.String(
        load_default=None,
        validate=validate.OneOf(offered, error=UNKNOWN_LOCALE),
    )
    return Schema.from_dict({LOCALE_PARAMETER_NAME: field_})(unknown=EXCLUDE)


def query_locale() -> str:
    """The request's ``?locale=``, validated against the shop's locales; the shop's default when absent."""
    settings = get_state().settings
    loaded = locale_query_schema(tuple(settings["SHOP_RECO_LOCALES"])).load(
        {LOCALE_PARAMETER_NAME: request.args[LOCALE_PARAMETER_NAME]} if LOCALE_PARAMETER_NAME in request.args else {}
    )
    wanted = loaded[LOCALE_PARAMETER_NAME]
    return str(settings["SHOP_RECO_DEFAULT_LOCALE"]) if wanted is None else str(wanted)


@dataclass
class EndpointTable:
    """The API's endpoints, in the order they were declared; ``register`` mounts them on a blueprint."""

    endpoints: list[Endpoint] = field(default_factory=list)

    def get(self, rule: str, operation_id: str, summary: str, **declared: Any) -> Callable[[Callable[..., Any]], Any]:
        return self.route("GET", rule, operation_id, summary, **declared)

    def post(self, rule: str, operation_id: str, summary: str, **declared: Any) -> Callable[[Callable[..., Any]], Any]:
        return self.route("POST", rule, operation_id, summary, **declared)

    def route(
        self, method: str, rule: str, operation_id: str, summary: str, **declared: Any
    ) -> Callable[[Callable[..., Any]], Any]:
        """Declare ``view`` (see :class:`Endpoint` for what may be declared); the view itself is unchanged."""

        def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
            self.endpoints.append(Endpoint(rule, method, view, operation_id, summary, **declared))
            return view

        return decorate

    def register(self, bp: Blueprint) -> None:
        """Add every endpoint's rule to ``bp``, its view wrapped by what it declares."""
        for endpoint in self.endpoints:
            bp.add_url_rule(
                endpoint.rule, endpoint=endpoint.endpoint, view_func=_serving(endpoint), methods=[endpoint.method]
            )

    def __iter__(self) -> Any:
        return iter(self.endpoints)


def _serving(endpoint: Endpoint) -> Callable[..., Response]:
    """``endpoint.view`` with its declaration applied: path keys, locale, body, rate limit, ETag."""
    view = endpoint.view
    keys: Sequence[str] = endpoint.path_keys
    body = endpoint.body

    @wraps(view)
    def serve(**path: str) -> Any:
        for key in keys:
            if not valid_path_key(path[key]):
                raise NotFound()
        if endpoint.locale:
            path[LOCALE_PARAMETER_NAME] = query_locale()
        if body is not None:
            path["body"] = body.load(read_json(), get_state().settings)
        answer = view(**path)
        if endpoint.conditional:
            return conditional_get(answer.etag, answer.build, API_FRESHNESS)
        return answer

    if endpoint.rate_limit is not None:
        return rate_limited(endpoint.rate_limit)(serve)
    return serve
