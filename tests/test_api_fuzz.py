"""Schemathesis against our own OpenAPI document, in process (WSGI, no server).

Every operation, generated valid and invalid inputs, every check of the installed
schemathesis: no server error, every answer in the documented shape and status.
The app is built by a fixture (on SQLite and on PostgreSQL), not at import.
`make test` runs a smaller example count; `make fuzz` (SHOP_RECO_FUZZ_EXAMPLES=300)
the full one against PostgreSQL.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.config import OperationConfig, OperationsConfig

from shop_reco.api.openapi import openapi_document
from tests.databases import load_demo_database, make_app

EXAMPLES = int(os.environ.get("SHOP_RECO_FUZZ_EXAMPLES", "25"))


@pytest.fixture
def fuzz_app(database_url: str, tmp_path: Path) -> Flask:
    app = make_app(load_demo_database(database_url), tmp_path)  # a copy of the session's migrated database
    yield app
    app.extensions["shop_reco"].close()


# The document needs no app (it is built from the schemas), so nothing is built at import.
schema = schemathesis.openapi.from_dict(openapi_document())
_checks = schema.config.checks
# A body over SHOP_RECO_MAX_BODY_BYTES is refused with 413 before validation: a rejection too.
_checks.negative_data_rejection.expected_statuses = [*_checks.negative_data_rejection.expected_statuses, "413"]
# Whether an event's item and rule exist is the catalogue's to say, not the schema's: a
# schema-valid event about an invented item is refused with 400 naming the field.
_events = OperationConfig.from_dict(
    {
        "include-operation-id": "events",
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": [*_checks.positive_data_acceptance.expected_statuses, "400"]
            },
            "negative_data_rejection": {"expected-statuses": _checks.negative_data_rejection.expected_statuses},
        },
    }
)
schema.config.operations = OperationsConfig(operations=[_events])


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_in_its_documented_shape(case, fuzz_app: Flask) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(app=fuzz_app)
